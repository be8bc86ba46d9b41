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

const F64_MATH: Partial<Record<UnaryOp, Math64Name | 'erf'>> = {
  exponential: 'exp', 'exponential-minus-one': 'expm1', log: 'log', 'log-plus-one': 'log1p', tanh: 'tanh',
  logistic: 'logistic', cbrt: 'cbrt', sinh: 'sinh', cosh: 'cosh', asinh: 'asinh', acosh: 'acosh', atanh: 'atanh',
  asin: 'asin', acos: 'acos', erf: 'erf',
};
const F64_TRIG: Partial<Record<UnaryOp, Trig64Name>> = { sine: 'sin', cosine: 'cos', tan: 'tan' };

export class Ops64 {
  readonly m: M;
  constructor(readonly lib: Lib) {
    this.m = lib.m;
  }

  constant(s: ScalarType, value: number | bigint): X {
    return s === 'f64' ? this.m.f64.const(Number(value)) : this.m.i64.const(BigInt.asIntN(64, BigInt(value)));
  }

  unary(op: UnaryOp, s: ScalarType, a: X): X | undefined {
    return s === 'f64' ? this.unaryF64(op, a) : this.unaryInt(op, s === 's64', a);
  }

  private unaryF64(op: UnaryOp, a: X): X | undefined {
    const m = this.m, lib = this.lib;
    const math = F64_MATH[op];
    if (math) return math64Call(lib, math, [a]);
    const trig = F64_TRIG[op];
    if (trig) return trig64Call(lib, trig, a);
    switch (op) {
      case 'abs': return m.f64.abs(a);
      case 'negate': return m.f64.neg(a);
      case 'sqrt': return m.f64.sqrt(a);
      case 'rsqrt': return m.f64.div(m.f64.const(1), m.f64.sqrt(a)); // the reference's 1 / Math.sqrt(x), both correctly rounded
      case 'floor': return m.f64.floor(a);
      case 'ceil': return m.f64.ceil(a);
      case 'round-nearest-even': return m.f64.nearest(a);
      case 'round-nearest-afz': return lib.call('k.round_afz_f64', [D], D, [a], (f) =>
        m.select(m.f64.ge(m.f64.abs(m.f64.sub(f.p(0), m.f64.trunc(f.p(0)))), m.f64.const(0.5)),
          m.f64.add(m.f64.trunc(f.p(0)), m.f64.copysign(m.f64.const(1), f.p(0))), m.f64.trunc(f.p(0))));
      case 'sign': return lib.call('k.sign_f64', [D], D, [a], (f) =>
        m.select(m.f64.eq(m.f64.abs(f.p(0)), m.f64.const(0)), f.p(0),
          m.select(m.f64.ne(f.p(0), f.p(0)), f.p(0), m.f64.copysign(m.f64.const(1), f.p(0)))));
      case 'is-finite': return m.f64.lt(m.f64.abs(a), m.f64.const(Infinity));
      default: return undefined;
    }
  }

  private unaryInt(op: UnaryOp, signed: boolean, a: X): X | undefined {
    const m = this.m, i64 = m.i64;
    switch (op) {
      case 'abs':
        return signed ? this.lib.call('k.abs_s64', [L], L, [a], (f) =>
          m.select(i64.lt_s(f.p(0), i64.const(0)), i64.sub(i64.const(0), f.p(0)), f.p(0))) : a;
      case 'negate': return i64.sub(i64.const(0), a);
      case 'not': return i64.xor(a, i64.const(-1));
      case 'sign':
        if (signed) return this.lib.call('k.sign_s64', [L], L, [a], (f) =>
          i64.or(i64.shr_s(f.p(0), i64.const(63)), i64.shr_u(i64.sub(i64.const(0), f.p(0)), i64.const(63))));
        return i64.extend_u(i64.ne(a, i64.const(0)));
      case 'popcnt': return i64.popcnt(a);
      case 'clz': return i64.clz(a);
      case 'floor': case 'ceil': case 'round-nearest-afz': case 'round-nearest-even': return a;
      case 'is-finite': return m.block(null, [m.drop(a), m.i32.const(1)], I);
      default: return undefined;
    }
  }

  binary(op: BinaryOp, s: ScalarType, a: X, b: X): X | undefined {
    return s === 'f64' ? this.binaryF64(op, a, b) : this.binaryInt(op, s === 's64', a, b);
  }

  private binaryF64(op: BinaryOp, a: X, b: X): X | undefined {
    const f64 = this.m.f64;
    switch (op) {
      case 'add': return f64.add(a, b);
      case 'subtract': return f64.sub(a, b);
      case 'multiply': return f64.mul(a, b);
      case 'divide': return f64.div(a, b);
      case 'maximum': return f64.max(a, b); // wasm's min/max propagate NaN and order −0 < +0, as the reference
      case 'minimum': return f64.min(a, b);
      case 'remainder': return this.lib.call('k.fmod_f64', [D, D], D, [a, b], fmod64);
      case 'power': return math64Call(this.lib, 'pow', [a, b]);
      case 'atan2': return math64Call(this.lib, 'atan2', [a, b]);
      default: return undefined;
    }
  }

  private binaryInt(op: BinaryOp, signed: boolean, a: X, b: X): X | undefined {
    const m = this.m, i64 = m.i64;
    const s = signed ? 's64' : 'u64';
    const p0 = (f: Fn) => f.p(0), p1 = (f: Fn) => f.p(1);
    const call = (name: string, body: (f: Fn) => X) => this.lib.call(`k.${name}_${s}`, [L, L], L, [a, b], body);
    const out = (f: Fn) => i64.ge_u(p1(f), i64.const(64));
    switch (op) {
      case 'add': return i64.add(a, b);
      case 'subtract': return i64.sub(a, b);
      case 'multiply': return i64.mul(a, b);
      case 'and': return i64.and(a, b);
      case 'or': return i64.or(a, b);
      case 'xor': return i64.xor(a, b);
      case 'maximum': return call('max', (f) => m.select(signed ? i64.gt_s(p0(f), p1(f)) : i64.gt_u(p0(f), p1(f)), p0(f), p1(f)));
      case 'minimum': return call('min', (f) => m.select(signed ? i64.lt_s(p0(f), p1(f)) : i64.lt_u(p0(f), p1(f)), p0(f), p1(f)));
      // `if`, not `select`: wasm's division traps on 0 and on INT64_MIN / −1.
      case 'divide': return call('div', (f) => m.if(i64.eqz(p1(f)), i64.const(-1), signed
        ? m.if(m.i32.and(i64.eq(p0(f), i64.const(INT64_MIN)), i64.eq(p1(f), i64.const(-1))), p0(f), i64.div_s(p0(f), p1(f)))
        : i64.div_u(p0(f), p1(f))));
      case 'remainder': return call('rem', (f) => m.if(i64.eqz(p1(f)), p0(f), signed
        ? m.if(i64.eq(p1(f), i64.const(-1)), i64.const(0), i64.rem_s(p0(f), p1(f)))
        : i64.rem_u(p0(f), p1(f))));
      case 'power': return call('pow', (f) => ipow64(f, signed));
      case 'shift-left': return call('shl', (f) => m.select(out(f), i64.const(0), i64.shl(p0(f), p1(f))));
      case 'shift-right-logical': return call('shr_u', (f) => m.select(out(f), i64.const(0), i64.shr_u(p0(f), p1(f))));
      case 'shift-right-arithmetic': return call('shr_s', (f) => i64.shr_s(p0(f), m.select(out(f), i64.const(63), p1(f))));
      default: return undefined;
    }
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
