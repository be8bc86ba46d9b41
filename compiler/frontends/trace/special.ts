// Special functions HLO has no instruction for, as XLA's client library builds them.
import { binary, compare, unary, where } from './ops.js';
import type { Tensor } from './tensor.js';

// Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011), single precision:
// one polynomial in w = -log(1 - x²) - 2.5 for the centre, one in sqrt(w) - 3 for the
// tails. XLA's ErfInv (and so jax.lax.erf_inv on f32) uses these coefficients.
const CENTRE = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941];
const TAIL = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682];

/** c0·w^n + c1·w^(n-1) + ... + cn, by Horner's rule. */
const horner = ([c0, c1, ...rest]: readonly number[], w: Tensor): Tensor =>
  rest.reduce((p, c) => binary('add', binary('multiply', p, w), c), binary('add', binary('multiply', w, c0), c1));

/** The inverse of erf on (-1, 1) for f32 `x` (±inf at ±1). */
export function erfInv(x: Tensor): Tensor {
  const w = unary('negate', unary('log', binary('multiply', binary('subtract', 1, x), binary('add', 1, x))));
  const centre = horner(CENTRE, binary('subtract', w, 2.5));
  const tail = horner(TAIL, binary('subtract', unary('sqrt', w), 3));
  const p = where(compare('LT', w, 5), centre, tail);
  const y = binary('multiply', p, x);
  // At |x| = 1 the polynomial is finite; the inverse is ±inf.
  return where(compare('EQ', unary('abs', x), 1), binary('multiply', x, Infinity), y);
}
