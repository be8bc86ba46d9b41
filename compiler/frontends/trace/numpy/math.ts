// Elementwise math and comparisons, broadcast and promoted as jax.numpy does.
import type { DType } from '../../../../runtime/core/dtype.js';
import { isFloat } from '../../../../ir/dtype.js';
import { asTensor, astype, binary, compare, unary, where, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';

export { where };

/** Integer and pred operands of a floating function (exp, sqrt, ...) become f32 first, as in JAX. */
const floating = (x: TensorLike): Tensor => {
  const t = asTensor(x);
  return isFloat(t.dtype) ? t : astype(t, 'f32');
};
const fn = (op: Parameters<typeof unary>[0]) => (x: TensorLike): Tensor => unary(op, floating(x));

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
export const subtract = (a: TensorLike, b: TensorLike): Tensor => binary('subtract', a, b);
export const multiply = (a: TensorLike, b: TensorLike): Tensor => binary('multiply', a, b);
/** True division: integer operands divide as f32 (numpy's `/`). */
export const divide = (a: TensorLike, b: TensorLike): Tensor => binary('divide', floating(a), floating(b));
export const trueDivide = divide;
/** Integer division rounding toward -inf, as numpy's `//`. */
export function floorDivide(a: TensorLike, b: TensorLike): Tensor {
  const q = binary('divide', a, b);
  if (isFloat(q.dtype)) return unary('floor', q);
  const r = binary('remainder', a, b);
  const adjust = logicalAnd(notEqual(r, 0), notEqual(less(r, 0), less(asTensor(b), 0)));
  return where(adjust, subtract(q, 1), q);
}
export const power = (a: TensorLike, b: TensorLike): Tensor => binary('power', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
export const remainder = (a: TensorLike, b: TensorLike): Tensor => binary('remainder', a, b);
export const arctan2 = (a: TensorLike, b: TensorLike): Tensor => binary('atan2', floating(a), floating(b));

export const negative = (x: TensorLike): Tensor => unary('negate', x);
export const abs = (x: TensorLike): Tensor => unary('abs', x);
export const sign = (x: TensorLike): Tensor => unary('sign', x);
export const square = (x: TensorLike): Tensor => multiply(x, x);
export const reciprocal = (x: TensorLike): Tensor => divide(1, x);
export const exp = fn('exponential');
export const expm1 = fn('exponential-minus-one');
export const log = fn('log');
export const log1p = fn('log-plus-one');
export const sqrt = fn('sqrt');
export const rsqrt = fn('rsqrt');
export const cbrt = fn('cbrt');
export const tanh = fn('tanh');
export const sin = fn('sine');
export const cos = fn('cosine');
export const tan = fn('tan');
export const arcsin = fn('asin');
export const arccos = fn('acos');
export const arcsinh = fn('asinh');
export const arccosh = fn('acosh');
export const arctanh = fn('atanh');
export const sinh = fn('sinh');
export const cosh = fn('cosh');
export const floor = fn('floor');
export const ceil = fn('ceil');
/** Round half to even, as numpy.round with no decimals. */
export const round = fn('round-nearest-even');
export const isfinite = (x: TensorLike): Tensor => unary('is-finite', floating(x));
export const log2 = (x: TensorLike): Tensor => multiply(log(x), 1 / Math.LN2);
export const log10 = (x: TensorLike): Tensor => multiply(log(x), 1 / Math.LN10);
export const exp2 = (x: TensorLike): Tensor => exp(multiply(floating(x), Math.LN2));
export const clip = (x: TensorLike, lo: TensorLike, hi: TensorLike): Tensor => minimum(maximum(x, lo), hi);

export const equal = (a: TensorLike, b: TensorLike): Tensor => compare('EQ', a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => compare('NE', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => compare('LT', a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => compare('LE', a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare('GT', a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => compare('GE', a, b);

const asPred = (x: TensorLike): Tensor => astype(asTensor(x), 'pred');
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => binary('and', asPred(a), asPred(b));
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => binary('or', asPred(a), asPred(b));
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => binary('xor', asPred(a), asPred(b));
export const logicalNot = (x: TensorLike): Tensor => unary('not', asPred(x));

/** `x` converted to `dtype`. */
export const astypeOf = (x: TensorLike, dtype: DType): Tensor => astype(asTensor(x), dtype);
