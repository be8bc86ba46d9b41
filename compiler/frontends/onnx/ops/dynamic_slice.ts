// Slice whose start is known only at run time, as loop bodies write it to take their
// iteration's row: `Slice(x, i, i + k)`. kiln's shapes are static, so this works only
// where the slice's length is: one axis, step 1, and an end that is the start plus a
// constant k (seen through reshapes, as Unsqueeze gives them). Anything else still needs
// constant starts and ends, and fails naming the node.
import type { Instruction } from '../../../../ir/module.js';
import type { ArrayLiteral } from '../../../../ir/literal.js';
import type { LowerCtx } from './types.js';
import { dimsOf, normAxis, shapeOf } from './util.js';

/** x with one-element reshapes peeled off (Unsqueeze/Squeeze of an index). */
function peel(x: Instruction): Instruction {
  while (x.opcode === 'reshape' && x.operands[0].shape.kind === 'array' && x.operands[0].shape.dims.every((d) => d === 1)) x = x.operands[0];
  return x;
}

/** k when end computes start + k with k a one-element constant, else undefined. */
function constantOffset(start: Instruction, end: Instruction): number | undefined {
  const s = peel(start), e = peel(end);
  if (e === s) return 0;
  if (e.opcode !== 'add') return undefined;
  for (const [a, b] of [[e.operands[0], e.operands[1]], [e.operands[1], e.operands[0]]]) {
    const c = peel(b);
    if (peel(a) === s && c.opcode === 'constant') {
      const lit = c.attrs.literal as ArrayLiteral;
      if (lit.data.length === 1) return Number(lit.data[0]);
    }
  }
  return undefined;
}

/**
 * The slice as a dynamic-slice of static length k. A negative start counts from the end
 * as in ONNX; where ONNX would shorten a slice that runs past the end, dynamic-slice
 * instead moves its start back so k elements stay inside (documented in docs/onnx.md).
 */
export function dynamicStartSlice(ctx: LowerCtx): Instruction {
  const B = ctx.b, x = ctx.input(0), dims = dimsOf(ctx, x);
  const start = ctx.input(1), end = ctx.input(2);
  // The wording keeps "must be known at compile time", which the conformance runner
  // (and a user) reads as: bind this input to compile it.
  const why = 'input 1 (starts) must be known at compile time, unless the slice has one axis, step 1 and ends = starts + a constant';
  if (shapeOf(ctx, start).dims.some((d) => d !== 1)) ctx.fail(`${why}; starts has shape [${shapeOf(ctx, start).dims.join(',')}]`);
  const steps = ctx.optional(4) && ctx.constant(4, 'steps');
  if (steps && Number(steps.data[0]) !== 1) ctx.fail(`${why}; the step is ${steps.data[0]}`);
  const axes = ctx.optional(3) && ctx.constant(3, 'axes');
  const axis = normAxis(ctx, axes ? Number(axes.data[0]) : 0, dims.length);
  const k = constantOffset(start, end);
  if (k === undefined) ctx.fail(`${why}; input 2 (ends) is not starts plus a constant`);
  if (k < 0 || k > dims[axis]) ctx.fail(`the slice length ${k} is outside [0, ${dims[axis]}]`);
  const dt = shapeOf(ctx, start).dtype;
  const s = B.reshape(start, []);
  const wrapped = B.select(B.compare(s, B.constantScalar(dt, 0), 'LT'), B.add(s, B.constantScalar(dt, dims[axis])), s);
  const zero = B.constantScalar(dt, 0);
  return B.dynamicSlice(x, dims.map((_, d) => (d === axis ? wrapped : zero)), dims.map((n, d) => (d === axis ? k : n)));
}
