// Activation functions and the softmax family, as jax.nn defines them.
import { isFloat } from '../../../../ir/dtype.js';
import { asTensor, astype, axesOf, reduce, unary, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { abs, add, divide, exp, log, log1p, maximum, minimum, multiply, subtract, tanh } from '../numpy/math.js';

/** Integer inputs of a floating activation become f32, as in JAX. */
const floating = (x: TensorLike): Tensor => {
  const t = asTensor(x);
  return isFloat(t.dtype) ? t : astype(t, 'f32');
};

export const relu = (x: TensorLike): Tensor => maximum(x, 0);
export const relu6 = (x: TensorLike): Tensor => minimum(maximum(x, 0), 6);
export const sigmoid = (x: TensorLike): Tensor => unary('logistic', floating(x));
/** log(1 + e^x) as max(x, 0) + log1p(e^-|x|), which neither overflows nor loses small values. */
export const softplus = (x: TensorLike): Tensor => add(maximum(x, 0), log1p(exp(multiply(abs(x), -1))));
export const silu = (x: TensorLike): Tensor => multiply(x, sigmoid(x));
export const swish = silu;

/**
 * GELU. `approximate` (JAX's default, true): the tanh form
 * x/2·(1 + tanh(√(2/π)(x + 0.044715x³))); false: the exact x/2·(1 + erf(x/√2)).
 */
export function gelu(x: TensorLike, opts: { approximate?: boolean } = {}): Tensor {
  const t = floating(x);
  const inner = opts.approximate === false
    ? unary('erf', multiply(t, Math.SQRT1_2))
    : tanh(multiply(add(t, multiply(multiply(multiply(t, t), t), 0.044715)), Math.sqrt(2 / Math.PI)));
  return multiply(multiply(t, 0.5), add(inner, 1));
}

/** x minus its max along `axis` (kept as a size-1 dim), so exp cannot overflow. */
function shifted(x: TensorLike, axis: number | readonly number[]): { t: Tensor; axes: number[] } {
  const t = floating(x);
  const axes = axesOf(axis, t.ndim);
  return { t: subtract(t, reduce(t, axes, 'maximum', -Infinity, true)), axes };
}

/** exp(x) / sum(exp(x)) along `axis`, computed from x - max(x). */
export function softmax(x: TensorLike, axis: number | readonly number[] = -1): Tensor {
  const { t, axes } = shifted(x, axis);
  const e = exp(t);
  return divide(e, reduce(e, axes, 'add', 0, true));
}

/** x - logsumexp(x) along `axis`, computed from x - max(x). */
export function logSoftmax(x: TensorLike, axis: number | readonly number[] = -1): Tensor {
  const { t, axes } = shifted(x, axis);
  return subtract(t, log(reduce(exp(t), axes, 'add', 0, true)));
}
