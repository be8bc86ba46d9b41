// Spread and running totals: var, std, cumsum, cumprod.
import { isFloat } from '../../../../ir/dtype.js';
import type { DType } from '../../../../runtime/core/dtype.js';
import { asTensor, astype, axesOf, binary, reduceWindow, reshape, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { sqrt, square, subtract } from './math.js';
import { mean, sum, type Axis } from './reductions.js';

export interface VarOptions {
  /** Divide by n - ddof (default 0: the population variance, as numpy). */
  ddof?: number;
  keepdims?: boolean;
}

/** The variance over `axis` (all by default): mean squared distance from the mean, · n/(n - ddof). */
export function variance(x: TensorLike, axis: Axis = null, opts: VarOptions = {}): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = astype(t, 'f32');
  const axes = axesOf(axis, t.ndim);
  const n = axes.reduce((a, i) => a * t.shape[i], 1);
  const squares = sum(square(subtract(t, mean(t, axes, { keepdims: true }))), axes, { keepdims: opts.keepdims });
  return binary('divide', squares, n - (opts.ddof ?? 0));
}

/** numpy.var (`var` is a reserved word in JS, so also exported as `variance`). */
export { variance as var };

export const std = (x: TensorLike, axis: Axis = null, opts: VarOptions = {}): Tensor => sqrt(variance(x, axis, opts));

export interface CumulativeOptions { dtype?: DType }

/** Running sums along `axis` (of the flattened array when null); pred and narrow ints sum as s32/u32 as numpy. */
export const cumsum = (x: TensorLike, axis: number | null = null, opts: CumulativeOptions = {}): Tensor => cumulative(x, axis, opts, 'add', 0);
/** Running products along `axis`. */
export const cumprod = (x: TensorLike, axis: number | null = null, opts: CumulativeOptions = {}): Tensor => cumulative(x, axis, opts, 'multiply', 1);

/**
 * A reduce-window whose window spans the whole axis, padded by n-1 before it: output i
 * reduces elements 0..i. XLA turns such windows into a scan where that pays off.
 */
function cumulative(x: TensorLike, axis: number | null, opts: CumulativeOptions, kind: 'add' | 'multiply', init: number): Tensor {
  let t = asTensor(x);
  if (axis === null) [t, axis] = [reshape(t, [t.size]), 0];
  const widened = opts.dtype ?? (t.dtype === 'pred' || t.dtype === 's8' || t.dtype === 's16' ? 's32' : t.dtype === 'u8' || t.dtype === 'u16' ? 'u32' : t.dtype);
  t = astype(t, widened);
  const [a] = axesOf(axis, t.ndim);
  const n = t.shape[a];
  if (n === 0) return t;
  return reduceWindow(t, t.shape.map((_, d) => (d === a ? { size: n, padLow: n - 1 } : {})), kind, init);
}
