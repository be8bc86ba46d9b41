// Positions of extremes: argmax and argmin.
import { isFloat } from '../../../../ir/dtype.js';
import { asTensor, axesOf, broadcastTo, compare, iota, reduce, reshape, scalarTensor, where, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { max, min, type ReduceOptions } from './reductions.js';

/** The index (s32) of the largest value along `axis` (of the flattened array when null): the first on ties, the first NaN if any, as JAX. */
export const argmax = (x: TensorLike, axis: number | null = null, opts: ReduceOptions = {}): Tensor => argExtreme(x, axis, opts, max);
/** The index (s32) of the smallest value along `axis`: the first on ties, the first NaN if any, as JAX. */
export const argmin = (x: TensorLike, axis: number | null = null, opts: ReduceOptions = {}): Tensor => argExtreme(x, axis, opts, min);

type Extreme = typeof max;

/**
 * The extreme, then the smallest index holding it. A NaN is taken as the extreme, as in
 * JAX: where a row has one, the candidates are its NaNs (x ≠ x) instead of the
 * values equal to the max, which a NaN makes meaningless.
 */
function argExtreme(x: TensorLike, axis: number | null, opts: ReduceOptions, extreme: Extreme): Tensor {
  const input = asTensor(x);
  const t = axis === null ? reshape(input, [input.size]) : input;
  const [a] = axesOf(axis ?? 0, t.ndim);
  const n = t.shape[a];
  if (n === 0) throw new Error(`kiln: arg-extreme of an empty dim (axis ${a} of [${t.shape}])`);
  let hit = compare('EQ', t, broadcastTo(extreme(t, a, { keepdims: true }), t.shape));
  if (isFloat(t.dtype)) {
    const nan = compare('NE', t, t);
    const rowHasNan = broadcastTo(reduce(nan, [a], 'or', false, true), t.shape);
    hit = where(rowHasNan, nan, hit);
  }
  const index = where(hit, iota('s32', t.shape, a), broadcastTo(scalarTensor(n, 's32'), t.shape));
  const out = reduce(index, [a], 'minimum', 2147483647, opts.keepdims === true && axis !== null);
  return opts.keepdims === true && axis === null ? reshape(out, input.shape.map(() => 1)) : out;
}
