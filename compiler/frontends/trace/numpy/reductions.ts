// Reductions over axes (all by default), with numpy's keepdims.
import { isFloat } from '../../../../ir/dtype.js';
import { asTensor, astype, axesOf, binary, reduce, reshape, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { exp, isfinite, log, subtract, where } from './math.js';

export type Axis = number | readonly number[] | null;
export interface ReduceOptions { keepdims?: boolean }

/** Sums promote pred and narrow ints to s32 as jax.numpy.sum does. */
const summable = (t: Tensor): Tensor => (t.dtype === 'pred' || t.dtype === 's8' || t.dtype === 's16' ? astype(t, 's32') : t.dtype === 'u8' || t.dtype === 'u16' ? astype(t, 'u32') : t);

export function sum(x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor {
  const t = summable(asTensor(x));
  return reduce(t, axesOf(axis, t.ndim), 'add', 0, opts.keepdims);
}

export function prod(x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor {
  const t = summable(asTensor(x));
  return reduce(t, axesOf(axis, t.ndim), 'multiply', 1, opts.keepdims);
}

export function mean(x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = astype(t, 'f32');
  const axes = axesOf(axis, t.ndim);
  const n = axes.reduce((a, i) => a * t.shape[i], 1);
  return binary('divide', sum(t, axes, opts), n);
}

export function max(x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor {
  const t = asTensor(x);
  return reduce(t, axesOf(axis, t.ndim), t.dtype === 'pred' ? 'or' : 'maximum', lowest(t), opts.keepdims);
}

export function min(x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor {
  const t = asTensor(x);
  return reduce(t, axesOf(axis, t.ndim), t.dtype === 'pred' ? 'and' : 'minimum', highest(t), opts.keepdims);
}

export const all = (x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor => min(astype(asTensor(x), 'pred'), axis, opts);
export const any = (x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor => max(astype(asTensor(x), 'pred'), axis, opts);

/** log(sum(exp(x))) computed stably: the max is subtracted first. */
export function logsumexp(x: TensorLike, axis: Axis = null, opts: ReduceOptions = {}): Tensor {
  const t = asTensor(x);
  const axes = axesOf(axis, t.ndim);
  // A row of -inf would give inf - inf: its max is taken as 0 instead (the sum is then 0, the log -inf).
  // The max cancels in the value, and in the gradient too (its two terms are equal and opposite).
  const top = max(t, axes, { keepdims: true });
  const m = where(isfinite(top), top, 0);
  const s = binary('add', log(sum(exp(subtract(t, m)), axes, { keepdims: true })), m);
  return opts.keepdims ? s : reshape(s, t.shape.filter((_, i) => !axes.includes(i)));
}

/** The identity of a max reduction over `t`: its dtype's lowest value (-inf for floats). */
export function lowest(t: Tensor): number | bigint | boolean {
  if (t.dtype === 'pred') return false;
  if (isFloat(t.dtype)) return -Infinity;
  return INT_RANGE[t.dtype][0];
}

function highest(t: Tensor): number | bigint | boolean {
  if (t.dtype === 'pred') return true;
  if (isFloat(t.dtype)) return Infinity;
  return INT_RANGE[t.dtype][1];
}

const INT_RANGE: Record<string, [number | bigint, number | bigint]> = {
  s8: [-128, 127], s16: [-32768, 32767], s32: [-2147483648, 2147483647], s64: [-(2n ** 63n), 2n ** 63n - 1n],
  u8: [0, 255], u16: [0, 65535], u32: [0, 4294967295], u64: [0n, 2n ** 64n - 1n],
};
