// sin, cos and tan of f64 values, to f64 accuracy for every argument (1e300 included).
//
// Argument reduction is exact in effect (Payne–Hanek, done with exact products): x splits
// into a 26-bit and a 27-bit part, 2/π into 24-bit pieces, so each part × piece is an
// exact double (pieces beyond 2^-500 are scaled up, and x down, to stay normal); subtracting its nearest multiple of 4 (whole turns) is exact too, and the
// fractions of a turn add up in double-double. 48 pieces (1152 bits of 2/π) leave an error
// below 2^-128 of a quarter turn even for the largest double, while the closest a double
// comes to a multiple of π/2 is about 2^-61 relative. 2/π itself is computed here once, with
// BigInt, from Machin's formula for π: no table of digits to mistype.
//
// The kernels on r ∈ [−π/4, π/4] (as r_h + r_l) are Taylor polynomials, with fdlibm's way
// of keeping 1 − r²/2 exact in cos. Scalar only, branch-free, over num.ts's `Num` builder.
import binaryen from 'binaryen';
import { Local, type Lib, type X } from './lib.js';
import { helperSite, Num } from './num.js';

const PIECES = 48;
const SCALE = 512;
const scaled = (i: number): boolean => 24 * (i + 1) > 500;

/** 2/π in 24-bit pieces: TWO_OVER_PI[i] = bits 24i+1 … 24i+24 after the binary point, scaled. */
const TWO_OVER_PI: readonly number[] = (() => {
  const bits = PIECES * 24 + 64;
  const one = 1n << BigInt(bits + 64);
  // atan(1/m) = Σ (−1)^k / ((2k+1) m^(2k+1)), in fixed point with 64 guard bits.
  const atanInv = (m: bigint): bigint => {
    let sum = 0n, power = one / m, k = 0n;
    while (power !== 0n) {
      sum += (k % 2n === 0n ? 1n : -1n) * (power / (2n * k + 1n));
      power /= m * m;
      k++;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n); // π · 2^(bits+64)
  const twoOverPi = (2n * one * (1n << BigInt(bits))) / pi; // 2/π · 2^bits
  // Pieces past 2^-500 would be subnormal doubles (inexact): they are kept scaled by 2^SCALE,
  // and multiply x scaled by 2^-SCALE instead (both exact).
  return Array.from({ length: PIECES }, (_, i) =>
    Number((twoOverPi >> BigInt(bits - 24 * (i + 1))) & 0xffffffn) * 2 ** (-24 * (i + 1) + (scaled(i) ? SCALE : 0)));
})();

const PIO2_HI = Math.PI / 2;
/** π/2 − PIO2_HI. */
const PIO2_LO = 6.123233995736766e-17;
const PIO4 = Math.PI / 4;

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
/** (sin r − r)/r³ in r²: Σ (−1)^(k+1) r^(2k)/(2k+3)!. */
const SIN_P = Array.from({ length: 10 }, (_, k) => (k % 2 ? 1 : -1) / factorial(2 * k + 3));
/** (cos r − 1 + r²/2)/r⁴ in r²: Σ (−1)^k r^(2k)/(2k+4)!. */
const COS_Q = Array.from({ length: 10 }, (_, k) => (k % 2 ? -1 : 1) / factorial(2 * k + 4));

/** a + b exactly as hi + lo (Knuth). */
function twoSum(n: Num, a: X, b: X): [Local, Local] {
  const A = n.let(a), B = n.let(b);
  const h = n.let(n.add(A.g, B.g));
  const bb = n.let(n.sub(h.g, A.g));
  return [h, n.let(n.add(n.sub(A.g, n.sub(h.g, bb.g)), n.sub(B.g, bb.g)))];
}

/** x mod 4 quarter turns, exactly: x − 4·round(x/4). */
const mod4 = (n: Num, x: X): X => {
  const v = n.let(x);
  return n.sub(v.g, n.mul(n.c(4), n.nearest(n.mul(v.g, n.c(0.25)))));
};

/** x = (q + r/(π/2)) quarter turns: the quadrant q ∈ {0..3} and r ∈ [−π/4, π/4] as rh + rl. */
function reduce(n: Num, x: Local): { q: Local; rh: Local; rl: Local } {
  const a = n.let(n.abs(x.g));
  // x = xh + xl: xh keeps the top 26 significand bits (masking cannot overflow, unlike a Veltkamp split).
  const xh = n.let(n.float(n.iand(n.bits(a.g), n.ci(~((1n << 27n) - 1n)))));
  const xl = n.let(n.sub(a.g, xh.g));
  const down = (v: Local): Local => n.let(n.mul(v.g, n.c(2 ** -SCALE)));
  const parts = [xh, xl], partsDown = [down(xh), down(xl)];
  let s: X = n.c(0), e: X = n.c(0);
  for (const [i, c] of TWO_OVER_PI.entries()) for (const part of scaled(i) ? partsDown : parts) {
    const [h, l] = twoSum(n, s, mod4(n, n.mul(part.g, n.c(c))));
    s = mod4(n, h.g);
    e = n.add(e, l.g);
  }
  const S = n.let(s), E = n.let(e);
  const k = n.let(n.nearest(n.add(S.g, E.g)));
  const [fh, fl] = twoSum(n, n.sub(S.g, k.g), E.g);
  // (fh + fl)·(PIO2_HI + PIO2_LO) in double-double.
  const ph = n.let(n.mul(fh.g, n.c(PIO2_HI)));
  const split = (v: X): [Local, Local] => {
    const V = n.let(v);
    const c = n.let(n.mul(n.c(2 ** 27 + 1), V.g));
    const hi = n.let(n.sub(c.g, n.sub(c.g, V.g)));
    return [hi, n.let(n.sub(V.g, hi.g))];
  };
  const [ah, al] = split(fh.g), [bh, bl] = split(n.c(PIO2_HI));
  const err = n.add(n.add(n.add(n.sub(n.mul(ah.g, bh.g), ph.g), n.mul(ah.g, bl.g)), n.mul(al.g, bh.g)), n.mul(al.g, bl.g));
  const pl = n.add(err, n.add(n.mul(fh.g, n.c(PIO2_LO)), n.mul(fl.g, n.c(PIO2_HI))));
  const [rh, rl] = twoSum(n, ph.g, pl);
  // Small arguments need no reduction; signs come back through the quadrant.
  const small = n.letm(n.lt(a.g, n.c(PIO4)));
  const neg = n.letm(n.signbit(x.g));
  const q0 = n.let(n.sub(k.g, n.mul(n.c(4), n.floor(n.mul(k.g, n.c(0.25))))));
  // sin(−x) = −sin x: for negative x reduce |x| and mirror: quadrant −q, −r.
  const q = n.let(n.sel(small.g, n.c(0), n.sel(neg.g, n.sub(n.mul(n.c(4), n.c(1)), q0.g), q0.g)));
  return {
    q: n.let(n.sub(q.g, n.mul(n.c(4), n.floor(n.mul(q.g, n.c(0.25)))))),
    rh: n.let(n.sel(small.g, x.g, n.sel(neg.g, n.neg(rh.g), rh.g))),
    rl: n.let(n.sel(small.g, n.c(0), n.sel(neg.g, n.neg(rl.g), rl.g))),
  };
}

/** sin(rh + rl) and cos(rh + rl) for |rh + rl| ≤ π/4. */
function kernels(n: Num, rh: Local, rl: Local): { s: Local; c: Local } {
  const z = n.let(n.mul(rh.g, rh.g));
  const s = n.let(n.add(rh.g, n.add(n.mul(n.mul(z.g, rh.g), n.poly(z, SIN_P)), n.mul(rl.g, n.sub(n.c(1), n.mul(n.c(0.5), z.g))))));
  // cos = 1 − z/2 + z²Q − rh·rl, with w = 1 − z/2 rounded and its rounding error added back (fdlibm).
  const hz = n.let(n.mul(n.c(0.5), z.g));
  const w = n.let(n.sub(n.c(1), hz.g));
  const tail = n.sub(n.mul(n.mul(z.g, z.g), n.poly(z, COS_Q)), n.mul(rh.g, rl.g));
  const c = n.let(n.add(w.g, n.add(n.sub(n.sub(n.c(1), w.g), hz.g), tail)));
  return { s, c };
}

const odd = (n: Num, q: Local): X => n.or(n.eq(q.g, n.c(1)), n.eq(q.g, n.c(3)));

type Body = (n: Num, x: Local) => X;

const sin: Body = (n, x) => {
  const { q, rh, rl } = reduce(n, x);
  const { s, c } = kernels(n, rh, rl);
  const v = n.let(n.sel(odd(n, q), c.g, s.g));
  return n.sel(n.eq(x.g, n.c(0)), x.g, n.sel(n.ge(q.g, n.c(2)), n.neg(v.g), v.g));
};

const cos: Body = (n, x) => {
  const { q, rh, rl } = reduce(n, x);
  const { s, c } = kernels(n, rh, rl);
  const v = n.let(n.sel(odd(n, q), s.g, c.g));
  return n.sel(n.or(n.eq(q.g, n.c(1)), n.eq(q.g, n.c(2))), n.neg(v.g), v.g);
};

const tan: Body = (n, x) => {
  const { q, rh, rl } = reduce(n, x);
  const { s, c } = kernels(n, rh, rl);
  return n.sel(n.eq(x.g, n.c(0)), x.g, n.sel(odd(n, q), n.neg(n.div(c.g, s.g)), n.div(s.g, c.g)));
};

const TRIG64 = { sin, cos, tan } as const satisfies Record<string, Body>;
export type Trig64Name = keyof typeof TRIG64;

/** A call to sin, cos or tan on a scalar f64. */
export function trig64Call(lib: Lib, name: Trig64Name, arg: X): X {
  const t = binaryen.f64;
  return lib.call(`m64.${name}`, [t], t, [arg], (f) => {
    const n = new Num(helperSite(lib, f), 64, false);
    return n.done(TRIG64[name](n, new Local(f.m, 0, t)));
  });
}
