// Elementwise ONNX ops: arithmetic, math functions, comparisons, logic, casts and the
// variadic Max/Min/Sum/Mean. Opset 7 switched binary ops from the legacy `broadcast`/
// `axis` attributes to numpy broadcasting; both are handled here.
import type { Direction } from '../../../../ir/builder.js';
import { isFloat, type DType } from '../../../../ir/dtype.js';
import type { Instruction } from '../../../../ir/module.js';
import { dtypeOf as onnxDtype } from '../tensor.js';
import type { AttrValues, LowerCtx } from './types.js';
import { float, int, ints, op, string } from './types.js';
import { broadcastAll, broadcastTo, dimsOf, dtypeOf, legacyBroadcastTo, splat } from './util.js';

type Build1 = (ctx: LowerCtx, x: Instruction) => Instruction;
type Build2 = (ctx: LowerCtx, x: Instruction, y: Instruction) => Instruction;

/** Opset 1 listed `consumed_inputs` on many ops; it means nothing to an SSA graph. */
const legacyUnary = { consumed_inputs: ints() } as const;
const legacyBinary = { broadcast: int(0), axis: int(), consumed_inputs: ints() } as const;

/** A one-input op whose output is build(x). */
const unary = (opsets: readonly [number, number], build: Build1) => op({
  opsets,
  attrs: legacyUnary,
  lower: (ctx) => [build(ctx, ctx.input(0))],
});

/** The two inputs broadcast to one shape, by the rules of the node's opset. */
function operands(ctx: LowerCtx, a: AttrValues<typeof legacyBinary>): [Instruction, Instruction] {
  const x = ctx.input(0), y = ctx.input(1);
  if (ctx.opset >= 7 || !a.broadcast) {
    const [bx, by] = broadcastAll(ctx, [x, y]);
    return [bx, by];
  }
  return [x, legacyBroadcastTo(ctx, y, dimsOf(ctx, x), a.axis)];
}

/** A two-input op with broadcasting whose output is build(x, y). */
const binary = (opsets: readonly [number, number], build: Build2) => op({
  opsets,
  attrs: legacyBinary,
  lower: (ctx, a) => {
    const [x, y] = operands(ctx, a);
    return [build(ctx, x, y)];
  },
});

const compare = (direction: Direction): Build2 => (ctx, x, y) => ctx.b.compare(x, y, direction);

/** Folds any number of inputs (numpy-broadcast together) with a binary op. */
function variadic(ctx: LowerCtx, combine: Build2): Instruction {
  const xs = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i));
  if (xs.length === 0) ctx.fail('needs at least one input');
  return broadcastAll(ctx, xs).reduce((acc, x) => combine(ctx, acc, x));
}

const variadicOp = (combine: Build2) => op({
  opsets: [1, 17],
  attrs: legacyUnary,
  lower: (ctx) => [variadic(ctx, combine)],
});

/**
 * x^y where the exponent's type may differ (opset 12+). The result has x's type, as
 * numpy's `power(x, y).astype(x.dtype)`: an integer base with a float exponent is
 * computed in f64 and truncated back.
 */
function pow(ctx: LowerCtx, x: Instruction, y: Instruction): Instruction {
  const tx = dtypeOf(ctx, x), ty = dtypeOf(ctx, y);
  if (tx === ty) return ctx.b.power(x, y);
  if (isFloat(tx) || !isFloat(ty)) return ctx.b.power(x, ctx.b.convert(y, tx));
  const p = ctx.b.power(ctx.b.convert(x, 'f64'), ctx.b.convert(y, 'f64'));
  return ctx.b.convert(p, tx);
}

/**
 * Mod with fmod=0 takes the divisor's sign (Python's %): HLO remainder takes the
 * dividend's, so a non-zero remainder whose sign differs from y's gets y added.
 */
function pythonMod(ctx: LowerCtx, x: Instruction, y: Instruction): Instruction {
  const b = ctx.b;
  const r = b.remainder(x, y);
  const negative = (v: Instruction) => b.compare(v, splat(ctx, v, 0), 'LT');
  const fix = b.and(b.compare(r, splat(ctx, r, 0), 'NE'), b.xor(negative(r), negative(y)));
  return b.select(fix, b.add(r, y), r);
}

/** Infinities of the kinds IsInf asks for, as a pred mask. */
function isInf(ctx: LowerCtx, x: Instruction, negative: boolean, positive: boolean): Instruction {
  const b = ctx.b;
  let mask: Instruction = b.broadcast(b.constantScalar('pred', false), dimsOf(ctx, x));
  if (positive) mask = b.or(mask, b.compare(x, splat(ctx, x, Infinity), 'EQ'));
  if (negative) mask = b.or(mask, b.compare(x, splat(ctx, x, -Infinity), 'EQ'));
  return mask;
}

/** Clip's bounds: attributes before opset 11, optional scalar inputs from then on. */
function clipBounds(ctx: LowerCtx, x: Instruction, a: { min?: number; max?: number }): [Instruction?, Instruction?] {
  const dims = dimsOf(ctx, x);
  if (ctx.opset < 11) {
    const bound = (v?: number) => (v === undefined ? undefined : splat(ctx, x, v));
    return [bound(a.min), bound(a.max)];
  }
  const bound = (i: number) => {
    const v = ctx.optional(i);
    return v && broadcastTo(ctx, v, dims);
  };
  return [bound(1), bound(2)];
}

function clip(ctx: LowerCtx, x: Instruction, lo?: Instruction, hi?: Instruction): Instruction {
  // max then min, as numpy.clip: when min > max every element becomes max.
  const low = lo ? ctx.b.maximum(x, lo) : x;
  return hi ? ctx.b.minimum(low, hi) : low;
}

/** ONNX's Cast: XLA's convert already truncates float→int toward zero and maps non-zero to true. */
const cast = (ctx: LowerCtx, x: Instruction, to: DType) => (dtypeOf(ctx, x) === to ? x : ctx.b.convert(x, to));

export const ELEMENTWISE_OPS = {
  // Arithmetic. Integer Div truncates toward zero, as HLO divide does.
  Add: binary([1, 17], (c, x, y) => c.b.add(x, y)),
  Sub: binary([1, 17], (c, x, y) => c.b.subtract(x, y)),
  Mul: binary([1, 17], (c, x, y) => c.b.multiply(x, y)),
  Div: binary([1, 17], (c, x, y) => c.b.divide(x, y)),
  Pow: binary([1, 17], pow),
  Mod: op({
    opsets: [10, 17],
    attrs: { fmod: int(0) },
    lower: (ctx, a) => {
      const [x, y] = broadcastAll(ctx, [ctx.input(0), ctx.input(1)]);
      return [a.fmod ? ctx.b.remainder(x, y) : pythonMod(ctx, x, y)];
    },
  }),

  // One-input math.
  Neg: unary([1, 17], (c, x) => c.b.negate(x)),
  Abs: unary([1, 17], (c, x) => c.b.abs(x)),
  Sqrt: unary([1, 17], (c, x) => c.b.sqrt(x)),
  Exp: unary([1, 17], (c, x) => c.b.exponential(x)),
  Log: unary([1, 17], (c, x) => c.b.log(x)),
  Reciprocal: unary([1, 17], (c, x) => c.b.divide(splat(c, x, 1), x)),
  Floor: unary([1, 17], (c, x) => c.b.floor(x)),
  Ceil: unary([1, 17], (c, x) => c.b.ceil(x)),
  Round: unary([11, 17], (c, x) => c.b.roundNearestEven(x)),
  Sign: unary([9, 17], (c, x) => c.b.sign(x)),
  Sin: unary([7, 17], (c, x) => c.b.sine(x)),
  Cos: unary([7, 17], (c, x) => c.b.cosine(x)),
  Tan: unary([7, 17], (c, x) => c.b.tan(x)),
  Asin: unary([7, 17], (c, x) => c.b.asin(x)),
  Acos: unary([7, 17], (c, x) => c.b.acos(x)),
  // HLO has no atan; atan(x) = atan2(x, 1).
  Atan: unary([7, 17], (c, x) => c.b.atan2(x, splat(c, x, 1))),
  Sinh: unary([9, 17], (c, x) => c.b.sinh(x)),
  Cosh: unary([9, 17], (c, x) => c.b.cosh(x)),
  Asinh: unary([9, 17], (c, x) => c.b.asinh(x)),
  Acosh: unary([9, 17], (c, x) => c.b.acosh(x)),
  Atanh: unary([9, 17], (c, x) => c.b.atanh(x)),
  Erf: unary([9, 17], (c, x) => c.b.erf(x)),
  // NaN is the only value unequal to itself.
  IsNaN: unary([9, 17], (c, x) => c.b.compare(x, x, 'NE')),
  IsInf: op({
    opsets: [10, 17],
    attrs: { detect_negative: int(1), detect_positive: int(1) },
    lower: (ctx, a) => [isInf(ctx, ctx.input(0), a.detect_negative !== 0, a.detect_positive !== 0)],
  }),
  Clip: op({
    opsets: [1, 17],
    attrs: { min: float(), max: float(), consumed_inputs: ints() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      return [clip(ctx, x, ...clipBounds(ctx, x, a))];
    },
  }),

  // Variadic, numpy-broadcast (opset 8+; earlier ones required equal shapes).
  Max: variadicOp((c, x, y) => c.b.maximum(x, y)),
  Min: variadicOp((c, x, y) => c.b.minimum(x, y)),
  Sum: variadicOp((c, x, y) => c.b.add(x, y)),
  Mean: op({
    opsets: [1, 17],
    attrs: legacyUnary,
    lower: (ctx) => {
      const sum = variadic(ctx, (c, x, y) => c.b.add(x, y));
      return [ctx.b.divide(sum, splat(ctx, sum, ctx.inputCount))];
    },
  }),

  // Comparisons give bool (pred).
  Equal: binary([1, 17], compare('EQ')),
  Less: binary([1, 17], compare('LT')),
  Greater: binary([1, 17], compare('GT')),
  LessOrEqual: binary([12, 17], compare('LE')),
  GreaterOrEqual: binary([12, 17], compare('GE')),

  // Logic and bits.
  Not: unary([1, 17], (c, x) => c.b.not(x)),
  And: binary([1, 17], (c, x, y) => c.b.and(x, y)),
  Or: binary([1, 17], (c, x, y) => c.b.or(x, y)),
  Xor: binary([1, 17], (c, x, y) => c.b.xor(x, y)),
  BitShift: op({
    opsets: [11, 17],
    attrs: { direction: string() },
    lower: (ctx, a) => {
      const [x, y] = broadcastAll(ctx, [ctx.input(0), ctx.input(1)]);
      // BitShift is defined on unsigned types only, so a right shift is logical.
      if (a.direction === 'LEFT') return [ctx.b.shiftLeft(x, y)];
      if (a.direction === 'RIGHT') return [ctx.b.shiftRightLogical(x, y)];
      return ctx.fail(`direction must be LEFT or RIGHT, got '${a.direction ?? ''}'`);
    },
  }),
  Where: op({
    opsets: [9, 17],
    attrs: {},
    lower: (ctx) => {
      const [cond, x, y] = broadcastAll(ctx, [ctx.input(0), ctx.input(1), ctx.input(2)]);
      return [ctx.b.select(cond, x, y)];
    },
  }),

  // Casts. Cast-1 named the type by a string; kiln starts at opset 6 where it is an enum.
  Cast: op({
    opsets: [6, 17],
    attrs: { to: int() },
    lower: (ctx, a) => {
      const to = a.to ?? ctx.fail("attribute 'to' is required");
      return [cast(ctx, ctx.input(0), onnxDtype(to, "Cast's 'to'"))];
    },
  }),
  CastLike: op({
    opsets: [15, 17],
    attrs: {},
    lower: (ctx) => [cast(ctx, ctx.input(0), dtypeOf(ctx, ctx.input(1)))],
  }),

  Identity: op({ opsets: [1, 17], attrs: {}, lower: (ctx) => [ctx.input(0)] }),
};
