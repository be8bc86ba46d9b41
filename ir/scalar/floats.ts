// Float formats at the bit level: IEEE half (f16) bits, and the sign bit and IEEE
// totalOrder of a double (which see NaN signs that JavaScript's operators hide).

const view = new DataView(new ArrayBuffer(8));

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
