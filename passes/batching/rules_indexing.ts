// Ops that read or write at computed positions. Unbatched positions keep the op (the batch
// dim is sliced whole, from 0); batched positions become a gather or a scatter whose
// batching dims pair each example's operand with its own indices (as JAX does).
import type { DType } from '../../ir/dtype.js';
import type { Instruction } from '../../ir/module.js';
import type { OpAttrs } from '../../ir/opcodes.js';
import { scalar } from '../../ir/shape.js';
import { allAt, dimsOf, dtypeOf, insertAt, moveTo } from './moves.js';
import { type BVal, type BatchRule, type RuleCtx, arrayBdim } from './types.js';

const plus1 = (ds: readonly number[] | undefined): number[] => (ds ?? []).map((d) => d + 1);
const upTo = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);

/** Scalar start indices as one [size, r] index array, each example's vector in a row (r >= 1). */
function indexMatrix(ctx: RuleCtx, starts: readonly BVal[], adjust?: (x: Instruction, k: number) => Instruction): Instruction {
  const cols = starts.map((s, k) => {
    const v = moveTo(ctx, s, 0);
    return ctx.c.reshape(adjust ? adjust(v, k) : v, [ctx.size, 1]);
  });
  return cols.length === 1 ? cols[0] : ctx.c.concatenate(cols, 1);
}

/**
 * The start indices as scalars. Old dumps give them as one rank-1 vector operand; it is split
 * (an unbatched one into scalars, a batched one into one [size] vector per component).
 */
function startScalars(ctx: RuleCtx, starts: readonly BVal[], original: readonly Instruction[]): readonly BVal[] {
  if (original.length !== 1 || dimsOf(original[0]).length !== 1) return starts;
  const r = dimsOf(original[0])[0];
  const v = starts[0];
  const batched = v.b !== null;
  const x = batched ? moveTo(ctx, v, 0) : v.x;
  const n = batched ? [ctx.size] : [];
  return Array.from({ length: r }, (_, k) => {
    const part = ctx.c.slice(x, [...n.map(() => 0), k], [...n, k + 1]);
    return { x: ctx.c.reshape(part, n), b: batched ? 0 : null };
  });
}

export const dynamicSliceRule: BatchRule<'dynamic-slice'> = (ctx, instr, args) => {
  const operand = args[0];
  const starts = startScalars(ctx, args.slice(1), instr.operands.slice(1));
  const sizes = instr.attrs.dynamic_slice_sizes;
  if (starts.every((s) => s.b === null)) {
    const b = arrayBdim(operand)!;
    const zero = ctx.c.constantScalar(starts.length > 0 ? dtypeOf(starts[0].x) : 's32', 0);
    const xs = insertAt(starts.map((s) => s.x), b, zero);
    return { x: ctx.c.dynamicSlice(operand.x, xs, insertAt(sizes, b, ctx.size)), b };
  }
  const indices = indexMatrix(ctx, starts);
  const r = sizes.length;
  const common = { offset_dims: upTo(r, 1), collapsed_slice_dims: [], index_vector_dim: 1 };
  if (operand.b === null) {
    const attrs: OpAttrs<'gather'> = { ...common, start_index_map: upTo(r), slice_sizes: [...sizes] };
    return { x: ctx.c.op('gather', [operand.x, indices], attrs), b: 0 };
  }
  const attrs: OpAttrs<'gather'> = {
    ...common, start_index_map: upTo(r, 1), operand_batching_dims: [0], start_indices_batching_dims: [0], slice_sizes: [1, ...sizes],
  };
  return { x: ctx.c.op('gather', [moveTo(ctx, operand, 0), indices], attrs), b: 0 };
};

/** The scatter combiner that keeps the update: dynamic-update-slice's overwrite. */
function overwrite(ctx: RuleCtx, dtype: DType) {
  return ctx.computation(`overwrite_${dtype}`, [scalar(dtype), scalar(dtype)], (_scope, p) => p[1]);
}

/**
 * Unbatched starts write the same window in every example. Batched ones scatter; the starts
 * are clamped first, since dynamic-update-slice moves a window that does not fit and
 * scatter would drop it.
 */
export const dynamicUpdateSliceRule: BatchRule<'dynamic-update-slice'> = (ctx, instr, args) => {
  const [operand, update] = args;
  const starts = startScalars(ctx, args.slice(2), instr.operands.slice(2));
  if (starts.every((s) => s.b === null)) {
    const { xs: [o, u], b } = allAt(ctx, [operand, update]);
    const zero = ctx.c.constantScalar(starts.length > 0 ? dtypeOf(starts[0].x) : 's32', 0);
    return { x: ctx.c.dynamicUpdateSlice(o, u, insertAt(starts.map((s) => s.x), b, zero)), b };
  }
  const opDims = dimsOf(instr.operands[0]), upDims = dimsOf(instr.operands[1]);
  const indices = indexMatrix(ctx, starts, (v, k) => {
    const t = dtypeOf(v);
    return ctx.c.clamp(ctx.c.constantScalar(t, 0), v, ctx.c.constantScalar(t, opDims[k] - upDims[k]));
  });
  const r = opDims.length;
  const attrs: OpAttrs<'scatter'> = {
    update_window_dims: upTo(r, 1), inserted_window_dims: [], scatter_dims_to_operand_dims: upTo(r, 1),
    input_batching_dims: [0], scatter_indices_batching_dims: [0], index_vector_dim: 1,
    indices_are_sorted: true, unique_indices: true, to_apply: overwrite(ctx, dtypeOf(instr)),
  };
  return { x: ctx.c.op('scatter', [moveTo(ctx, operand, 0), indices, moveTo(ctx, update, 0)], attrs), b: 0 };
};

export const gatherRule: BatchRule<'gather'> = (ctx, instr, args) => {
  const [operand, indices] = args;
  const a = instr.attrs;
  if (indices.b === null) {
    const attrs: OpAttrs<'gather'> = {
      ...a, offset_dims: [0, ...plus1(a.offset_dims)], collapsed_slice_dims: plus1(a.collapsed_slice_dims),
      start_index_map: plus1(a.start_index_map), operand_batching_dims: plus1(a.operand_batching_dims), slice_sizes: [ctx.size, ...a.slice_sizes],
    };
    return { x: ctx.c.op('gather', [moveTo(ctx, operand, 0), indices.x], attrs), b: 0 };
  }
  const i = moveTo(ctx, indices, 0);
  const shifted = { ...a, offset_dims: plus1(a.offset_dims), index_vector_dim: a.index_vector_dim + 1 };
  if (operand.b === null) {
    const attrs: OpAttrs<'gather'> = { ...shifted, start_indices_batching_dims: plus1(a.start_indices_batching_dims) };
    return { x: ctx.c.op('gather', [operand.x, i], attrs), b: 0 };
  }
  const attrs: OpAttrs<'gather'> = {
    ...shifted, collapsed_slice_dims: plus1(a.collapsed_slice_dims), start_index_map: plus1(a.start_index_map),
    operand_batching_dims: [0, ...plus1(a.operand_batching_dims)], start_indices_batching_dims: [0, ...plus1(a.start_indices_batching_dims)],
    slice_sizes: [1, ...a.slice_sizes],
  };
  return { x: ctx.c.op('gather', [moveTo(ctx, operand, 0), i], attrs), b: 0 };
};

/** The result of every operand is batched: each example scatters into its own copy. */
export const scatterRule: BatchRule<'scatter'> = (ctx, instr, args) => {
  const k = (args.length - 1) / 2;
  const operands = args.slice(0, k).map((v) => moveTo(ctx, v, 0));
  const updates = args.slice(k + 1).map((v) => moveTo(ctx, v, 0));
  const indices = args[k], a = instr.attrs;
  const shifted = { ...a, inserted_window_dims: plus1(a.inserted_window_dims), scatter_dims_to_operand_dims: plus1(a.scatter_dims_to_operand_dims) };
  const attrs: OpAttrs<'scatter'> = indices.b === null
    ? { ...shifted, update_window_dims: [0, ...plus1(a.update_window_dims)], input_batching_dims: plus1(a.input_batching_dims) }
    : {
      ...shifted, update_window_dims: plus1(a.update_window_dims), index_vector_dim: a.index_vector_dim + 1,
      input_batching_dims: [0, ...plus1(a.input_batching_dims)], scatter_indices_batching_dims: [0, ...plus1(a.scatter_indices_batching_dims)],
    };
  const i = indices.b === null ? indices.x : moveTo(ctx, indices, 0);
  const x = ctx.c.op('scatter', [...operands, i, ...updates], attrs);
  return { x, b: k === 1 ? 0 : operands.map(() => 0) };
};

export const INDEXING_RULES = {
  'dynamic-slice': dynamicSliceRule,
  'dynamic-update-slice': dynamicUpdateSliceRule,
  gather: gatherRule,
  scatter: scatterRule,
};
