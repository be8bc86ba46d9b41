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
import { bytes32, Local, type Lib, type T, type X } from './lib.js';

/** Where a function's code goes: its own function (a call), or in place in the caller. */
interface Site {
  readonly lib: Lib;
  /** A fresh local of the function the code is emitted into. */
  readonly local: (type: T) => Local;
  /** In place: the functions it uses (logistic uses exp) go in place too. */
  readonly inline: boolean;
}

/** Scalar f32 (vec = false) or f32x4 (vec = true) code in one function body. */
class Num32 {
  readonly stmts: X[] = [];
  constructor(readonly site: Site, readonly vec: boolean) {}
  get m() { return this.site.lib.m; }
  get t(): T { return this.vec ? binaryen.v128 : binaryen.f32; }

  c(x: number): X { return this.vec ? this.m.v128.const(bytes32([x, x, x, x], true)) : this.m.f32.const(x); }
  let(x: X, type: T = this.t): Local {
    const l = this.site.local(type);
    this.stmts.push(l.set(x));
    return l;
  }
  done(result: X): X { return this.m.block(null, [...this.stmts, result], this.t); }

  private fb(s: (a: X, b: X) => X, v: (a: X, b: X) => X) { return (a: X, b: X): X => (this.vec ? v(a, b) : s(a, b)); }
  private fu(s: (a: X) => X, v: (a: X) => X) { return (a: X): X => (this.vec ? v(a) : s(a)); }

  add = this.fb((a, b) => this.m.f32.add(a, b), (a, b) => this.m.f32x4.add(a, b));
  sub = this.fb((a, b) => this.m.f32.sub(a, b), (a, b) => this.m.f32x4.sub(a, b));
  mul = this.fb((a, b) => this.m.f32.mul(a, b), (a, b) => this.m.f32x4.mul(a, b));
  div = this.fb((a, b) => this.m.f32.div(a, b), (a, b) => this.m.f32x4.div(a, b));
  abs = this.fu((a) => this.m.f32.abs(a), (a) => this.m.f32x4.abs(a));
  neg = this.fu((a) => this.m.f32.neg(a), (a) => this.m.f32x4.neg(a));
  lt = this.fb((a, b) => this.m.f32.lt(a, b), (a, b) => this.m.f32x4.lt(a, b));
  ge = this.fb((a, b) => this.m.f32.ge(a, b), (a, b) => this.m.f32x4.ge(a, b));
  copysign = this.fb((a, b) => this.m.f32.copysign(a, b), (a, b) =>
    this.m.v128.or(this.m.f32x4.abs(a), this.m.v128.and(b, this.m.v128.const(bytes32([-0x80000000, -0x80000000, -0x80000000, -0x80000000], false)))));
  sel(mask: X, a: X, b: X): X { return this.vec ? this.m.v128.bitselect(a, b, mask) : this.m.select(mask, a, b); }
  /**
   * `a` clamped below by `lo` and above by `hi` (either may be omitted). NaN stays NaN:
   * wasm's pmin/pmax (one instruction each, unlike min/max) return their first operand
   * when a comparison with NaN fails.
   */
  clamp(a: X, lo?: number, hi?: number): X {
    const m = this.m;
    // Scalars compare and select, which reads `a` twice: through a local, since binaryen
    // IR is a tree and an expression node may not appear twice.
    const twice = (x: X): [X, X] => { const l = this.let(x); return [l.g, l.g]; };
    if (lo !== undefined) {
      if (this.vec) a = m.f32x4.pmax(a, this.c(lo));
      else { const [u, v] = twice(a); a = m.select(m.f32.lt(u, m.f32.const(lo)), m.f32.const(lo), v); }
    }
    if (hi !== undefined) {
      if (this.vec) a = m.f32x4.pmin(a, this.c(hi));
      else { const [u, v] = twice(a); a = m.select(m.f32.gt(u, m.f32.const(hi)), m.f32.const(hi), v); }
    }
    return a;
  }

  // 32-bit integer views of f32 lanes.
  ic(x: number): X { return this.vec ? this.m.v128.const(bytes32([x, x, x, x], false)) : this.m.i32.const(x); }
  bits = this.fu((a) => this.m.i32.reinterpret(a), (a) => a);
  float = this.fu((a) => this.m.f32.reinterpret(a), (a) => a);
  iadd = this.fb((a, b) => this.m.i32.add(a, b), (a, b) => this.m.i32x4.add(a, b));
  isub = this.fb((a, b) => this.m.i32.sub(a, b), (a, b) => this.m.i32x4.sub(a, b));
  shl = (a: X, n: number): X => (this.vec ? this.m.i32x4.shl(a, this.m.i32.const(n)) : this.m.i32.shl(a, this.m.i32.const(n)));
  shrs = (a: X, n: number): X => (this.vec ? this.m.i32x4.shr_s(a, this.m.i32.const(n)) : this.m.i32.shr_s(a, this.m.i32.const(n)));
  iLet(x: X): Local { return this.let(x, this.vec ? binaryen.v128 : binaryen.i32); }

  /** 2^k as an f32 for integer lanes k in [-126, 127], built in the exponent field. */
  pow2(k: X): X { return this.float(this.shl(this.iadd(k, this.ic(127)), 23)); }
  /** Σ coeffs[i] tⁱ by Horner's rule (Estrin's shorter chain measured no faster here, and less accurate). */
  poly(t: Local, coeffs: readonly number[]): X {
    let acc = this.c(coeffs[coeffs.length - 1]);
    for (let i = coeffs.length - 2; i >= 0; i--) acc = this.add(this.mul(acc, t.g), this.c(coeffs[i]));
    return acc;
  }
}

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

type Body = (n: Num32, x: Local) => X;

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
  const k = n.iLet(n.isub(n.bits(t.g), n.ic(ROUND_MAGIC_BITS)));
  const k1 = n.iLet(n.shrs(k.g, 1));
  return n.mul(n.mul(p, n.pow2(k1.g)), n.pow2(n.isub(k.g, k1.g)));
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

function call(n: Num32, name: F32MathName, x: X): X {
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
    const n = new Num32({ lib, local, inline: true }, vec);
    return n.done(F32_MATH[name](n, n.let(x)));
  }
  return f32MathCall(lib, name, vec, x);
}

function f32MathCall(lib: Lib, name: F32MathName, vec: boolean, x: X): X {
  const t = vec ? binaryen.v128 : binaryen.f32;
  return lib.call(`m32.${name}.${vec ? 'v' : 's'}`, [t], t, [x], (f) => {
    const n = new Num32({ lib, local: (type) => f.local(type), inline: false }, vec);
    return n.done(F32_MATH[name](n, new Local(f.m, 0, t)));
  });
}
