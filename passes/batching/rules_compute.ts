// dot, reductions, windows, sort and map. The batch dim becomes a dot batch dim (or a free
// dim when only one side is batched), a kept dim of a reduce, a size-1 window dim, a dim
// sort does not sort along. A window's init must be unbatched; a reduce's may not be.
import type { WindowDim } from '../../ir/attrs.js';
import type { Instruction } from '../../ir/module.js';
import type { OpAttrs } from '../../ir/opcodes.js';
import { inferShape } from '../../ir/shape_inference.js';
import { reduceBatchedInit } from './rules_reduce_init.js';
import { allAt, dimsOf, dtypeOf, insertAt, shift, withType } from './moves.js';
import { type BDim, type BVal, type BatchRule, arrayBdim, refuse } from './types.js';

const TRIVIAL_WINDOW: WindowDim = { size: 1, stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false };

/** The free (neither batch nor contracting) dims of a rank-r dot operand, in order. */
const freeDims = (r: number, used: readonly number[]): number[] => [...Array(r).keys()].filter((d) => !used.includes(d));

/**
 * Both sides batched: the batch dims pair up as a new dot batch dim, the result's dim 0.
 * One side batched: its batch dim is one more free dim, and lands where dot puts that side's
 * free dims (after the batch dims; rhs's after lhs's).
 */
export const dotRule: BatchRule<'dot'> = (ctx, instr, args) => {
  const [l, r] = args;
  const a = instr.attrs, lb = arrayBdim(l), rb = arrayBdim(r);
  const lhsBatch = a.lhs_batch_dims ?? [], rhsBatch = a.rhs_batch_dims ?? [];
  const sh = (ds: readonly number[] | undefined, b: number | null) => (ds ?? []).map((d) => (b === null ? d : shift(d, b)));
  const attrs: OpAttrs<'dot'> = {
    ...a,
    lhs_batch_dims: lb !== null && rb !== null ? [lb, ...sh(lhsBatch, lb)] : sh(lhsBatch, lb),
    rhs_batch_dims: lb !== null && rb !== null ? [rb, ...sh(rhsBatch, rb)] : sh(rhsBatch, rb),
    lhs_contracting_dims: sh(a.lhs_contracting_dims, lb),
    rhs_contracting_dims: sh(a.rhs_contracting_dims, rb),
  };
  const shape = withType(inferShape('dot', [l.x.shape, r.x.shape], attrs), dtypeOf(instr));
  const x = ctx.c.op('dot', [l.x, r.x], attrs, shape);
  const nBatch = attrs.lhs_batch_dims!.length;
  const lFree = freeDims(dimsOf(l.x).length, [...attrs.lhs_batch_dims!, ...attrs.lhs_contracting_dims!]);
  const rFree = freeDims(dimsOf(r.x).length, [...attrs.rhs_batch_dims!, ...attrs.rhs_contracting_dims!]);
  if (lb !== null && rb !== null) return { x, b: 0 };
  if (lb !== null) return { x, b: nBatch + lFree.indexOf(lb) };
  return { x, b: nBatch + lFree.length + rFree.indexOf(rb!) };
};

/** A variadic op's results: one BDim, or a tuple of the same one. */
const results = (instr: Instruction, b: number): BDim => (instr.shape.kind === 'tuple' ? instr.shape.elements.map(() => b) : b);

function unbatchedInits(instr: Instruction, inits: readonly BVal[]): void {
  if (inits.some((v) => v.b !== null))
    refuse(instr, "its init value is batched: a window's init is one scalar for all examples, and padding and dilation holes read it (JAX refuses this too)");
}

export const reduceRule: BatchRule<'reduce'> = (ctx, instr, args) => {
  const k = args.length / 2;
  if (args.slice(k).some((v) => v.b !== null)) return reduceBatchedInit(ctx, instr, args);
  const { xs, b } = allAt(ctx, args.slice(0, k));
  const dims = instr.attrs.dimensions;
  const attrs: OpAttrs<'reduce'> = { ...instr.attrs, dimensions: dims.map((d) => shift(d, b)) };
  const x = ctx.c.op('reduce', [...xs, ...args.slice(k).map((v) => v.x)], attrs);
  return { x, b: results(instr, b - dims.filter((d) => d < b).length) };
};

export const reduceWindowRule: BatchRule<'reduce-window'> = (ctx, instr, args) => {
  const k = args.length / 2;
  unbatchedInits(instr, args.slice(k));
  const { xs, b } = allAt(ctx, args.slice(0, k));
  const attrs: OpAttrs<'reduce-window'> = { ...instr.attrs, window: insertAt(instr.attrs.window ?? [], b, TRIVIAL_WINDOW) };
  return { x: ctx.c.op('reduce-window', [...xs, ...args.slice(k).map((v) => v.x)], attrs), b: results(instr, b) };
};

export const selectAndScatterRule: BatchRule<'select-and-scatter'> = (ctx, instr, args) => {
  unbatchedInits(instr, [args[2]]);
  const { xs, b } = allAt(ctx, args.slice(0, 2));
  const attrs: OpAttrs<'select-and-scatter'> = { ...instr.attrs, window: insertAt(instr.attrs.window ?? [], b, TRIVIAL_WINDOW) };
  return { x: ctx.c.op('select-and-scatter', [...xs, args[2].x], attrs), b };
};

export const sortRule: BatchRule<'sort'> = (ctx, instr, args) => {
  const { xs, b } = allAt(ctx, args);
  const attrs: OpAttrs<'sort'> = { ...instr.attrs, dimensions: instr.attrs.dimensions.map((d) => shift(d, b)) };
  return { x: ctx.c.op('sort', xs, attrs), b: results(instr, b) };
};

export const mapRule: BatchRule<'map'> = (ctx, instr, args) => {
  const { xs, b } = allAt(ctx, args);
  const attrs: OpAttrs<'map'> = { ...instr.attrs, dimensions: [...dimsOf(xs[0]).keys()] };
  return { x: ctx.c.op('map', xs, attrs), b };
};

export const COMPUTE_RULES = {
  dot: dotRule,
  reduce: reduceRule,
  'reduce-window': reduceWindowRule,
  'select-and-scatter': selectAndScatterRule,
  sort: sortRule,
  map: mapRule,
};
