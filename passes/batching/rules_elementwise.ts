// Elementwise ops: the batch dim is one more dim the op maps over. Operands meet at the
// first batched operand's batch dim; an unbatched operand is broadcast to meet them,
// except the scalars that select, clamp accept, which stay scalars while unbatched.
import { DTYPES } from '../../ir/dtype.js';
import type { Instruction } from '../../ir/module.js';
import { array } from '../../ir/shape.js';
import { allAt, batchShape, dimsOf, dtypeOf, emitLike, firstBdim, insertAt, moveTo } from './moves.js';
import { type BVal, type BatchRule, type RuleCtx, arrayBdim } from './types.js';

/** One operand: the op maps over the batch dim where it is. */
export const unaryRule = (ctx: RuleCtx, instr: Instruction, args: readonly BVal[]): BVal => {
  const b = arrayBdim(args[0])!;
  return { x: emitLike(ctx, instr, [args[0].x], batchShape(instr.shape, b, ctx.size)), b };
};

/** Operands of one shape: all moved (or broadcast) to the first batched operand's batch dim. */
export const naryRule = (ctx: RuleCtx, instr: Instruction, args: readonly BVal[]): BVal => {
  const { xs, b } = allAt(ctx, args);
  return { x: emitLike(ctx, instr, xs, batchShape(instr.shape, b, ctx.size)), b };
};

/**
 * select's pred and clamp's bounds may be scalars. An unbatched scalar stays one; a batched
 * scalar (now a vector over the batch) is broadcast over the other operands' dims.
 */
function scalarsAllowed(scalarPositions: readonly number[]) {
  return (ctx: RuleCtx, instr: Instruction, args: readonly BVal[]): BVal => {
    const fullDims = dimsOf(instr.operands[1]);
    const isScalar = (k: number) => scalarPositions.includes(k) && dimsOf(instr.operands[k]).length === 0 && fullDims.length > 0;
    const batchedFull = args.filter((a, k) => !isScalar(k) && a.b !== null);
    const b = batchedFull.length > 0 ? firstBdim(batchedFull) : 0;
    const xs = args.map((a, k) => {
      if (!isScalar(k)) return moveTo(ctx, a, b);
      if (a.b === null) return a.x;
      return ctx.c.op('broadcast', [a.x], { dimensions: [b] }, array(dtypeOf(a.x), insertAt(fullDims, b, ctx.size)));
    });
    return { x: emitLike(ctx, instr, xs, batchShape(instr.shape, b, ctx.size)), b };
  };
}

export const selectRule = scalarsAllowed([0]);
export const clampRule = scalarsAllowed([0, 2]);

/** Same width: elementwise. A wider type folds the operand's last dim away: keep the batch dim off it. */
export const bitcastConvertRule: BatchRule<'bitcast-convert'> = (ctx, instr, args) => {
  let b = arrayBdim(args[0])!;
  let x = args[0].x;
  const from = DTYPES[dtypeOf(x)].bits, to = DTYPES[dtypeOf(instr)].bits;
  if (from < to && b === dimsOf(x).length - 1) {
    x = moveTo(ctx, args[0], 0);
    b = 0;
  }
  return { x: ctx.c.bitcastConvert(x, dtypeOf(instr)), b };
};

const U = unaryRule, N = naryRule;

export const ELEMENTWISE_RULES = {
  abs: U, negate: U, exponential: U, 'exponential-minus-one': U, log: U, 'log-plus-one': U, tanh: U, logistic: U,
  sqrt: U, rsqrt: U, cbrt: U, sine: U, cosine: U, tan: U, floor: U, ceil: U, 'round-nearest-afz': U,
  'round-nearest-even': U, sign: U, not: U, 'is-finite': U, popcnt: U, clz: U, erf: U, copy: U, real: U, imag: U,
  acos: U, acosh: U, asin: U, asinh: U, atanh: U, cosh: U, sinh: U, 'reduce-precision': U, convert: U,

  add: N, subtract: N, multiply: N, divide: N, remainder: N, power: N, maximum: N, minimum: N, atan2: N,
  and: N, or: N, xor: N, 'shift-left': N, 'shift-right-arithmetic': N, 'shift-right-logical': N, complex: N,
  compare: N,
  select: selectRule,
  clamp: clampRule,
  'bitcast-convert': bitcastConvertRule,
};
