// Joining and splitting arrays: concatenate, stack, split, tile, repeat.
import { asTensor, axesOf, broadcastTo, concat, promote, reshape, sliceDims, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';

/** Joins arrays along an existing `axis` (of the flattened arrays when null); dtypes promote. */
export function concatenate(xs: readonly TensorLike[], axis: number | null = 0): Tensor {
  if (xs.length === 0) throw new Error('kiln: concatenate needs at least one array');
  let ts = promote(...xs);
  if (axis === null) [ts, axis] = [ts.map((t) => reshape(t, [t.size])), 0];
  const first = ts[0];
  if (first.ndim === 0) throw new Error('kiln: concatenate cannot join scalars (use stack)');
  const [a] = axesOf(axis, first.ndim);
  for (const t of ts)
    if (t.ndim !== first.ndim || t.shape.some((n, d) => d !== a && n !== first.shape[d]))
      throw new Error(`kiln: concatenate along axis ${a}: shapes ${ts.map((u) => `[${u.shape}]`).join(', ')} differ outside that axis`);
  return concat(ts, a);
}

/** Joins arrays of one shape along a new `axis`. */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('kiln: stack needs at least one array');
  const ts = promote(...xs);
  const shape = ts[0].shape;
  if (ts.some((t) => t.shape.length !== shape.length || t.shape.some((n, d) => n !== shape[d])))
    throw new Error(`kiln: stack needs arrays of one shape, got ${ts.map((t) => `[${t.shape}]`).join(', ')}`);
  const [a] = axesOf(axis, shape.length + 1);
  const dims = [...shape.slice(0, a), 1, ...shape.slice(a)];
  return concat(ts.map((t) => reshape(t, dims)), a);
}

/**
 * numpy.split: `sections` equal parts (an error when the axis does not divide), or the
 * parts between the given split indices.
 */
export function split(x: TensorLike, sections: number | readonly number[], axis = 0): Tensor[] {
  const t = asTensor(x);
  const [a] = axesOf(axis, t.ndim);
  const n = t.shape[a];
  let cuts: number[];
  if (typeof sections === 'number') {
    if (sections <= 0 || n % sections !== 0) throw new Error(`kiln: split of dim ${a} of [${t.shape}] into ${sections} equal parts`);
    cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
  } else cuts = sections.map((c) => Math.min(Math.max(c < 0 ? c + n : c, 0), n));
  const bounds = [0, ...cuts, n];
  return bounds.slice(1).map((end, i) => {
    const start = Math.min(bounds[i], end);
    return sliceDims(t, t.shape.map((_, d) => (d === a ? start : 0)), t.shape.map((m, d) => (d === a ? end : m)));
  });
}

/** numpy.tile: `x` repeated reps[i] times along dim i (missing dims and reps count as 1). */
export function tile(x: TensorLike, reps: number | readonly number[]): Tensor {
  let t = asTensor(x);
  const r = typeof reps === 'number' ? [reps] : [...reps];
  const rank = Math.max(t.ndim, r.length);
  t = reshape(t, [...Array(rank - t.ndim).fill(1), ...t.shape]);
  const rs = [...Array(rank - r.length).fill(1), ...r];
  // Each dim d becomes [reps, d] by broadcasting, then one dim reps·d.
  const wide = broadcastTo(reshape(t, t.shape.flatMap((n) => [1, n])), t.shape.flatMap((n, i) => [rs[i], n]));
  return reshape(wide, t.shape.map((n, i) => n * rs[i]));
}

/** numpy.repeat with one count: each element `repeats` times along `axis` (of the flattened array when null). */
export function repeat(x: TensorLike, repeats: number, axis: number | null = null): Tensor {
  let t = asTensor(x);
  if (!Number.isInteger(repeats) || repeats < 0) throw new Error(`kiln: repeat count must be an integer ≥ 0, got ${repeats}`);
  if (axis === null) [t, axis] = [reshape(t, [t.size]), 0];
  const [a] = axesOf(axis, t.ndim);
  const s = t.shape;
  const wide = broadcastTo(reshape(t, [...s.slice(0, a + 1), 1, ...s.slice(a + 1)]), [...s.slice(0, a + 1), repeats, ...s.slice(a + 1)]);
  return reshape(wide, s.map((n, d) => (d === a ? n * repeats : n)));
}
