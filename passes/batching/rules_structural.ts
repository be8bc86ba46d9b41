// Ops that move data: the batch dim rides along as one more dim the op leaves alone
// (a full slice, no padding, not reversed). Reshape and broadcast need it in front, since
// their attributes name result dims that the batch would otherwise interleave with.
import { defaultLayout } from '../../ir/shape.js';
import type { Instruction } from '../../ir/module.js';
import { array, shapeEquals } from '../../ir/shape.js';
import { allAt, batchShape, broadcastBatch, dimsOf, dtypeOf, insertAt, moveTo, shift } from './moves.js';
import { type BVal, type BatchRule, type RuleCtx, arrayBdim, elementBdim, normalize, refuse } from './types.js';

export const broadcastRule: BatchRule<'broadcast'> = (ctx, instr, args) => {
  const x = moveTo(ctx, args[0], 0);
  const dimensions = [0, ...(instr.attrs.dimensions ?? []).map((d) => d + 1)];
  return { x: ctx.c.op('broadcast', [x], { dimensions }, batchShape(instr.shape, 0, ctx.size)), b: 0 };
};

export const reshapeRule = (ctx: RuleCtx, instr: Instruction, args: readonly BVal[]): BVal => {
  const x = moveTo(ctx, args[0], 0);
  return { x: ctx.c.reshape(x, [ctx.size, ...dimsOf(instr)]), b: 0 };
};

/**
 * With row-major layouts a bitcast reinterprets each example's elements in order (a reshape,
 * perhaps to another element type of the same width): batched in front, it does that per
 * example. With other layouts its meaning hangs on them.
 */
export const bitcastRule: BatchRule<'bitcast'> = (ctx, instr, args) => {
  const rowMajor = (i: Instruction) => i.shape.kind === 'array' && (i.shape.layout === undefined ||
    shapeEquals(i.shape, { ...i.shape, layout: defaultLayout(i.shape.dims.length) }));
  if (!rowMajor(instr) || !rowMajor(instr.operands[0]))
    refuse(instr, 'a bitcast between non-row-major layouts reinterprets memory; batching would change which elements it reads');
  const x = moveTo(ctx, args[0], 0);
  return { x: ctx.c.op('bitcast', [x], {}, array(dtypeOf(instr), [ctx.size, ...dimsOf(instr)])), b: 0 };
};

export const transposeRule: BatchRule<'transpose'> = (ctx, instr, args) => {
  const b = arrayBdim(args[0])!;
  const dimensions = [b, ...instr.attrs.dimensions.map((d) => shift(d, b))];
  return { x: ctx.c.op('transpose', [args[0].x], { dimensions }), b: 0 };
};

export const sliceRule: BatchRule<'slice'> = (ctx, instr, args) => {
  const b = arrayBdim(args[0])!;
  const slice = insertAt(instr.attrs.slice, b, { start: 0, limit: ctx.size, stride: 1 });
  return { x: ctx.c.op('slice', [args[0].x], { slice }), b };
};

export const reverseRule: BatchRule<'reverse'> = (ctx, instr, args) => {
  const b = arrayBdim(args[0])!;
  return { x: ctx.c.op('reverse', [args[0].x], { dimensions: instr.attrs.dimensions.map((d) => shift(d, b)) }), b };
};

export const concatenateRule: BatchRule<'concatenate'> = (ctx, instr, args) => {
  const { xs, b } = allAt(ctx, args);
  return { x: ctx.c.op('concatenate', xs, { dimensions: [shift(instr.attrs.dimensions[0], b)] }), b };
};

/**
 * A batched operand pads with no padding on its batch dim. A batched padding value (JAX
 * pads, then selects): pad with it unbatched-free, then select the padded positions, found
 * by padding a mask of trues with false, to take each example's value.
 */
export const padRule: BatchRule<'pad'> = (ctx, instr, args) => {
  const [operand, value] = args;
  const b = operand.b === null ? 0 : arrayBdim(operand)!;
  const x = moveTo(ctx, operand, b);
  const padding = insertAt(instr.attrs.padding, b, { low: 0, high: 0, interior: 0 });
  if (value.b === null) return { x: ctx.c.op('pad', [x, value.x], { padding }), b };
  const dtype = dtypeOf(instr), outDims = dimsOf(instr);
  const zero = ctx.c.constantScalar(dtype, 0);
  const padded = ctx.c.op('pad', [x, zero], { padding });
  const trues = ctx.c.broadcast(ctx.c.constantScalar('pred', true), dimsOf(instr.operands[0]));
  const mask = ctx.c.op('pad', [trues, ctx.c.constantScalar('pred', false)], { padding: instr.attrs.padding });
  const batchedMask = broadcastBatch(ctx, mask, b);
  const values = ctx.c.op('broadcast', [value.x], { dimensions: [b] }, array(dtype, insertAt(outDims, b, ctx.size)));
  return { x: ctx.c.select(batchedMask, padded, values), b };
};

export const tupleRule: BatchRule<'tuple'> = (ctx, _instr, args) => ({
  x: ctx.c.tuple(args.map((a) => a.x)),
  b: normalize(args.map((a) => a.b)),
});

export const getTupleElementRule: BatchRule<'get-tuple-element'> = (ctx, instr, args) => {
  const t = args[0];
  const k = instr.attrs.index;
  if (t.x.opcode === 'tuple') return { x: t.x.operands[k], b: elementBdim(t.b, k) };
  return { x: ctx.c.getTupleElement(t.x, k), b: elementBdim(t.b, k) };
};

/** Leaves have no operands, so they are never batched: the walk copies them as they are. */
const leaf = (ctx: RuleCtx, instr: Instruction): BVal => refuse(instr, `kiln bug: a leaf reached its batching rule (batch size ${ctx.size})`);

export const STRUCTURAL_RULES = {
  parameter: leaf, constant: leaf, iota: leaf,
  broadcast: broadcastRule,
  reshape: reshapeRule,
  bitcast: bitcastRule,
  transpose: transposeRule,
  slice: sliceRule,
  reverse: reverseRule,
  concatenate: concatenateRule,
  pad: padRule,
  tuple: tupleRule,
  'get-tuple-element': getTupleElementRule,
};
