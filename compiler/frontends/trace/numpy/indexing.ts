// Indexing: static slices, gathers (take, takeAlongAxis), flips, padding, one-hot.
import type { DType } from '../../../../runtime/core/dtype.js';
import { isFloat } from '../../../../ir/dtype.js';
import { asTensor, astype, axesOf, broadcastShapes, broadcastTo, compare, concat, iota, node, promote, reshape, scalarTensor, sliceDims, where, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';

/**
 * One dim's part of a `slice`:
 * - a number: that index (negative counts from the end); the dim is dropped;
 * - `[start, stop?, step?]`: Python's `start:stop:step` (null/undefined for an open end,
 *   negative bounds count from the end, out-of-range bounds clamp, a negative step walks backwards);
 * - `null`: the whole dim (`:`).
 */
export type SliceSpec = number | null | readonly [(number | null)?, (number | null)?, (number | null)?];

/** `x[spec0, spec1, ...]` with static specs (see SliceSpec); dims after the last spec are kept whole. */
export function slice(x: TensorLike, ...specs: SliceSpec[]): Tensor {
  let t = asTensor(x);
  if (specs.length > t.ndim) throw new Error(`kiln: slice of [${t.shape}] got ${specs.length} specs for ${t.ndim} dims`);
  const starts: number[] = [], limits: number[] = [], strides: number[] = [], reversed: number[] = [], dropped: number[] = [];
  t.shape.forEach((n, d) => {
    const [start, count, step] = sliceRange(specs[d], n, d, t.shape);
    if (typeof specs[d] === 'number') dropped.push(d);
    // A backward walk is a forward one over the reversed dim: index i is n-1-i there.
    const first = step < 0 ? n - 1 - start : start;
    if (step < 0 && count > 0) reversed.push(d);
    starts.push(count > 0 ? first : 0);
    limits.push(count > 0 ? first + (count - 1) * Math.abs(step) + 1 : 0);
    strides.push(Math.abs(step));
  });
  if (reversed.length > 0) t = node('reverse', [t], { dimensions: reversed });
  const out = sliceDims(t, starts, limits, strides);
  return dropped.length === 0 ? out : reshape(out, out.shape.filter((_, d) => !dropped.includes(d)));
}

/** [first index, count, step] of a spec over a dim of size n, as Python's slice.indices. */
function sliceRange(spec: SliceSpec | undefined, n: number, d: number, shape: readonly number[]): [number, number, number] {
  if (spec === null || spec === undefined) return [0, n, 1];
  if (typeof spec === 'number') {
    const i = spec < 0 ? spec + n : spec;
    if (!Number.isInteger(spec) || i < 0 || i >= n) throw new Error(`kiln: index ${spec} is out of range for dim ${d} of [${shape}]`);
    return [i, 1, 1];
  }
  const step = spec[2] ?? 1;
  if (!Number.isInteger(step) || step === 0) throw new Error(`kiln: slice step must be a nonzero integer, got ${step}`);
  const clampTo = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (step > 0) {
    const start = spec[0] == null ? 0 : clampTo(spec[0], 0, n);
    const stop = spec[1] == null ? n : clampTo(spec[1], 0, n);
    return [start, Math.max(0, Math.ceil((stop - start) / step)), step];
  }
  const start = spec[0] == null ? n - 1 : clampTo(spec[0], -1, n - 1);
  const stop = spec[1] == null ? -1 : clampTo(spec[1], -1, n - 1);
  return [start, Math.max(0, Math.ceil((start - stop) / -step)), step];
}

/** Reverses the order along `axis` (all dims by default). */
export function flip(x: TensorLike, axis: number | readonly number[] | null = null): Tensor {
  const t = asTensor(x);
  return node('reverse', [t], { dimensions: axesOf(axis, t.ndim) });
}

/** Integer indices as s32 with negative ones counted from the end of a dim of size n. */
function indexTensor(indices: TensorLike, n: number): Tensor {
  // A JS number is an index here, not a weak f32.
  const i = typeof indices === 'number' ? scalarTensor(indices, 's32') : asTensor(indices);
  if (isFloat(i.dtype) || i.dtype === 'pred') throw new Error(`kiln: indices must be integers, got ${i.dtype}`);
  const s = astype(i, 's32');
  return where(compare('LT', s, 0), node('add', [s, broadcastTo(scalarTensor(n, 's32'), s.shape)], {}), s);
}

/**
 * jax.numpy.take: the elements of `x` at `indices` along `axis` (of the flattened `x` when
 * null); the result has `indices`' dims in place of `axis`. Out-of-range indices clamp
 * (HLO gather's rule), where JAX's default fills with NaN.
 */
export function take(x: TensorLike, indices: TensorLike, axis: number | null = null): Tensor {
  let t = asTensor(x);
  if (axis === null) [t, axis] = [reshape(t, [t.size]), 0];
  const [a] = axesOf(axis, t.ndim);
  const idx = indexTensor(indices, t.shape[a]);
  const q = idx.ndim;
  const offsetDims = t.shape.map((_, d) => (d < a ? d : d + q - 1)).filter((_, d) => d !== a);
  return node('gather', [t, idx], {
    offset_dims: offsetDims, collapsed_slice_dims: [a], start_index_map: [a], index_vector_dim: q,
    slice_sizes: t.shape.map((n, d) => (d === a ? 1 : n)),
  });
}

/**
 * jax.numpy.take_along_axis: out[..., i, ...] = x[..., indices[..., i, ...], ...] along
 * `axis`; `indices` has x's rank and broadcasts with it in the other dims.
 */
export function takeAlongAxis(x: TensorLike, indices: TensorLike, axis: number): Tensor {
  const t = asTensor(x);
  const [a] = axesOf(axis, t.ndim);
  const raw = asTensor(indices);
  if (raw.ndim !== t.ndim) throw new Error(`kiln: takeAlongAxis indices [${raw.shape}] must have the rank of x [${t.shape}]`);
  const dims = broadcastShapes(t.shape.map((n, d) => (d === a ? 1 : n)), raw.shape.map((n, d) => (d === a ? 1 : n)));
  dims[a] = raw.shape[a];
  const idx = broadcastTo(indexTensor(raw, t.shape[a]), dims);
  // Every dim indexed: the axis by `indices`, the others by their own position (0 where x's dim is 1).
  const parts = dims.map((n, d) => reshape(d === a ? idx : t.shape[d] === 1 ? broadcastTo(scalarTensor(0, 's32'), dims) : iota('s32', dims, d), [...dims, 1]));
  const all = t.shape.map((_, d) => d);
  return node('gather', [t, concat(parts, dims.length)], {
    offset_dims: [], collapsed_slice_dims: all, start_index_map: all, index_vector_dim: dims.length, slice_sizes: all.map(() => 1),
  });
}

export type PadWidths = number | readonly [number, number] | readonly (readonly [number, number])[];
export interface PadOptions { mode?: 'constant'; constantValues?: number }

/** numpy.pad in constant mode: widths as n, [lo, hi] (every dim) or one [lo, hi] per dim. */
export function pad(x: TensorLike, widths: PadWidths, opts: PadOptions = {}): Tensor {
  const mode = opts.mode ?? 'constant';
  if (mode !== 'constant') throw new Error(`kiln: pad mode '${mode}' is not supported (only 'constant')`);
  const [t, value] = promote(x, opts.constantValues ?? 0);
  const pairs = typeof widths === 'number' ? t.shape.map(() => [widths, widths] as const)
    : typeof widths[0] === 'number' ? t.shape.map(() => widths as readonly [number, number])
    : (widths as readonly (readonly [number, number])[]);
  if (pairs.length !== t.ndim) throw new Error(`kiln: pad widths give ${pairs.length} dims for [${t.shape}]`);
  if (pairs.flat().some((w) => !Number.isInteger(w) || w < 0)) throw new Error(`kiln: pad widths must be integers ≥ 0, got ${JSON.stringify(widths)}`);
  return node('pad', [t, value], { padding: pairs.map(([low, high]) => ({ low, high, interior: 0 })) });
}

/** jax.nn.one_hot: a new last dim of size n, 1 where it equals the label (none for labels out of [0, n)). */
export function oneHot(labels: TensorLike, n: number, opts: { dtype?: DType } = {}): Tensor {
  const l = asTensor(labels);
  const dims = [...l.shape, n];
  const hit = compare('EQ', broadcastTo(reshape(l, [...l.shape, 1]), dims), iota(isFloat(l.dtype) ? l.dtype : 's32', dims, l.ndim));
  return astype(hit, opts.dtype ?? 'f32');
}
