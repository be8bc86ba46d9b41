// XLA's convert between element types, one value at a time: float → int truncates and
// saturates (NaN → 0), ints wrap, and every conversion rounds once (a bigint beyond
// 2^53 goes to a narrow float directly, not through a double). And reduce-precision,
// which narrows a float's exponent and mantissa without changing its type.
import { DTYPES, isFloat, type DType } from '../dtype.js';
import { roundTo } from '../literal.js';
import { readElement, writeElement } from './elements.js';
import type { Scalar } from './value.js';

const TWO63 = 2 ** 63, TWO64 = 2 ** 64;

function intRange(dt: DType): [number, number] {
  const bits = DTYPES[dt].bits;
  return DTYPES[dt].cls === 'signed' ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

/** A bigint as the nearest value of float dtype `to`, rounded once (not via double). */
export function bigToFloat(v: bigint, to: DType): number {
  if (to === 'f64') return Number(v);
  const neg = v < 0n;
  let a = neg ? -v : v;
  const len = a.toString(2).length;
  let scale = 1;
  if (len > 53) {
    // Round to odd at 53 bits, so the final rounding to a narrower float is exact.
    const shift = BigInt(len - 53);
    const hi = a >> shift;
    a = (hi << shift) !== a ? hi | 1n : hi;
    scale = 2 ** (len - 53);
  }
  const n = Number(a) * scale;
  return roundTo(to, neg ? -n : n);
}

/** XLA's convert: float→int truncates toward zero and saturates (NaN → 0); ints wrap. */
export function convertValue(v: Scalar, from: DType, to: DType): Scalar {
  const fromCls = DTYPES[from].cls;
  if (to === 'pred') return typeof v === 'bigint' ? (v !== 0n ? 1 : 0) : v !== 0 ? 1 : 0; // NaN → true
  if (to === 's64' || to === 'u64') {
    const wrap = (b: bigint): bigint => (to === 's64' ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b));
    if (typeof v === 'bigint') return wrap(v);
    if (fromCls !== 'float') return wrap(BigInt(v));
    if (Number.isNaN(v)) return 0n;
    if (to === 's64') {
      if (v >= TWO63) return (1n << 63n) - 1n;
      if (v <= -TWO63) return -(1n << 63n);
    } else {
      if (v <= 0) return 0n;
      if (v >= TWO64) return (1n << 64n) - 1n;
    }
    return BigInt(Math.trunc(v));
  }
  if (isFloat(to)) return typeof v === 'bigint' ? bigToFloat(v, to) : roundTo(to, v);
  // Narrow integer target.
  if (typeof v === 'bigint') return roundTo(to, Number(BigInt.asIntN(32, v)));
  if (fromCls === 'float') {
    if (Number.isNaN(v)) return 0;
    const [lo, hi] = intRange(to);
    return v <= lo ? lo : v >= hi ? hi : Math.trunc(v) || 0;
  }
  return roundTo(to, v);
}

/** Float layout (exponent bits, mantissa bits) of a computable float dtype. */
export function floatLayout(dt: DType): [number, number] {
  switch (dt) {
    case 'f16': return [5, 10];
    case 'bf16': return [8, 7];
    case 'f32': return [8, 23];
    case 'f64': return [11, 52];
    default: throw new Error(`${dt} is not a float type`);
  }
}

/** XLA's reduce-precision on the bits of `dt`: round mantissa to nearest even, clamp exponent range. */
export function reducePrecision(x: number, dt: DType, expBits: number, mantBits: number): number {
  if (Number.isNaN(x)) return mantBits > 0 ? x : Infinity;
  const [srcExp, srcMant] = floatLayout(dt);
  const nbits = BigInt(1 + srcExp + srcMant);
  const dv = new DataView(new ArrayBuffer(8));
  writeElement(dv, 0, dt, x);
  let v = dt === 'f64' ? dv.getBigUint64(0, true) : BigInt(dt === 'f32' ? dv.getUint32(0, true) : dv.getUint16(0, true));
  const mask = (1n << nbits) - 1n;
  if (mantBits < srcMant) {
    const drop = BigInt(srcMant - mantBits);
    const lastBit = 1n << drop;
    const bias = (lastBit >> 1n) - 1n + ((v & lastBit) >> drop);
    v = ((v + bias) & ~(lastBit - 1n)) & mask;
  }
  if (expBits < srcExp) {
    const signMask = 1n << (nbits - 1n);
    const expMask = ((1n << BigInt(srcExp)) - 1n) << BigInt(srcMant);
    const expBias = (1n << BigInt(srcExp - 1)) - 1n;
    const redBias = (1n << BigInt(expBits - 1)) - 1n;
    const e = v & expMask;
    const signedZero = v & signMask;
    if (e > (expBias + redBias) << BigInt(srcMant)) v = signedZero | expMask;
    else if (e <= (expBias - redBias) << BigInt(srcMant)) v = signedZero;
  }
  if (dt === 'f64') dv.setBigUint64(0, v, true);
  else if (dt === 'f32') dv.setUint32(0, Number(v), true);
  else dv.setUint16(0, Number(v), true);
  return Number(readElement(dv, 0, dt));
}
