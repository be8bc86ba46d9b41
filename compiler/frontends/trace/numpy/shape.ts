// Reshaping and reordering dims.
import { asTensor, axesOf, broadcastTo as broadcast, node, reshape as reshapeTo, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';

/** Reshape; one dim may be -1 (inferred). */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = asTensor(x);
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1 || (holes === 1 && (known === 0 || t.size % known !== 0)) || (holes === 0 && known !== t.size))
    throw new Error(`kiln: cannot reshape [${t.shape}] (${t.size} elements) to [${shape}]`);
  return reshapeTo(t, shape.map((d) => (d === -1 ? t.size / known : d)));
}

/** Permutes dims (reverses them by default): result dim i is `x`'s dim axes[i]. */
export function transpose(x: TensorLike, axes?: readonly number[]): Tensor {
  const t = asTensor(x);
  const perm = axes ? axesOf(axes, t.ndim) : t.shape.map((_, i) => t.ndim - 1 - i);
  if (perm.length !== t.ndim || new Set(perm).size !== t.ndim) throw new Error(`kiln: transpose axes [${axes}] are no permutation of ${t.ndim} dims`);
  if (perm.every((p, i) => p === i)) return t;
  return node('transpose', [t], { dimensions: perm });
}

export function swapaxes(x: TensorLike, a: number, b: number): Tensor {
  const t = asTensor(x);
  const [i, j] = axesOf([a, b], t.ndim);
  const perm = t.shape.map((_, k) => (k === i ? j : k === j ? i : k));
  return transpose(t, perm);
}

export function moveaxis(x: TensorLike, source: number, destination: number): Tensor {
  const t = asTensor(x);
  const [s, d] = axesOf([source, destination], t.ndim);
  const perm = t.shape.map((_, k) => k).filter((k) => k !== s);
  perm.splice(d, 0, s);
  return transpose(t, perm);
}

export function expandDims(x: TensorLike, axis: number): Tensor {
  const t = asTensor(x);
  const [a] = axesOf(axis, t.ndim + 1);
  const dims = [...t.shape];
  dims.splice(a, 0, 1);
  return reshapeTo(t, dims);
}

export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = asTensor(x);
  const axes = axis === undefined ? t.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : axesOf(axis, t.ndim);
  for (const a of axes) if (t.shape[a] !== 1) throw new Error(`kiln: cannot squeeze axis ${a} of [${t.shape}]: it is not 1`);
  return reshapeTo(t, t.shape.filter((_, i) => !axes.includes(i)));
}

export const ravel = (x: TensorLike): Tensor => reshape(x, [-1]);
export const broadcastTo = (x: TensorLike, shape: readonly number[]): Tensor => broadcast(asTensor(x), shape);
