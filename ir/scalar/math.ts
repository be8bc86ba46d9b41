// Scalar functions whose XLA meaning JavaScript's Math does not give directly: erf,
// the two round-to-integer modes, C's pow, and integer power and popcount that wrap
// like the hardware's. The kernel tables (ops.ts) are built from these.

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

/** Round half away from zero, exactly (no `x + 0.5` double rounding). */
export function roundAfz(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

/** Round half to even, keeping the sign of zero. */
export function roundEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x), d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 ? x * 0 : r; // -0.3 → -0
}

/** x^y as C's pow and XLA define it: 1^y = 1 and x^0 = 1 even for NaN. */
export function powFloat(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** Set bits of a 32-bit value. */
export const popcount32 = (v: number): number => {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
};

/** Integer power mod 2^32 by squaring; exponent taken as a non-negative number. */
export function ipow32(base: number, e: number): number {
  let acc = 1;
  base |= 0;
  while (e > 0) {
    if (e % 2 === 1) acc = Math.imul(acc, base);
    base = Math.imul(base, base);
    e = Math.floor(e / 2);
  }
  return acc;
}

/** Integer power mod 2^64 by squaring. */
export function ipow64(base: bigint, e: bigint): bigint {
  let acc = 1n;
  while (e > 0n) {
    if (e & 1n) acc = BigInt.asUintN(64, acc * base);
    base = BigInt.asUintN(64, base * base);
    e >>= 1n;
  }
  return acc;
}

