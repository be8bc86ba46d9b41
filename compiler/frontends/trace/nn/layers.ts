// Layers and losses built from the array API: dense, layer norm, cross-entropy.
import { isFloat } from '../../../../ir/dtype.js';
import { asTensor, astype, axesOf, reshape, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { add, multiply, rsqrt, square, subtract } from '../numpy/math.js';
import { matmul } from '../numpy/linalg.js';
import { logsumexp, mean } from '../numpy/reductions.js';
import { takeAlongAxis } from '../numpy/indexing.js';

/** x·w (+ b): `w` is [in, out] (flax's Dense kernel), `x` is [..., in]. */
export function dense(x: TensorLike, w: TensorLike, b?: TensorLike): Tensor {
  const xt = asTensor(x), wt = asTensor(w);
  if (wt.ndim !== 2 || xt.ndim < 1 || xt.shape[xt.ndim - 1] !== wt.shape[0])
    throw new Error(`kiln: dense of x [${xt.shape}] with w [${wt.shape}]: w must be [in, out] with in = x's last dim`);
  const y = matmul(xt, wt);
  return b === undefined ? y : add(y, b);
}

export interface LayerNormOptions {
  /** The normalised axes (default the last). */
  axis?: number | readonly number[];
  /** Default 1e-6 (flax's LayerNorm; PyTorch's is 1e-5). */
  eps?: number;
}

/** (x - mean) / sqrt(var + eps) over `axis`, then · gamma + beta (each broadcast, each optional). */
export function layerNorm(x: TensorLike, gamma?: TensorLike, beta?: TensorLike, opts: LayerNormOptions = {}): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = astype(t, 'f32');
  const axes = axesOf(opts.axis ?? -1, t.ndim);
  const centred = subtract(t, mean(t, axes, { keepdims: true }));
  const variance = mean(square(centred), axes, { keepdims: true });
  let y = multiply(centred, rsqrt(add(variance, opts.eps ?? 1e-6)));
  if (gamma !== undefined) y = multiply(y, gamma);
  return beta === undefined ? y : add(y, beta);
}

/**
 * Cross-entropy of `logits` [..., classes] against integer `labels` [...], averaged over
 * every label: mean(logsumexp(logits) - logits[label]) (optax's
 * softmax_cross_entropy_with_integer_labels, then the mean).
 */
export function softmaxCrossEntropy(logits: TensorLike, labels: TensorLike): Tensor {
  const z = asTensor(logits), l = asTensor(labels);
  if (z.ndim !== l.ndim + 1 || l.shape.some((n, i) => n !== z.shape[i]))
    throw new Error(`kiln: softmaxCrossEntropy takes logits [..., classes] and labels [...]: got logits [${z.shape}] and labels [${l.shape}]`);
  const picked = reshape(takeAlongAxis(z, reshape(l, [...l.shape, 1]), -1), l.shape);
  return mean(subtract(logsumexp(z, -1), picked));
}
