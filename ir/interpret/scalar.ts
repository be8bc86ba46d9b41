// Scalar facts the kernels need: float bit patterns, erf, IEEE total order, and
// conversion between element types with XLA's rules.
import { DTYPES, isFloat, type DType } from '../dtype.js';
import { roundTo, type ArrayLiteral } from '../literal.js';
import type { Scalar } from './util.js';

const buf = new ArrayBuffer(8);
const view = new DataView(buf);

/** IEEE half bits of a value that is exactly representable as f16. */
export function f16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | Math.round(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}

export function f16FromBits(b: number): number {
  const sign = b & 0x8000 ? -1 : 1;
  const e = (b >> 10) & 0x1f, m = b & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** Little-endian bytes of one element, as a device would store it. */
export function writeElement(dv: DataView, off: number, dt: DType, v: Scalar): void {
  switch (dt) {
    case 'pred': case 'u8': dv.setUint8(off, Number(v)); return;
    case 's8': dv.setInt8(off, Number(v)); return;
    case 's16': dv.setInt16(off, Number(v), true); return;
    case 'u16': dv.setUint16(off, Number(v), true); return;
    case 's32': dv.setInt32(off, Number(v), true); return;
    case 'u32': dv.setUint32(off, Number(v), true); return;
    case 's64': dv.setBigInt64(off, BigInt(v), true); return;
    case 'u64': dv.setBigUint64(off, BigInt(v), true); return;
    case 'f16': dv.setUint16(off, f16Bits(Number(v)), true); return;
    case 'bf16': view.setFloat32(0, Number(v), true); dv.setUint16(off, view.getUint16(2, true), true); return;
    case 'f32': dv.setFloat32(off, Number(v), true); return;
    case 'f64': dv.setFloat64(off, Number(v), true); return;
    default: throw new Error(`no byte layout for ${dt}`);
  }
}

/** Little-endian bytes of a whole array literal, as devices and kernels store it. */
export function literalBytes(l: ArrayLiteral): Uint8Array {
  const size = Math.ceil(DTYPES[l.shape.dtype].bits / 8);
  const out = new Uint8Array(l.data.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < l.data.length; i++) writeElement(dv, i * size, l.shape.dtype, l.data[i]);
  return out;
}

export function readElement(dv: DataView, off: number, dt: DType): Scalar {
  switch (dt) {
    case 'pred': return dv.getUint8(off) !== 0 ? 1 : 0;
    case 'u8': return dv.getUint8(off);
    case 's8': return dv.getInt8(off);
    case 's16': return dv.getInt16(off, true);
    case 'u16': return dv.getUint16(off, true);
    case 's32': return dv.getInt32(off, true);
    case 'u32': return dv.getUint32(off, true);
    case 's64': return dv.getBigInt64(off, true);
    case 'u64': return dv.getBigUint64(off, true);
    case 'f16': return f16FromBits(dv.getUint16(off, true));
    case 'bf16': view.setUint32(0, dv.getUint16(off, true) << 16, true); return view.getFloat32(0, true);
    case 'f32': return dv.getFloat32(off, true);
    case 'f64': return dv.getFloat64(off, true);
    default: throw new Error(`no byte layout for ${dt}`);
  }
}

/** Sign bit of a double, NaNs included. */
export function signBit(x: number): boolean {
  view.setFloat64(0, x);
  return (view.getUint8(0) & 0x80) !== 0;
}

/** IEEE totalOrder: -NaN < -Inf < ... < -0 < +0 < ... < +Inf < +NaN. Returns <0, 0, >0. */
export function totalCompare(a: number, b: number): number {
  const ka = Number.isNaN(a) ? (signBit(a) ? -2 : 2) : 0;
  const kb = Number.isNaN(b) ? (signBit(b) ? -2 : 2) : 0;
  if (ka !== kb || ka !== 0) return ka - kb;
  if (a !== b) return a < b ? -1 : 1;
  if (a === 0) return (signBit(a) ? -1 : 0) - (signBit(b) ? -1 : 0);
  return 0;
}

/**
 * erf to double accuracy: for |x| < 2.5 the series 2/√π e^{-x²} Σ (2x²)^n x / (2n+1)!!
 * (all terms positive, so no cancellation); above, 1 - erfc by its continued fraction.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 2.5) {
    const x2 = 2 * a * a;
    let term = a, sum = a;
    for (let n = 1; n < 300; n++) {
      term *= x2 / (2 * n + 1);
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
  } else if (a < 6) {
    // erfc(a) = e^{-a²}/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated bottom-up.
    let f = a;
    for (let k = 120; k >= 1; k--) f = a + k / 2 / f;
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  } else {
    r = 1;
  }
  return x < 0 ? -r : r;
}

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
