// What an element is while it is computed, and how a computed element becomes a value
// of its dtype. The reference interpreter, the kernel-IR executor, constant folding in
// passes and lowering all round and wrap through these, so they agree bit for bit.
import type { DType } from '../dtype.js';
import { roundBf16, roundF16, roundTo } from '../literal.js';

/** One element: a JS number for dtypes up to 32 bits and all floats, a bigint for s64/u64. */
export type Scalar = number | bigint;

/**
 * How results of arithmetic in `dt` are rounded. f16/bf16 are computed in f32 and
 * then rounded, as XLA's CPU backend does (it upcasts them), so they round twice.
 */
export function rounder(dt: DType): (x: number) => number {
  switch (dt) {
    case 'f32': return Math.fround;
    case 'f64': return (x) => x;
    case 'f16': return (x) => roundF16(Math.fround(x));
    case 'bf16': return (x) => roundBf16(Math.fround(x));
    default: return (x) => roundTo(dt, x);
  }
}

/** Rounding or 64-bit wrapping of a computed element, by result dtype. */
export function finisher(dt: DType): (x: Scalar) => Scalar {
  if (dt === 's64') return (x) => BigInt.asIntN(64, x as bigint);
  if (dt === 'u64') return (x) => BigInt.asUintN(64, x as bigint);
  return rounder(dt) as unknown as (x: Scalar) => Scalar;
}
