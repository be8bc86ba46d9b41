// Fast f32 transcendentals for the functions models spend their time in (exp in softmax,
// erf in GELU, logistic in gates), computed natively in f32 / f32x4 instead of through
// the f64 helpers of math.ts: four lanes per instruction instead of two, and short fitted
// polynomials instead of Taylor series. They are within 2 ulp of the correctly rounded
// result (1 ulp for exp) over the whole f32 range, denormal results included; ±inf, NaN
// and ±0 come out as the reference's.
//
// The polynomial coefficients were fitted by targets/wasm/fit_f32_math.py (iteratively
// reweighted least squares towards minimax, rounded to f32, then every f32 input in the
// fitted range checked in simulated f32 arithmetic); rerun it to change a degree.
import binaryen from 'binaryen';
import { Local, type Lib, type T, type X } from './lib.js';
import { helperSite, Num } from './num.js';

/** 2^k as an f32 for integer lanes k in [-126, 127], built in the exponent field. */
const pow2 = (n: Num, k: X): X => n.float(n.shl(n.iadd(k, n.ci(127)), 23));

const LOG2E = 1.4426950408889634;
/** ln 2 split so that k·LN2_HI is exact for |k| < 2^15 (its low 12 mantissa bits are zero). */
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444170128554e-4;
/** exp(r) = 1 + r + r²·Q(r) on |r| ≤ ln2/2. */
const EXP_Q = [0.4999999403953552, 0.16666515171527863, 0.04166845604777336, 0.008369410410523415, 0.0013813093537464738];
/** erf(x) = x·P(x²) on |x| < 1. */
const ERF_P = [1.1283791065216064, -0.3761235475540161, 0.112804114818573, -0.026717694476246834, 0.004924772307276726, -0.0005660074530169368];
/**
 * erf(a) = T(a − ERF_T_MID) on 1 ≤ a ≤ ERF_ONE, fitted in absolute error: a plain
 * polynomial needs no exp and no division, which the erfc form e^{−a²}·R(1/a) did.
 */
const ERF_T = [0.9988568425178528, 0.005689278710633516, -0.01308535411953926, 0.01816292107105255, -0.016525110229849815, 0.009775310754776001, -0.003091240068897605, -0.0003356470260769129, 0.0008649243973195553, -0.0003403267764952034, -8.49078151077265e-06, 4.2939816921716556e-05, -9.124684765993152e-06];
const ERF_T_MID = 2.3;
/** Above this erf rounds to 1 in f32. */
const ERF_ONE = 3.92;

type Body = (n: Num, x: Local) => X;

/** Adding 1.5·2^23 rounds an f32 of magnitude < 2^22 to an integer, which then sits in the low mantissa bits. */
const ROUND_MAGIC = 12582912;
/** Its bit pattern: the integer k sits at ROUND_MAGIC_BITS + k. */
const ROUND_MAGIC_BITS = 0x4b400000;

const exp: Body = (n, x) => {
  // Below −104 the result rounds to +0, above 89 to +inf; the clamp keeps 2^k buildable.
  const xc = n.let(n.clamp(x.g, -104, 89));
  const t = n.let(n.add(n.mul(xc.g, n.c(LOG2E)), n.c(ROUND_MAGIC)));
  const kf = n.let(n.sub(t.g, n.c(ROUND_MAGIC)));
  const r = n.let(n.sub(n.sub(xc.g, n.mul(kf.g, n.c(LN2_HI))), n.mul(kf.g, n.c(LN2_LO))));
  const p = n.add(n.add(n.mul(n.mul(n.poly(r, EXP_Q), r.g), r.g), r.g), n.c(1));
  // 2^k in two halves, each a normal f32 for k in [-150, 128]: p·2^k1 is exact, so the
  // second product rounds once, into the denormals too.
  const k = n.leti(n.isub(n.bits(t.g), n.ci(ROUND_MAGIC_BITS)));
  const k1 = n.leti(n.shrs(k.g, 1));
  return n.mul(n.mul(p, pow2(n, k1.g)), pow2(n, n.isub(k.g, k1.g)));
};

const erf: Body = (n, x) => {
  const a = n.let(n.abs(x.g));
  const small = n.mul(x.g, n.poly(n.let(n.mul(x.g, x.g)), ERF_P));
  const s = n.let(n.sub(n.clamp(a.g, undefined, ERF_ONE), n.c(ERF_T_MID)));
  const large = n.copysign(n.sel(n.lt(a.g, n.c(ERF_ONE)), n.poly(s, ERF_T), n.c(1)), x.g);
  // NaN fails every comparison, so it takes the `small` branch, which propagates it.
  return n.sel(n.ge(a.g, n.c(1)), large, small);
};

const logistic: Body = (n, x) => {
  // With e = exp(−|x|) ≤ 1 nothing overflows: 1/(1+e) for x ≥ 0, e/(1+e) below.
  const e = n.let(call(n, 'exp', n.neg(n.abs(x.g))));
  return n.div(n.sel(n.lt(x.g, n.c(0)), e.g, n.c(1)), n.add(n.c(1), e.g));
};

const F32_MATH = { exp, erf, logistic } as const satisfies Record<string, Body>;
export type F32MathName = keyof typeof F32_MATH;

function call(n: Num, name: F32MathName, x: X): X {
  return n.site.inline ? F32_MATH[name](n, n.let(x)) : f32MathCall(n.site.lib, name, n.vec, x);
}

/**
 * Fast f32 function `name` on an f32 (vec = false) or f32x4 operand. With `local` (a
 * kernel emitting it) the code goes in place: a call costs more than the call itself,
 * because V8's wasm calls save no vector registers, so every live v128 of the loop is
 * spilled around it (GELU's erf ran 10% faster in place). Without, it is a call to one
 * shared helper function.
 */
export function f32Math(lib: Lib, name: F32MathName, vec: boolean, x: X, local?: (type: T) => Local): X {
  if (local) {
    const n = new Num({ lib, local, inline: true }, 32, vec);
    return n.done(F32_MATH[name](n, n.let(x)));
  }
  return f32MathCall(lib, name, vec, x);
}

function f32MathCall(lib: Lib, name: F32MathName, vec: boolean, x: X): X {
  const t = vec ? binaryen.v128 : binaryen.f32;
  return lib.call(`m32.${name}.${vec ? 'v' : 's'}`, [t], t, [x], (f) => {
    const n = new Num(helperSite(lib, f), 32, vec);
    return n.done(F32_MATH[name](n, new Local(f.m, 0, t)));
  });
}
