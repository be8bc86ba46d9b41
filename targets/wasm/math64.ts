// Transcendental functions on f64 values, to f64 accuracy (about an ulp; the tests hold
// every one to a few ulps of JavaScript's Math over its whole domain). The f32 helpers
// of math.ts compute in f64 and demote, which hides their ~1e-15 error and their f32-only
// argument ranges; an f64 result shows both, so these are separate:
//  - exp reduces by k·ln2 in two parts (Cody–Waite) and scales by 2^k in two steps, so
//    results down to the subnormals and up to the overflow threshold round once;
//  - log keeps f = m − 1 exact and adds only a small correction to it, and scales
//    subnormal arguments first;
//  - pow computes log|x| and y·log|x| in double-double (≈ 2^-64 relative), since an
//    error ε in y·log|x| is an error ε in the result, up to |y·log|x|| ≈ 745;
//  - atan and atan2 are fdlibm's, operation for operation (so V8's Math.atan2 bit for bit);
//  - erf is the reference's own algorithm (ir/scalar/math.ts), loops included;
//  - the rest are the usual identities over those, in the forms that avoid cancellation.
// sin, cos and tan are in trig64.ts.
// Scalar only (f64 values have no vector form in the kernel IR); written over the
// `Num` builder (num.ts) in scalar mode, branch-free.
import binaryen from 'binaryen';
import { Local, type Fn, type Lib, type X } from './lib.js';
import { pow2, powSpecials } from './math.js';
import { helperSite, Num } from './num.js';

const LOG2E = 1.4426950408889634;
/** ln 2 = LN2_HI + LN2_LO; LN2_HI has 32 trailing zero bits, so k·LN2_HI is exact for |k| < 2^20. */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
const LN2 = 0.6931471805599453;
const SQRT2 = 1.4142135623730951;
const TWO52 = 2 ** 52;
/** Veltkamp's splitter for 53-bit doubles. */
const SPLIT = 2 ** 27 + 1;
/** 2/3 = TWO_THIRDS_HI + TWO_THIRDS_LO: fl(2/3) = M/2^53, so the rest is (2^54 − 3M)/(3·2^53). */
const TWO_THIRDS_HI = 2 / 3;
const TWO_THIRDS_LO = Number(2n ** 54n - 3n * BigInt(TWO_THIRDS_HI * 2 ** 53)) / (3 * 2 ** 53);

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
/** (e^r − 1 − r)/r² = Σ r^k/(k+2)!, |r| ≤ ln2/2: 14 terms leave < 2^-60 relative. */
const EXPM1_Q = Array.from({ length: 14 }, (_, k) => 1 / factorial(k + 2));
/** log(1+f) = 2s + s·R(z), z = s², R = Σ_{k≥1} 2z^k/(2k+1) (z ≤ 0.0295: 12 terms). */
const LOG_R = Array.from({ length: 12 }, (_, k) => 2 / (2 * k + 3));
/** log(1+f) = 2s + (2/3)s³ + s⁵·Q(z), Q = Σ_{k≥0} 2z^k/(2k+5): the double-double log's tail. */
const LOG_Q = Array.from({ length: 11 }, (_, k) => 2 / (2 * k + 5));

type Body = (n: Num, x: Local, y: Local) => X;

const call = (n: Num, name: Math64Name, ...args: X[]): X => math64Call(n.lib, name, args);

/** 2^k for integral k in [-1022, 1023], built in the exponent field. */

const finite = (n: Num, v: X): X => n.lt(n.abs(v), n.c(Infinity));

/** e^(h + l) for a double-double argument (|l| ≪ ulp(h)); exp itself is l = 0. */
const expdd: Body = (n, h, l) => {
  const xc = n.let(n.min(n.max(h.g, n.c(-746)), n.c(710)));
  const k = n.let(n.nearest(n.mul(xc.g, n.c(LOG2E))));
  // xc − k·LN2_HI is exact (Sterbenz); the small parts join it once.
  const hi = n.let(n.sub(xc.g, n.mul(k.g, n.c(LN2_HI))));
  // Past the clamp the result is 0 or inf whatever the low part says.
  const lo = n.sel(n.eq(xc.g, h.g), l.g, n.c(0));
  const r = n.let(n.add(hi.g, n.sub(lo, n.mul(k.g, n.c(LN2_LO)))));
  const p = n.let(n.add(n.c(1), n.add(r.g, n.mul(n.mul(r.g, r.g), n.poly(r, EXPM1_Q)))));
  // 2^k in two factors, each a normal power of two: the last product rounds once, also into the subnormals.
  const k1 = n.let(n.floor(n.mul(k.g, n.c(0.5))));
  return n.mul(n.mul(p.g, pow2(n, k1.g)), pow2(n, n.sub(k.g, k1.g)));
};

const exp: Body = (n, x) => expdd(n, x, n.let(n.c(0)));

/** e^x − 1 = 2^k (e^r − 1) + (2^k − 1), with e^r − 1 = r + r²·Q(r) never cancelling. */
const expm1: Body = (n, x) => {
  const xc = n.let(n.min(n.max(x.g, n.c(-40)), n.c(700)));
  const k = n.let(n.nearest(n.mul(xc.g, n.c(LOG2E))));
  const r = n.let(n.sub(n.sub(xc.g, n.mul(k.g, n.c(LN2_HI))), n.mul(k.g, n.c(LN2_LO))));
  const er = n.let(n.add(r.g, n.mul(n.mul(r.g, r.g), n.poly(r, EXPM1_Q))));
  const t = n.let(pow2(n, k.g));
  let out = n.add(n.mul(t.g, er.g), n.sub(t.g, n.c(1)));
  out = n.sel(n.gt(x.g, n.c(700)), call(n, 'exp', x.g), out); // −1 is below half an ulp there
  out = n.sel(n.lt(x.g, n.c(-40)), n.c(-1), out); // e^-40 is below half an ulp of 1
  return n.sel(n.eq(x.g, n.c(0)), x.g, out); // ±0 keeps its sign
};

/** The pieces of a positive finite x = 2^e·(1 + f), 1 + f in [√2/2, √2), subnormals included. */
function decompose(n: Num, x: X): { e: Local; f: Local } {
  const ax = n.let(x);
  const sub = n.letm(n.lt(ax.g, n.c(2 ** -1022)));
  const b = n.leti(n.bits(n.sel(sub.g, n.mul(ax.g, n.c(2 ** 54)), ax.g)));
  const e0 = n.let(n.sub(n.sub(n.float(n.ior(n.shr(b.g, 52), n.ci(0x4330000000000000n))), n.c(TWO52 + 1023)), n.sel(sub.g, n.c(54), n.c(0))));
  const m0 = n.let(n.float(n.ior(n.iand(b.g, n.ci(0x000fffffffffffffn)), n.ci(0x3ff0000000000000n))));
  const big = n.letm(n.gt(m0.g, n.c(SQRT2)));
  const e = n.let(n.sel(big.g, n.add(e0.g, n.c(1)), e0.g));
  const f = n.let(n.sub(n.sel(big.g, n.mul(m0.g, n.c(0.5)), m0.g), n.c(1))); // exact
  return { e, f };
}

/** log(x) = e·ln2 + f − s·(f − R): f exact, the correction s·(f − R) small. */
const log: Body = (n, x) => {
  const { e, f } = decompose(n, x.g);
  const s = n.let(n.div(f.g, n.add(n.c(2), f.g)));
  const z = n.let(n.mul(s.g, s.g));
  const R = n.mul(z.g, n.poly(z, LOG_R));
  const r = n.add(n.mul(e.g, n.c(LN2_HI)), n.sub(f.g, n.sub(n.mul(s.g, n.sub(f.g, R)), n.mul(e.g, n.c(LN2_LO)))));
  let out = n.sel(n.eq(x.g, n.c(Infinity)), n.c(Infinity), r);
  out = n.sel(n.or(n.lt(x.g, n.c(0)), n.ne(x.g, x.g)), n.c(NaN), out);
  return n.sel(n.eq(x.g, n.c(0)), n.c(-Infinity), out);
};

/** log(1 + x) = log(u) + c, u = fl(1 + x), c = (1 + x − u)/u the first-order correction. */
const log1p: Body = (n, x) => {
  const u = n.let(n.add(n.c(1), x.g));
  // 1 + x − u exactly: from x − (u − 1) when u − 1 is exact (u ≤ 2), else from 1 − (u − x).
  const rest = n.sel(n.ge(x.g, n.c(1)), n.sub(n.c(1), n.sub(u.g, x.g)), n.sub(x.g, n.sub(u.g, n.c(1))));
  const c = n.let(n.sel(n.lt(x.g, n.c(-0.5)), n.c(0), n.div(rest, u.g))); // u = 1 + x exactly below −½
  let out = n.add(call(n, 'log', u.g), c.g);
  out = n.sel(n.eq(x.g, n.c(Infinity)), x.g, out);
  return n.sel(n.eq(x.g, n.c(0)), x.g, out);
};

const tanh: Body = (n, x) => {
  const t = n.let(call(n, 'expm1', n.mul(n.c(-2), n.abs(x.g))));
  return n.copysign(n.div(n.neg(t.g), n.add(n.c(2), t.g)), x.g);
};

const logistic: Body = (n, x) => n.div(n.c(1), n.add(n.c(1), call(n, 'exp', n.neg(x.g))));

/** ½e^a for a up to the overflow threshold of ½e^a (710.47), through e^(a/2) past e^a's. */
function halfExp(n: Num, a: Local): X {
  const w = n.let(call(n, 'exp', n.mul(n.c(0.5), a.g)));
  return n.sel(n.lt(a.g, n.c(709)), n.mul(n.c(0.5), call(n, 'exp', a.g)), n.mul(n.mul(n.c(0.5), w.g), w.g));
}

const sinh: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const t = n.let(call(n, 'expm1', n.min(a.g, n.c(22))));
  const small = n.mul(n.c(0.5), n.add(t.g, n.div(t.g, n.add(t.g, n.c(1)))));
  return n.copysign(n.sel(n.lt(a.g, n.c(22)), small, halfExp(n, a)), x.g);
};

const cosh: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const e = n.let(call(n, 'exp', n.min(a.g, n.c(22))));
  const small = n.add(n.mul(n.c(0.5), e.g), n.div(n.c(0.5), e.g));
  return n.sel(n.lt(a.g, n.c(22)), small, halfExp(n, a));
};

const asinh: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const a2 = n.let(n.mul(a.g, a.g));
  const mid = call(n, 'log1p', n.add(a.g, n.div(a2.g, n.add(n.c(1), n.sqrt(n.add(n.c(1), a2.g))))));
  const big = n.add(call(n, 'log', a.g), n.c(LN2)); // a² would overflow; 1/a² is below an ulp
  return n.copysign(n.sel(n.lt(a.g, n.c(2 ** 28)), mid, big), x.g);
};

const acosh: Body = (n, x) => {
  const d = n.let(n.sub(x.g, n.c(1)));
  const mid = call(n, 'log1p', n.add(d.g, n.sqrt(n.mul(d.g, n.add(x.g, n.c(1))))));
  const out = n.sel(n.lt(x.g, n.c(2 ** 28)), mid, n.add(call(n, 'log', x.g), n.c(LN2)));
  return n.sel(n.lt(x.g, n.c(1)), n.c(NaN), out);
};

/** ½·log1p(2a/(1 − a)), with the small part separate below ½ (fdlibm's split). */
const atanh: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const t = n.let(n.add(a.g, a.g));
  const arg = n.sel(n.lt(a.g, n.c(0.5)), n.add(t.g, n.div(n.mul(t.g, a.g), n.sub(n.c(1), a.g))), n.div(t.g, n.sub(n.c(1), a.g)));
  return n.copysign(n.mul(n.c(0.5), call(n, 'log1p', arg)), x.g);
};

/**
 * exp(log(a)/3), then one Newton step g − (g³ − a)/(3g²); a is scaled by 2^±54 first when
 * g³ would leave the normal range (cbrt(2^54·a) = 2^18·cbrt(a) exactly).
 */
const cbrt: Body = (n, x) => {
  const a0 = n.let(n.abs(x.g));
  const tiny = n.letm(n.lt(a0.g, n.c(2 ** -1000))), huge = n.letm(n.gt(a0.g, n.c(2 ** 1000)));
  const a = n.let(n.mul(a0.g, n.sel(tiny.g, n.c(2 ** 54), n.sel(huge.g, n.c(2 ** -54), n.c(1)))));
  const g = n.let(call(n, 'exp', n.mul(call(n, 'log', a.g), n.c(1 / 3))));
  const g2 = n.let(n.mul(g.g, g.g));
  const newton = n.sub(g.g, n.div(n.sub(n.mul(g2.g, g.g), a.g), n.mul(n.c(3), g2.g)));
  const r = n.mul(newton, n.sel(tiny.g, n.c(2 ** -18), n.sel(huge.g, n.c(2 ** 18), n.c(1))));
  return n.copysign(n.sel(n.or(n.eq(a0.g, n.c(0)), n.eq(a0.g, n.c(Infinity))), a0.g, r), x.g);
};

// ---- the inverse trigonometric functions ----

/** fdlibm's atan (s_atan.c): atan(c) + atan((a − c)/(1 + a·c)) for c in {0, ½, 1, 3/2, ∞}, hi/lo constants. */
const ATAN_HI = [4.63647609000806093515e-01, 7.85398163397448278999e-01, 9.82793723247329054082e-01, 1.57079632679489655800e+00];
const ATAN_LO = [2.26987774529616870924e-17, 3.06161699786838301793e-17, 1.39033110312309984516e-17, 6.12323399573676603587e-17];
/** fdlibm's minimax coefficients of (atan(t) − t)/t³ in t², |t| ≤ 7/16 (bit patterns checked in math64.test.ts). */
const ATAN_T = [
  3.33333333333329318027e-01, -1.99999999998764832476e-01, 1.42857142725034663711e-01, -1.11111104054623557880e-01,
  9.09088713343650656196e-02, -7.69187620504482999495e-02, 6.66107313738753120669e-02, -5.83357013379057348645e-02,
  4.97687799461593236017e-02, -3.65315727442169155270e-02, 1.62858201153657823623e-02,
];

/**
 * fdlibm's atan, branch-free: the same operations in the same order, so the result is
 * the reference's (V8's Math.atan is this code) bit for bit.
 */
const atan: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const small = n.letm(n.lt(a.g, n.c(0.4375)));
  const b1 = n.letm(n.lt(a.g, n.c(0.6875))), b2 = n.letm(n.lt(a.g, n.c(1.1875))), b3 = n.letm(n.lt(a.g, n.c(2.4375)));
  const pick = (v: readonly X[]): X => n.sel(b1.g, v[0], n.sel(b2.g, v[1], n.sel(b3.g, v[2], v[3])));
  const t = n.let(n.sel(small.g, a.g, pick([
    n.div(n.sub(n.mul(n.c(2), a.g), n.c(1)), n.add(n.c(2), a.g)),
    n.div(n.sub(a.g, n.c(1)), n.add(a.g, n.c(1))),
    n.div(n.sub(a.g, n.c(1.5)), n.add(n.c(1), n.mul(n.c(1.5), a.g))),
    n.div(n.c(-1), a.g),
  ])));
  const z = n.let(n.mul(t.g, t.g));
  const w = n.let(n.mul(z.g, z.g));
  const even = ATAN_T.filter((_, i) => i % 2 === 0), odd = ATAN_T.filter((_, i) => i % 2 === 1);
  const s1 = n.mul(z.g, n.poly(w, even)), s2 = n.mul(w.g, n.poly(w, odd));
  const ts = n.let(n.mul(t.g, n.add(s1, s2)));
  const hi = pick(ATAN_HI.map((c) => n.c(c))), lo = pick(ATAN_LO.map((c) => n.c(c)));
  const reduced = n.sub(hi, n.sub(n.sub(ts.g, lo), t.g));
  return n.copysign(n.sel(small.g, n.sub(t.g, ts.g), reduced), x.g);
};

const PI_LO = 1.2246467991473531772e-16;

/**
 * fdlibm's atan2 (e_atan2.c): the signed zeros and infinities by cases, |y/x| beyond
 * 2^±60 without dividing, else atan(|y/x|) placed in its quadrant with π's low part.
 */
const atan2: Body = (n, y, x) => {
  const PI = Math.PI, PIO2 = Math.PI / 2, PIO4 = Math.PI / 4;
  const ax = n.let(n.abs(x.g)), ay = n.let(n.abs(y.g));
  const xneg = n.letm(n.signbit(x.g)), yneg = n.letm(n.signbit(y.g));
  const signed = (v: X): X => n.copysign(v, y.g);
  // fdlibm's k = (iy − ix) >> 20 on the high words (exponent and top 20 significand bits): exact in f64.
  const high = (v: X): X => n.float(n.ior(n.shr(n.bits(v), 32), n.ci(0x4330000000000000n)));
  const k = n.let(n.floor(n.mul(n.sub(high(ay.g), high(ax.g)), n.c(2 ** -20))));
  const z = n.let(n.sel(n.gt(k.g, n.c(60)), n.c(PIO2 + 0.5 * PI_LO),
    n.sel(n.and(xneg.g, n.lt(k.g, n.c(-60))), n.c(0), call(n, 'atan', n.abs(n.div(y.g, x.g))))));
  const big = n.letm(n.gt(k.g, n.c(60))); // fdlibm drops x's sign there (m &= 1)
  let out = n.sel(n.and(xneg.g, n.not(big.g)), n.sel(yneg.g, n.sub(n.sub(z.g, n.c(PI_LO)), n.c(PI)), n.sub(n.c(PI), n.sub(z.g, n.c(PI_LO)))),
    n.sel(yneg.g, n.neg(z.g), z.g));
  out = n.sel(n.eq(ay.g, n.c(Infinity)), signed(n.c(PIO2)), out);
  out = n.sel(n.eq(ax.g, n.c(Infinity)), n.sel(n.eq(ay.g, n.c(Infinity)), signed(n.sel(xneg.g, n.c(3 * PIO4), n.c(PIO4))),
    n.sel(xneg.g, signed(n.c(PI)), signed(n.c(0)))), out);
  out = n.sel(n.eq(ax.g, n.c(0)), signed(n.c(PIO2)), out);
  out = n.sel(n.eq(ay.g, n.c(0)), n.sel(xneg.g, signed(n.c(PI)), y.g), out);
  out = n.sel(n.eq(x.g, n.c(1)), call(n, 'atan', y.g), out);
  return n.sel(n.or(n.ne(x.g, x.g), n.ne(y.g, y.g)), n.add(x.g, y.g), out);
};

/** asin x = atan2(x, √((1 − x)(1 + x))): 1 − x is exact near 1, where the rest would cancel. */
const asin: Body = (n, x) => call(n, 'atan2', x.g, n.sqrt(n.mul(n.sub(n.c(1), x.g), n.add(n.c(1), x.g))));

/** acos x = 2·atan √((1 − x)/(1 + x)), exact in its differences at both ends. */
const acos: Body = (n, x) => n.mul(n.c(2), call(n, 'atan', n.sqrt(n.div(n.sub(n.c(1), x.g), n.add(n.c(1), x.g)))));

// ---- double-double pieces for pow ----

interface DD { readonly h: Local; readonly l: Local }

/** a·b exactly as hi + lo (Dekker, with Veltkamp splits: wasm has no scalar fma). */
function twoProd(n: Num, a: X, b: X): DD {
  const A = n.let(a), B = n.let(b);
  const split = (v: Local): [Local, Local] => {
    const c = n.let(n.mul(n.c(SPLIT), v.g));
    const hi = n.let(n.sub(c.g, n.sub(c.g, v.g)));
    return [hi, n.let(n.sub(v.g, hi.g))];
  };
  const [ah, al] = split(A), [bh, bl] = split(B);
  const h = n.let(n.mul(A.g, B.g));
  const l = n.let(n.add(n.add(n.add(n.sub(n.mul(ah.g, bh.g), h.g), n.mul(ah.g, bl.g)), n.mul(al.g, bh.g)), n.mul(al.g, bl.g)));
  return { h, l };
}

/** a + b exactly as hi + lo, any magnitudes (Knuth). */
function twoSum(n: Num, a: X, b: X): DD {
  const A = n.let(a), B = n.let(b);
  const h = n.let(n.add(A.g, B.g));
  const bb = n.let(n.sub(h.g, A.g));
  return { h, l: n.let(n.add(n.sub(A.g, n.sub(h.g, bb.g)), n.sub(B.g, bb.g))) };
}

/** log(a) for positive finite a as a double-double, to ≈ 2^-64 relative. */
function logdd(n: Num, a: X): DD {
  const { e, f } = decompose(n, a);
  // s = f/(2 + f) as sh + sl.
  const d = n.let(n.add(n.c(2), f.g));
  const dl = n.let(n.sub(f.g, n.sub(d.g, n.c(2))));
  const sh = n.let(n.div(f.g, d.g));
  const p = twoProd(n, sh.g, d.g);
  const sl = n.let(n.div(n.sub(n.sub(n.sub(f.g, p.h.g), p.l.g), n.mul(sh.g, dl.g)), d.g));
  // (2/3)s³ in double-double; the rest, s⁵·Q(s²), is below 2^-12 of the whole.
  const s2 = twoProd(n, sh.g, sh.g);
  const s3 = twoProd(n, s2.h.g, sh.g);
  const s3l = n.let(n.add(n.add(s3.l.g, n.mul(s2.l.g, sh.g)), n.mul(n.mul(n.c(3), s2.h.g), sl.g)));
  const t = twoProd(n, n.c(TWO_THIRDS_HI), s3.h.g);
  const tl = n.add(t.l.g, n.add(n.mul(n.c(TWO_THIRDS_HI), s3l.g), n.mul(n.c(TWO_THIRDS_LO), s3.h.g)));
  const tail = n.mul(n.mul(s3.h.g, s2.h.g), n.poly(s2.h, LOG_Q));
  // 2sh + t.h (|t.h| < 2sh/10), then the small parts, then e·ln2.
  const m = twoSum(n, n.mul(n.c(2), sh.g), t.h.g);
  const ml = n.let(n.add(m.l.g, n.add(n.add(tl, tail), n.mul(n.c(2), sl.g))));
  const L = twoSum(n, n.mul(e.g, n.c(LN2_HI)), m.h.g);
  const lo = n.let(n.add(L.l.g, n.add(ml.g, n.mul(e.g, n.c(LN2_LO)))));
  const h = n.let(n.add(L.h.g, lo.g));
  return { h, l: n.let(n.sub(lo.g, n.sub(h.g, L.h.g))) };
}

/** C's pow (what XLA and the reference use): 1^y = x^0 = 1, (−1)^±inf = 1. */
const pow: Body = (n, x, y) => {
  const ax = n.let(n.abs(x.g));
  const L = logdd(n, ax.g);
  // log 0 = −inf, log inf = inf, log NaN = NaN: the double-double path only sees positive finite values.
  const Lh = n.let(n.sel(n.eq(ax.g, n.c(0)), n.c(-Infinity), n.sel(finite(n, ax.g), L.h.g, ax.g)));
  const P = twoProd(n, y.g, Lh.g);
  const pl = n.let(n.add(P.l.g, n.mul(y.g, L.l.g)));
  // Past the overflow of the splits (|y·log| beyond ~1e300) or at log = ±inf the low part is
  // meaningless, and the result is 0, inf or NaN from the high part alone.
  return powSpecials(n, x, y, n.let(call(n, 'expdd', P.h.g, n.sel(finite(n, pl.g), pl.g, n.c(0)))));
};

/**
 * erf exactly as the reference computes it (ir/scalar/math.ts erf), operation for
 * operation: for |x| < 2.5 the all-positive series 2/√π e^{-x²} Σ (2x²)^n x/(2n+1)!!, until
 * a term is below 1e-17 of the sum; below 6, 1 − erfc by its continued fraction (120
 * levels); 1 beyond. Only exp may differ from the reference's (by an ulp or so).
 */
function erf(lib: Lib, f: Fn): X {
  const m = f.m, F = m.f64, D = binaryen.f64;
  const c = (v: number): X => F.const(v);
  const x = () => f.p(0);
  const a = f.local(D), x2 = f.local(D), term = f.local(D), sum = f.local(D), k = f.local(D), cf = f.local(D), r = f.local(D);
  const expNegA2 = (): X => math64Call(lib, 'exp', [F.mul(F.neg(a.g), a.g)]);
  const series = m.block(null, [
    x2.set(F.mul(F.mul(c(2), a.g), a.g)), term.set(a.g), sum.set(a.g), k.set(c(1)),
    m.block('sum', [m.loop('terms', m.block(null, [
      m.br('sum', F.ge(k.g, c(300))),
      term.set(F.mul(term.g, F.div(x2.g, F.add(F.mul(c(2), k.g), c(1))))),
      sum.set(F.add(sum.g, term.g)),
      m.br('sum', F.le(term.g, F.mul(sum.g, c(1e-17)))),
      k.set(F.add(k.g, c(1))),
      m.br('terms'),
    ]))]),
    r.set(F.mul(F.mul(c(2 / Math.sqrt(Math.PI)), expNegA2()), sum.g)),
  ]);
  const fraction = m.block(null, [
    cf.set(a.g), k.set(c(120)),
    m.block('cf', [m.loop('levels', m.block(null, [
      m.br('cf', F.lt(k.g, c(1))),
      cf.set(F.add(a.g, F.div(F.div(k.g, c(2)), cf.g))),
      k.set(F.sub(k.g, c(1))),
      m.br('levels'),
    ]))]),
    r.set(F.sub(c(1), F.div(F.div(expNegA2(), c(Math.sqrt(Math.PI))), cf.g))),
  ]);
  return m.block(null, [
    m.if(F.ne(x(), x()), m.return(c(NaN))),
    a.set(F.abs(x())),
    m.if(F.lt(a.g, c(2.5)), series, m.if(F.lt(a.g, c(6)), fraction, r.set(c(1)))),
    m.select(F.lt(x(), c(0)), F.neg(r.g), r.g),
  ], D);
}

const MATH64 = {
  exp: [1, exp], expdd: [2, expdd], expm1: [1, expm1], log: [1, log], log1p: [1, log1p], tanh: [1, tanh],
  logistic: [1, logistic], sinh: [1, sinh], cosh: [1, cosh], asinh: [1, asinh], acosh: [1, acosh], atanh: [1, atanh],
  cbrt: [1, cbrt], pow: [2, pow], atan: [1, atan], atan2: [2, atan2], asin: [1, asin], acos: [1, acos],
} as const satisfies Record<string, readonly [1 | 2, Body]>;
export type Math64Name = keyof typeof MATH64;

/** A call to f64 function `name` (scalar f64 operands). */
export function math64Call(lib: Lib, name: Math64Name | 'erf', args: readonly X[]): X {
  const t = binaryen.f64;
  if (name === 'erf') return lib.call('m64.erf', [t], t, args, (f) => erf(lib, f));
  const [arity, body] = MATH64[name];
  return lib.call(`m64.${name}`, arity === 1 ? [t] : [t, t], t, args, (f) => {
    const n = new Num(helperSite(lib, f), 64, false);
    const x = new Local(f.m, 0, t);
    const y = arity === 2 ? new Local(f.m, 1, t) : x;
    return n.done(body(n, x, y));
  });
}
