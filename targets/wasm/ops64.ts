// How kernel-IR operators on the 64-bit types (f64, s64, u64; scalar only) are spelled in
// wasm: i64 and f64 values. Semantics are the reference interpreter's, as for 32 bits
// (ops.ts): x / 0 = −1 (all bits), INT64_MIN / −1 = INT64_MIN, x % 0 = x, shift counts
// outside [0, 64) give 0 or the sign fill, float → int converts truncate and saturate
// (wasm's trunc_sat is exactly that), int → float converts round once (wasm's convert
// rounds the exact integer), f64 remainder is C's fmod (exact), and the float functions
// are math64.ts's f64-accurate ones. Each returns undefined where the reference defines
// no such operator, and ops.ts reports it.
import binaryen from 'binaryen';
import { isWideInt, type BinaryOp, type CompareDir, type ScalarType, type UnaryOp } from '../../ir/kernel/kernel.js';
import { compareIn, type Fn, type Lib, type M, type T, type X } from './lib.js';
import { math64Call, type Math64Name } from './math64.js';
import { trig64Call, type Trig64Name } from './trig64.js';

const I = binaryen.i32, L = binaryen.i64, D = binaryen.f64;
const INT64_MIN = -(2n ** 63n);

/** The wasm type of a scalar of each compute type. */
export const SCALAR_WASM: Record<ScalarType, T> = {
  f32: binaryen.f32, s32: I, u32: I, pred: I, f64: D, s64: L, u64: L,
};

export class Ops64 {
  readonly m: M;
  constructor(readonly lib: Lib) {
    this.m = lib.m;
  }

  constant(s: ScalarType, value: number | bigint): X {
    return s === 'f64' ? this.m.f64.const(Number(value)) : this.m.i64.const(BigInt.asIntN(64, BigInt(value)));
  }

  /** `op` on an f64, s64 or u64 scalar (UNARY64), or undefined where the reference defines none. */
  unary(op: UnaryOp, s: ScalarType, a: X): X | undefined {
    const row = UNARY64[op];
    return s === 'f64' ? row.f64?.(this, a) : row.i64?.(this, s === 's64', a);
  }

  binary(op: BinaryOp, s: ScalarType, a: X, b: X): X | undefined {
    const row = BINARY64[op];
    return s === 'f64' ? row.f64?.(this, a, b) : row.i64?.(this, s === 's64', a, b);
  }

  compare(dir: CompareDir, s: ScalarType, a: X, b: X): X {
    return compareIn(s === 'f64' ? this.m.f64 : this.m.i64, dir, s === 's64' ? 's' : 'u', a, b);
  }

  /** HLO convert where either side is 64-bit (scalars). */
  convert(from: ScalarType, to: ScalarType, a: X): X {
    if (from === to) return a;
    const m = this.m;
    const unsigned = from === 'u32' || from === 'u64' || from === 'pred'; // pred is 0/1
    switch (to) {
      case 'f64':
        if (from === 'f32') return m.f64.promote(a);
        if (isWideInt(from)) return unsigned ? m.f64.convert_u.i64(a) : m.f64.convert_s.i64(a);
        return unsigned ? m.f64.convert_u.i32(a) : m.f64.convert_s.i32(a);
      case 's64': case 'u64':
        if (isWideInt(from)) return a;
        if (from === 'f64') return to === 's64' ? m.i64.trunc_s_sat.f64(a) : m.i64.trunc_u_sat.f64(a);
        if (from === 'f32') return to === 's64' ? m.i64.trunc_s_sat.f32(a) : m.i64.trunc_u_sat.f32(a);
        // An s32 sign-extends whatever the target (the reference wraps the integer's value).
        // A u32 zero-extends, but not by i64.extend_i32_u: binaryen 132's optimizer turns
        // extend_u(i32.load) into i64.load32_s, which sign-extends; it keeps this form right.
        if (from === 'u32') return m.i64.and(m.i64.extend_s(a), m.i64.const(0xffffffff));
        return m.i64.extend_s(a); // s32, and pred's 0/1
      case 'f32':
        if (from === 'f64') return m.f32.demote(a);
        return unsigned ? m.f32.convert_u.i64(a) : m.f32.convert_s.i64(a);
      case 's32': case 'u32':
        if (from === 'f64') return to === 's32' ? m.i32.trunc_s_sat.f64(a) : m.i32.trunc_u_sat.f64(a);
        return m.i32.wrap(a);
      case 'pred':
        return from === 'f64' ? m.f64.ne(a, m.f64.const(0)) : m.i64.ne(a, m.i64.const(0)); // NaN → true, as the reference
    }
  }

  /** Same bits between s64, u64 and f64. */
  bitcast(from: ScalarType, to: ScalarType, a: X): X {
    if (from === to || (isWideInt(from) && isWideInt(to))) return a;
    return to === 'f64' ? this.m.f64.reinterpret(a) : this.m.i64.reinterpret(a);
  }
}

/** How each unary operator is spelled on f64 and on s64/u64; a form left out: not defined there. */
interface Unary64 {
  readonly f64?: (o: Ops64, a: X) => X;
  readonly i64?: (o: Ops64, signed: boolean, a: X) => X;
}

const f64Math = (name: Math64Name | 'erf'): Unary64 => ({ f64: (o, a) => math64Call(o.lib, name, [a]) });
const f64Trig = (name: Trig64Name): Unary64 => ({ f64: (o, a) => trig64Call(o.lib, name, a) });
/** floor, ceil and the two roundings leave integers as they are. */
const rounding = (f64: (o: Ops64, a: X) => X): Unary64 => ({ f64, i64: (_o, _signed, a) => a });

const UNARY64: { readonly [O in UnaryOp]: Unary64 } = {
  abs: {
    f64: (o, a) => o.m.f64.abs(a),
    i64: (o, signed, a) => {
      const m = o.m, i64 = m.i64;
      return signed ? o.lib.call('k.abs_s64', [L], L, [a], (f) =>
        m.select(i64.lt_s(f.p(0), i64.const(0)), i64.sub(i64.const(0), f.p(0)), f.p(0))) : a;
    },
  },
  negate: { f64: (o, a) => o.m.f64.neg(a), i64: (o, _signed, a) => o.m.i64.sub(o.m.i64.const(0), a) },
  not: { i64: (o, _signed, a) => o.m.i64.xor(a, o.m.i64.const(-1)) },
  sqrt: { f64: (o, a) => o.m.f64.sqrt(a) },
  // the reference's 1 / Math.sqrt(x), both correctly rounded
  rsqrt: { f64: (o, a) => o.m.f64.div(o.m.f64.const(1), o.m.f64.sqrt(a)) },
  floor: rounding((o, a) => o.m.f64.floor(a)),
  ceil: rounding((o, a) => o.m.f64.ceil(a)),
  'round-nearest-even': rounding((o, a) => o.m.f64.nearest(a)),
  'round-nearest-afz': rounding((o, a) => {
    const m = o.m;
    return o.lib.call('k.round_afz_f64', [D], D, [a], (f) =>
      m.select(m.f64.ge(m.f64.abs(m.f64.sub(f.p(0), m.f64.trunc(f.p(0)))), m.f64.const(0.5)),
        m.f64.add(m.f64.trunc(f.p(0)), m.f64.copysign(m.f64.const(1), f.p(0))), m.f64.trunc(f.p(0))));
  }),
  sign: {
    f64: (o, a) => {
      const m = o.m;
      return o.lib.call('k.sign_f64', [D], D, [a], (f) =>
        m.select(m.f64.eq(m.f64.abs(f.p(0)), m.f64.const(0)), f.p(0),
          m.select(m.f64.ne(f.p(0), f.p(0)), f.p(0), m.f64.copysign(m.f64.const(1), f.p(0)))));
    },
    i64: (o, signed, a) => {
      const i64 = o.m.i64;
      if (signed) return o.lib.call('k.sign_s64', [L], L, [a], (f) =>
        i64.or(i64.shr_s(f.p(0), i64.const(63)), i64.shr_u(i64.sub(i64.const(0), f.p(0)), i64.const(63))));
      return i64.extend_u(i64.ne(a, i64.const(0)));
    },
  },
  'is-finite': {
    f64: (o, a) => o.m.f64.lt(o.m.f64.abs(a), o.m.f64.const(Infinity)),
    i64: (o, _signed, a) => o.m.block(null, [o.m.drop(a), o.m.i32.const(1)], I),
  },
  popcnt: { i64: (o, _signed, a) => o.m.i64.popcnt(a) },
  clz: { i64: (o, _signed, a) => o.m.i64.clz(a) },
  exponential: f64Math('exp'),
  'exponential-minus-one': f64Math('expm1'),
  log: f64Math('log'),
  'log-plus-one': f64Math('log1p'),
  tanh: f64Math('tanh'),
  logistic: f64Math('logistic'),
  cbrt: f64Math('cbrt'),
  sinh: f64Math('sinh'),
  cosh: f64Math('cosh'),
  asinh: f64Math('asinh'),
  acosh: f64Math('acosh'),
  atanh: f64Math('atanh'),
  asin: f64Math('asin'),
  acos: f64Math('acos'),
  erf: f64Math('erf'),
  sine: f64Trig('sin'),
  cosine: f64Trig('cos'),
  tan: f64Trig('tan'),
};

/** How each binary operator is spelled on f64 and on s64/u64; a form left out: not defined there. */
interface Binary64 {
  readonly f64?: (o: Ops64, a: X, b: X) => X;
  readonly i64?: (o: Ops64, signed: boolean, a: X, b: X) => X;
}

const p0 = (f: Fn): X => f.p(0), p1 = (f: Fn): X => f.p(1);
/** A helper `k.<name>_s64` or `k.<name>_u64` over two i64s. */
const call = (o: Ops64, name: string, signed: boolean, a: X, b: X, body: (f: Fn) => X): X =>
  o.lib.call(`k.${name}_${signed ? 's64' : 'u64'}`, [L, L], L, [a, b], body);
/** A shift count outside [0, 64). */
const out = (f: Fn): X => f.m.i64.ge_u(p1(f), f.m.i64.const(64));

const BINARY64: { readonly [O in BinaryOp]: Binary64 } = {
  add: { f64: (o, a, b) => o.m.f64.add(a, b), i64: (o, _s, a, b) => o.m.i64.add(a, b) },
  subtract: { f64: (o, a, b) => o.m.f64.sub(a, b), i64: (o, _s, a, b) => o.m.i64.sub(a, b) },
  multiply: { f64: (o, a, b) => o.m.f64.mul(a, b), i64: (o, _s, a, b) => o.m.i64.mul(a, b) },
  // `if`, not `select`: wasm's division traps on 0 and on INT64_MIN / −1.
  divide: {
    f64: (o, a, b) => o.m.f64.div(a, b),
    i64: (o, signed, a, b) => {
      const m = o.m, i64 = m.i64;
      return call(o, 'div', signed, a, b, (f) => m.if(i64.eqz(p1(f)), i64.const(-1), signed
        ? m.if(m.i32.and(i64.eq(p0(f), i64.const(INT64_MIN)), i64.eq(p1(f), i64.const(-1))), p0(f), i64.div_s(p0(f), p1(f)))
        : i64.div_u(p0(f), p1(f))));
    },
  },
  remainder: {
    f64: (o, a, b) => o.lib.call('k.fmod_f64', [D, D], D, [a, b], fmod64),
    i64: (o, signed, a, b) => {
      const m = o.m, i64 = m.i64;
      return call(o, 'rem', signed, a, b, (f) => m.if(i64.eqz(p1(f)), p0(f), signed
        ? m.if(i64.eq(p1(f), i64.const(-1)), i64.const(0), i64.rem_s(p0(f), p1(f)))
        : i64.rem_u(p0(f), p1(f))));
    },
  },
  power: {
    f64: (o, a, b) => math64Call(o.lib, 'pow', [a, b]),
    i64: (o, signed, a, b) => call(o, 'pow', signed, a, b, (f) => ipow64(f, signed)),
  },
  // wasm's min/max propagate NaN and order −0 < +0, as the reference
  maximum: {
    f64: (o, a, b) => o.m.f64.max(a, b),
    i64: (o, signed, a, b) => {
      const m = o.m, i64 = m.i64;
      return call(o, 'max', signed, a, b, (f) => m.select(signed ? i64.gt_s(p0(f), p1(f)) : i64.gt_u(p0(f), p1(f)), p0(f), p1(f)));
    },
  },
  minimum: {
    f64: (o, a, b) => o.m.f64.min(a, b),
    i64: (o, signed, a, b) => {
      const m = o.m, i64 = m.i64;
      return call(o, 'min', signed, a, b, (f) => m.select(signed ? i64.lt_s(p0(f), p1(f)) : i64.lt_u(p0(f), p1(f)), p0(f), p1(f)));
    },
  },
  atan2: { f64: (o, a, b) => math64Call(o.lib, 'atan2', [a, b]) },
  and: { i64: (o, _s, a, b) => o.m.i64.and(a, b) },
  or: { i64: (o, _s, a, b) => o.m.i64.or(a, b) },
  xor: { i64: (o, _s, a, b) => o.m.i64.xor(a, b) },
  'shift-left': { i64: (o, signed, a, b) => call(o, 'shl', signed, a, b, (f) => o.m.select(out(f), o.m.i64.const(0), o.m.i64.shl(p0(f), p1(f)))) },
  'shift-right-logical': { i64: (o, signed, a, b) => call(o, 'shr_u', signed, a, b, (f) => o.m.select(out(f), o.m.i64.const(0), o.m.i64.shr_u(p0(f), p1(f)))) },
  'shift-right-arithmetic': { i64: (o, signed, a, b) => call(o, 'shr_s', signed, a, b, (f) => o.m.i64.shr_s(p0(f), o.m.select(out(f), o.m.i64.const(63), p1(f)))) },
};

/** Integer power by squaring mod 2^64; negative signed exponents give 0 except for base 1. */
function ipow64(f: Fn, signed: boolean): X {
  const m = f.m, i64 = m.i64;
  const acc = f.local(L), base = f.local(L), e = f.local(L);
  return m.block(null, [
    ...(signed ? [m.if(i64.lt_s(f.p(1), i64.const(0)), m.return(i64.extend_u(i64.eq(f.p(0), i64.const(1)))))] : []),
    acc.set(i64.const(1)), base.set(f.p(0)), e.set(f.p(1)),
    m.block('done', [m.loop('sq', m.block(null, [
      m.br('done', i64.eqz(e.g)),
      m.if(i64.ne(i64.and(e.g, i64.const(1)), i64.const(0)), acc.set(i64.mul(acc.g, base.g))),
      base.set(i64.mul(base.g, base.g)),
      e.set(i64.shr_u(e.g, i64.const(1))),
      m.br('sq'),
    ]))]),
    acc.g,
  ], L);
}

/**
 * C's fmod on f64, exactly (musl's integer algorithm): with both significands as
 * integers, subtract |y| from |x|·2^k while shifting k down to y's exponent; subnormals
 * are normalised first.
 */
function fmod64(f: Fn): X {
  const m = f.m, i64 = m.i64;
  const ux = f.local(L), uy = f.local(L), ex = f.local(L), ey = f.local(L), i = f.local(L), sx = f.local(L), lz = f.local(L);
  const MANT = 0x000fffffffffffffn, HIDDEN = 1n << 52n;
  const zero = () => m.return(m.f64.mul(m.f64.const(0), f.p(0))); // ±0 with x's sign
  /** The significand of a (sign-free) pattern as an integer with its top bit at 2^52, and its exponent. */
  const normalise = (u: typeof ux, e: typeof ex): X => m.if(i64.eqz(e.g), m.block(null, [
    lz.set(i64.clz(i64.shl(u.g, i64.const(12)))),
    e.set(i64.sub(i64.const(0), lz.g)),
    u.set(i64.shl(u.g, i64.add(lz.g, i64.const(1)))),
  ]), u.set(i64.or(i64.and(u.g, i64.const(MANT)), i64.const(HIDDEN))));
  /** i = ux − uy; if it is not negative it replaces ux (returning ±0 when it is 0). */
  const step = (): X[] => [
    i.set(i64.sub(ux.g, uy.g)),
    m.if(i64.ge_s(i.g, i64.const(0)), m.block(null, [m.if(i64.eqz(i.g), zero()), ux.set(i.g)])),
  ];
  return m.block(null, [
    ux.set(i64.reinterpret(f.p(0))), uy.set(i64.reinterpret(f.p(1))),
    ex.set(i64.and(i64.shr_u(ux.g, i64.const(52)), i64.const(0x7ff))),
    ey.set(i64.and(i64.shr_u(uy.g, i64.const(52)), i64.const(0x7ff))),
    sx.set(i64.and(ux.g, i64.const(INT64_MIN))),
    // y = 0, y NaN, x inf or NaN: NaN.
    m.if(m.i32.or(m.i32.or(i64.eqz(i64.shl(uy.g, i64.const(1))), m.f64.ne(f.p(1), f.p(1))), i64.eq(ex.g, i64.const(0x7ff))),
      m.return(m.f64.const(NaN))),
    // |x| ≤ |y| (y = inf included): x, or ±0 when equal.
    m.if(i64.le_u(i64.shl(ux.g, i64.const(1)), i64.shl(uy.g, i64.const(1))),
      m.block(null, [m.if(i64.eq(i64.shl(ux.g, i64.const(1)), i64.shl(uy.g, i64.const(1))), zero()), m.return(f.p(0))])),
    normalise(ux, ex), normalise(uy, ey),
    m.block('done', [m.loop('sub', m.block(null, [
      m.br('done', i64.le_s(ex.g, ey.g)),
      ...step(),
      ux.set(i64.shl(ux.g, i64.const(1))),
      ex.set(i64.sub(ex.g, i64.const(1))),
      m.br('sub'),
    ]))]),
    ...step(),
    // Renormalise (ux ≠ 0 here), then rebuild the double: normal or subnormal.
    lz.set(i64.sub(i64.clz(ux.g), i64.const(11))),
    ux.set(i64.shl(ux.g, lz.g)),
    ex.set(i64.sub(ex.g, lz.g)),
    m.if(i64.gt_s(ex.g, i64.const(0)),
      ux.set(i64.or(i64.sub(ux.g, i64.const(HIDDEN)), i64.shl(ex.g, i64.const(52)))),
      ux.set(i64.shr_u(ux.g, i64.sub(i64.const(1), ex.g)))),
    m.f64.reinterpret(i64.or(ux.g, sx.g)),
  ], D);
}
