// Transcendental functions as wasm code. Each is written once, branch-free, over the
// builder of num.ts (`Num`) that emits either scalar f64 or f64x2 SIMD, so every function
// exists as `$m.<name>.s` (f64 → f64) and `$m.<name>.v` (f64x2 → f64x2). Kernels call
// them on f32 values promoted to f64 and demote the result: with f64 working precision,
// range reduction and plain Taylor polynomials (no fitted coefficients to get wrong),
// results are within an ulp or so of the correctly rounded f32 value, and overflow,
// underflow, ±0, ±inf and NaN fall out of the f64 → f32 demotion the way the reference
// interpreter (JavaScript's Math in double, then Math.fround) gets them.
import binaryen from 'binaryen';
import { Lib, Local, type X } from './lib.js';
import { helperSite, Num } from './num.js';

/** Another math function of this library, as a call. */
const call = (n: Num, name: MathName, ...args: X[]): X => mathCall(n.lib, name, n.vec, args);

const LOG2E = 1.4426950408889634;
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const LN2 = 0.6931471805599453;
const SQRT2 = 1.4142135623730951;
const SQRT3 = 1.7320508075688772;
const PI = Math.PI;
const PIO2 = Math.PI / 2;
const TWO52 = 2 ** 52;

const series = (n: number, term: (k: number) => number): number[] => Array.from({ length: n }, (_, k) => term(k));
const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
const EXP_C = series(13, (k) => 1 / factorial(k));
/** log(m) = 2 atanh(s) = 2 Σ s^(2k+1)/(2k+1), |s| ≤ 0.172. */
const LOG_C = series(12, (k) => 1 / (2 * k + 1));
const SIN_C = series(9, (k) => (k % 2 ? -1 : 1) / factorial(2 * k + 1));
const COS_C = series(10, (k) => (k % 2 ? -1 : 1) / factorial(2 * k));
const ATAN_C = series(14, (k) => (k % 2 ? -1 : 1) / (2 * k + 1));
/** erf(a) = 2/√π e^{−a²} a Σ (2a²)^n / (2n+1)!!, all terms positive; 62 terms reach 1e-17 at a = 4. */
const ERF_C = (() => { const c = [1]; for (let n = 1; n < 62; n++) c.push(c[n - 1] / (2 * n + 1)); return c; })();
/** 2/π in 24-bit pieces (fdlibm's ipio2), enough for the largest f32. */
const TWO_OVER_PI = [0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb]
  .map((c, i) => c * 2 ** (-24 * (i + 1)));

type Body = (n: Num, x: Local, y: Local) => X;

/** 2^k for integral f64 k in [-1022, 1023], built in the exponent field. */
export function pow2(n: Num, k: X): X {
  return n.float(n.shl(n.bits(n.add(k, n.c(TWO52 + 1023))), 52));
}

const exp: Body = (n, x) => {
  const xc = n.let(n.min(n.max(x.g, n.c(-200)), n.c(200)));
  const k = n.let(n.nearest(n.mul(xc.g, n.c(LOG2E))));
  const r = n.let(n.sub(n.sub(xc.g, n.mul(k.g, n.c(LN2_HI))), n.mul(k.g, n.c(LN2_LO))));
  return n.mul(n.poly(r, EXP_C), pow2(n, k.g));
};

const expm1: Body = (n, x) => {
  const small = n.add(x.g, n.mul(x.g, n.mul(x.g, n.add(n.c(0.5), n.mul(x.g, n.add(n.c(1 / 6), n.mul(x.g, n.c(1 / 24))))))));
  return n.sel(n.lt(n.abs(x.g), n.c(1e-3)), small, n.sub(call(n, 'exp', x.g), n.c(1)));
};

const log: Body = (n, x) => {
  const b = n.leti(n.bits(x.g));
  const e0 = n.let(n.sub(n.float(n.ior(n.shr(b.g, 52), n.ci(0x4330000000000000n))), n.c(TWO52 + 1023)));
  const m0 = n.let(n.float(n.ior(n.iand(b.g, n.ci(0x000fffffffffffffn)), n.ci(0x3ff0000000000000n))));
  const big = n.letm(n.gt(m0.g, n.c(SQRT2)));
  const m = n.let(n.sel(big.g, n.mul(m0.g, n.c(0.5)), m0.g));
  const e = n.let(n.sel(big.g, n.add(e0.g, n.c(1)), e0.g));
  const s = n.let(n.div(n.sub(m.g, n.c(1)), n.add(m.g, n.c(1))));
  const z = n.let(n.mul(s.g, s.g));
  const r = n.add(n.mul(e.g, n.c(LN2)), n.mul(n.mul(n.c(2), s.g), n.poly(z, LOG_C)));
  let out = n.sel(n.eq(x.g, n.c(Infinity)), n.c(Infinity), r);
  out = n.sel(n.or(n.lt(x.g, n.c(0)), n.ne(x.g, x.g)), n.c(NaN), out);
  return n.sel(n.eq(x.g, n.c(0)), n.c(-Infinity), out);
};

const log1p: Body = (n, x) => {
  const u = n.let(n.add(n.c(1), x.g));
  const d = n.let(n.sub(u.g, n.c(1)));
  const r = n.sel(n.eq(d.g, n.c(0)), x.g, n.mul(call(n, 'log', u.g), n.div(x.g, d.g)));
  return n.sel(n.eq(x.g, n.c(Infinity)), x.g, r);
};

const tanh: Body = (n, x) => {
  const t = n.let(call(n, 'expm1', n.mul(n.c(-2), n.abs(x.g))));
  return n.copysign(n.div(n.neg(t.g), n.add(n.c(2), t.g)), x.g);
};

const logistic: Body = (n, x) => n.div(n.c(1), n.add(n.c(1), call(n, 'exp', n.neg(x.g))));

const sinh: Body = (n, x) => {
  const t = n.let(call(n, 'expm1', n.abs(x.g)));
  return n.copysign(n.mul(n.c(0.5), n.add(t.g, n.div(t.g, n.add(t.g, n.c(1))))), x.g);
};

const cosh: Body = (n, x) => {
  const e = n.let(call(n, 'exp', n.abs(x.g)));
  return n.mul(n.c(0.5), n.add(e.g, n.div(n.c(1), e.g)));
};

const asinh: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const a2 = n.let(n.mul(a.g, a.g));
  const r = call(n, 'log1p', n.add(a.g, n.div(a2.g, n.add(n.c(1), n.sqrt(n.add(n.c(1), a2.g))))));
  return n.copysign(n.sel(n.eq(a.g, n.c(Infinity)), a.g, r), x.g);
};

const acosh: Body = (n, x) => {
  const d = n.let(n.sub(x.g, n.c(1)));
  const r = call(n, 'log1p', n.add(d.g, n.sqrt(n.mul(d.g, n.add(x.g, n.c(1))))));
  return n.sel(n.lt(x.g, n.c(1)), n.c(NaN), r);
};

const atanh: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  return n.copysign(n.mul(n.c(0.5), call(n, 'log1p', n.div(n.mul(n.c(2), a.g), n.sub(n.c(1), a.g)))), x.g);
};

const erf: Body = (n, x) => {
  const a = n.let(n.min(n.abs(x.g), n.c(4)));
  const a2 = n.let(n.mul(a.g, a.g));
  const y = n.let(n.mul(n.c(2), a2.g));
  const r = n.mul(n.mul(n.mul(a.g, n.poly(y, ERF_C)), call(n, 'exp', n.neg(a2.g))), n.c(2 / Math.sqrt(Math.PI)));
  return n.copysign(n.min(r, n.c(1)), x.g);
};

/** x·2/π reduced to (quadrant q ∈ {0..3}, r ∈ [−π/4, π/4]) exactly enough for any f32 x. */
function reduce(n: Num, x: Local): { q: Local; r: Local } {
  // Each x·c_i is exact (24 × 24 bits); subtracting its nearest multiple of 4 is exact too,
  // so only the sum's rounding (|S| ≤ 2 kept by reducing again) is inexact: ~2^-50 absolute.
  let s: X = n.c(0);
  for (const c of TWO_OVER_PI) {
    const p = n.let(n.mul(x.g, n.c(c)));
    const t = n.let(n.add(s, n.sub(p.g, n.mul(n.c(4), n.nearest(n.mul(p.g, n.c(0.25)))))));
    s = n.sub(t.g, n.mul(n.c(4), n.nearest(n.mul(t.g, n.c(0.25)))));
  }
  const S = n.let(s);
  const k = n.let(n.nearest(S.g));
  const r = n.let(n.mul(n.sub(S.g, k.g), n.c(PIO2)));
  const q = n.let(n.sub(k.g, n.mul(n.c(4), n.floor(n.mul(k.g, n.c(0.25))))));
  return { q, r };
}

function sinCos(n: Num, r: Local): { s: Local; c: Local } {
  const r2 = n.let(n.mul(r.g, r.g));
  const s = n.let(n.mul(r.g, n.poly(r2, SIN_C)));
  const c = n.let(n.poly(r2, COS_C));
  return { s, c };
}

const odd = (n: Num, q: Local): X => n.eq(n.sub(q.g, n.mul(n.c(2), n.floor(n.mul(q.g, n.c(0.5))))), n.c(1));

const sin: Body = (n, x) => {
  const { q, r } = reduce(n, x);
  const { s, c } = sinCos(n, r);
  const v = n.let(n.sel(odd(n, q), c.g, s.g));
  const res = n.sel(n.ge(q.g, n.c(2)), n.neg(v.g), v.g);
  return n.sel(n.eq(x.g, n.c(0)), x.g, res);
};

const cos: Body = (n, x) => {
  const { q, r } = reduce(n, x);
  const { s, c } = sinCos(n, r);
  const v = n.let(n.sel(odd(n, q), s.g, c.g));
  return n.sel(n.or(n.eq(q.g, n.c(1)), n.eq(q.g, n.c(2))), n.neg(v.g), v.g);
};

const tan: Body = (n, x) => {
  const { q, r } = reduce(n, x);
  const { s, c } = sinCos(n, r);
  const res = n.sel(odd(n, q), n.neg(n.div(c.g, s.g)), n.div(s.g, c.g));
  return n.sel(n.eq(x.g, n.c(0)), x.g, res);
};

const atan: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const inv = n.letm(n.gt(a.g, n.c(1)));
  const t = n.let(n.sel(inv.g, n.div(n.c(1), a.g), a.g));
  const big = n.letm(n.gt(t.g, n.c(2 - SQRT3)));
  const u = n.let(n.sel(big.g, n.div(n.sub(n.mul(t.g, n.c(SQRT3)), n.c(1)), n.add(n.c(SQRT3), t.g)), t.g));
  const u2 = n.let(n.mul(u.g, u.g));
  const res = n.let(n.add(n.sel(big.g, n.c(PI / 6), n.c(0)), n.mul(u.g, n.poly(u2, ATAN_C))));
  return n.copysign(n.sel(inv.g, n.sub(n.c(PIO2), res.g), res.g), x.g);
};

/** C's atan2, every signed zero and infinity included. */
const atan2: Body = (n, y, x) => {
  const ax = n.let(n.abs(x.g)), ay = n.let(n.abs(y.g));
  let t = call(n, 'atan', n.div(ay.g, ax.g));
  t = n.sel(n.eq(ay.g, n.c(0)), n.c(0), t);
  t = n.sel(n.and(n.eq(ay.g, n.c(Infinity)), n.eq(ax.g, n.c(Infinity))), n.c(PI / 4), t);
  const tl = n.let(t);
  const res = n.copysign(n.sel(n.signbit(x.g), n.sub(n.c(PI), tl.g), tl.g), y.g);
  return n.sel(n.or(n.ne(x.g, x.g), n.ne(y.g, y.g)), n.c(NaN), res);
};

const asin: Body = (n, x) => call(n, 'atan', n.div(x.g, n.sqrt(n.mul(n.sub(n.c(1), x.g), n.add(n.c(1), x.g)))));
const acos: Body = (n, x) => n.mul(n.c(2), call(n, 'atan', n.sqrt(n.div(n.sub(n.c(1), x.g), n.add(n.c(1), x.g)))));

const cbrt: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const g = n.let(call(n, 'exp', n.mul(call(n, 'log', a.g), n.c(1 / 3))));
  const g2 = n.let(n.mul(g.g, g.g));
  const newton = n.sub(g.g, n.div(n.sub(n.mul(g2.g, g.g), a.g), n.mul(n.c(3), g2.g)));
  return n.copysign(n.sel(n.or(n.eq(a.g, n.c(0)), n.eq(a.g, n.c(Infinity))), a.g, newton), x.g);
};

/** C's pow (what XLA and the reference use): 1^y = x^0 = 1, (−1)^±inf = 1. */
const pow: Body = (n, x, y) => powSpecials(n, x, y, n.let(call(n, 'exp', n.mul(y.g, call(n, 'log', n.abs(x.g))))));

/**
 * C's pow from r = |x|^y: the sign for odd integer y, NaN for a negative x and a
 * non-integer y, and 1 for y = 0, x = 1 and (−1)^±inf. Shared by the f64 version (math64.ts).
 */
export function powSpecials(n: Num, x: Local, y: Local, r: Local): X {
  const fy = n.let(n.floor(y.g));
  const yint = n.letm(n.eq(fy.g, y.g));
  const yodd = n.and(yint.g, n.ne(n.mul(n.floor(n.mul(y.g, n.c(0.5))), n.c(2)), y.g));
  let out = n.sel(n.and(n.signbit(x.g), yodd), n.neg(r.g), r.g);
  out = n.sel(n.and(n.and(n.lt(x.g, n.c(0)), n.gt(x.g, n.c(-Infinity))), n.not(yint.g)), n.c(NaN), out);
  out = n.sel(n.or(n.eq(y.g, n.c(0)), n.eq(x.g, n.c(1))), n.c(1), out);
  return n.sel(n.and(n.eq(x.g, n.c(-1)), n.eq(n.abs(y.g), n.c(Infinity))), n.c(1), out);
}

const MATH = {
  exp: [1, exp], expm1: [1, expm1], log: [1, log], log1p: [1, log1p], tanh: [1, tanh], logistic: [1, logistic],
  sinh: [1, sinh], cosh: [1, cosh], asinh: [1, asinh], acosh: [1, acosh], atanh: [1, atanh], erf: [1, erf],
  sin: [1, sin], cos: [1, cos], tan: [1, tan], atan: [1, atan], asin: [1, asin], acos: [1, acos], cbrt: [1, cbrt],
  atan2: [2, atan2], pow: [2, pow],
} as const satisfies Record<string, readonly [1 | 2, Body]>;
export type MathName = keyof typeof MATH;

/** A call to math function `name` on f64 (vec = false) or f64x2 operands. */
export function mathCall(lib: Lib, name: MathName, vec: boolean, args: readonly X[]): X {
  const [arity, body] = MATH[name];
  const t = vec ? binaryen.v128 : binaryen.f64;
  const params = arity === 1 ? [t] : [t, t];
  return lib.call(`m.${name}.${vec ? 'v' : 's'}`, params, t, args, (f) => {
    const n = new Num(helperSite(lib, f), 64, vec);
    const x = new Local(f.m, 0, t);
    const y = arity === 2 ? new Local(f.m, 1, t) : x;
    return n.done(body(n, x, y));
  });
}
