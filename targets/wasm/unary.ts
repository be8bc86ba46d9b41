// How each kernel-IR unary operator is spelled in wasm on 32-bit values: one row per
// operator, typed over the kernel IR's UnaryOp, so a new operator fails to compile here
// until it has a row. A form left out (or one returning undefined) is an operator the
// reference does not define on that type, which Ops reports as NotSupported.
import binaryen from 'binaryen';
import type { UnaryOp } from '../../ir/kernel/kernel.js';
import type { Local, T, X } from './lib.js';
import { mathCall, type MathName } from './math.js';
import { f32Math, type F32MathName } from './math_f32.js';
import { f64x2Bytes, type Narrow, type Ops } from './ops.js';

const V = binaryen.v128, I = binaryen.i32, F = binaryen.f32;

/** Fresh locals of the kernel being emitted, to put exp/erf/logistic in place (math_f32.ts). */
export type Temp = (type: T) => Local;

export interface UnarySpelling {
  readonly f32?: (o: Ops, a: X, temp?: Temp) => X;
  readonly f32x4?: (o: Ops, a: X, temp?: Temp) => X;
  /** s32, u32 and pred scalars (i32; pred is 0/1). */
  readonly i32?: (o: Ops, s: Narrow, a: X) => X | undefined;
  /** 4-lane s32, u32, pred (pred lanes are 0/−1); 'lanes': the i32 form lane by lane, in a helper. */
  readonly i32x4?: ((o: Ops, s: Narrow, a: X) => X | undefined) | 'lanes';
}

const same = (_o: Ops, _s: Narrow, a: X): X => a;

/**
 * A float function: f32 through math.ts's f64 code (or math_f32.ts's native f32 code
 * where `fast` names one); integer operands as the reference computes them, in double,
 * then wrapped.
 */
function transcendental(name: MathName, fast?: F32MathName): UnarySpelling {
  return {
    f32: fast ? (o, a, temp) => f32Math(o.lib, fast, false, a, temp)
      : (o, a) => o.m.f32.demote(mathCall(o.lib, name, false, [o.m.f64.promote(a)])),
    f32x4: fast ? (o, a, temp) => f32Math(o.lib, fast, true, a, temp)
      : (o, a) => o.f64x2(`f4.${name}`, [a], (xs) => mathCall(o.lib, name, true, xs)),
    i32: (o, s, a) => o.fromDouble(s, mathCall(o.lib, name, false, [o.toDouble(s, a)])),
    i32x4: 'lanes',
  };
}

/** floor, ceil and the two roundings leave integers as they are. */
const rounding = (f32: (o: Ops, a: X) => X, f32x4: (o: Ops, a: X) => X): UnarySpelling => ({ f32, f32x4, i32: same, i32x4: same });

/** ±1 with x's sign, in each lane. */
const signedOne = (o: Ops, x: X): X =>
  o.m.v128.or(o.constant({ scalar: 'f32', lanes: 4 }, 1), o.m.v128.and(x, o.constant({ scalar: 's32', lanes: 4 }, -0x80000000)));

export const UNARY: { readonly [O in UnaryOp]: UnarySpelling } = {
  abs: {
    f32: (o, a) => o.m.f32.abs(a),
    f32x4: (o, a) => o.m.f32x4.abs(a),
    i32: (o, s, a) => {
      const m = o.m;
      return s === 's32' ? o.lib.call('k.abs_s32', [I], I, [a], (f) =>
        m.select(m.i32.lt_s(f.p(0), m.i32.const(0)), m.i32.sub(m.i32.const(0), f.p(0)), f.p(0))) : a;
    },
    i32x4: (o, s, a) => (s === 's32' ? o.m.i32x4.abs(a) : a),
  },
  negate: {
    f32: (o, a) => o.m.f32.neg(a),
    f32x4: (o, a) => o.m.f32x4.neg(a),
    i32: (o, s, a) => (s === 'pred' ? a : o.m.i32.sub(o.m.i32.const(0), a)),
    i32x4: (o, s, a) => (s === 'pred' ? a : o.m.i32x4.neg(a)),
  },
  sqrt: {
    f32: (o, a) => o.m.f32.sqrt(a),
    f32x4: (o, a) => o.m.f32x4.sqrt(a),
    i32: (o, s, a) => o.fromDouble(s, o.m.f64.sqrt(o.toDouble(s, a))),
    i32x4: 'lanes',
  },
  // 1 / sqrt in double, as the reference's 1 / Math.sqrt(x), then rounded once.
  rsqrt: {
    f32: (o, a) => o.m.f32.demote(o.m.f64.div(o.m.f64.const(1), o.m.f64.sqrt(o.m.f64.promote(a)))),
    f32x4: (o, a) => o.f64x2('f4.rsqrt', [a], ([x]) => o.m.f64x2.div(o.m.v128.const(f64x2Bytes(1)), o.m.f64x2.sqrt(x))),
    i32: (o, s, a) => o.fromDouble(s, o.m.f64.div(o.m.f64.const(1), o.m.f64.sqrt(o.toDouble(s, a)))),
    i32x4: 'lanes',
  },
  floor: rounding((o, a) => o.m.f32.floor(a), (o, a) => o.m.f32x4.floor(a)),
  ceil: rounding((o, a) => o.m.f32.ceil(a), (o, a) => o.m.f32x4.ceil(a)),
  'round-nearest-even': rounding((o, a) => o.m.f32.nearest(a), (o, a) => o.m.f32x4.nearest(a)),
  'round-nearest-afz': rounding(
    (o, a) => {
      const m = o.m;
      return o.lib.call('k.round_afz', [F], F, [a], (f) =>
        // trunc(x) + (|x − trunc x| ≥ ½ ? ±1 : 0), exact in f32
        m.select(m.f32.ge(m.f32.abs(m.f32.sub(f.p(0), m.f32.trunc(f.p(0)))), m.f32.const(0.5)),
          m.f32.add(m.f32.trunc(f.p(0)), m.f32.copysign(m.f32.const(1), f.p(0))), m.f32.trunc(f.p(0))));
    },
    (o, a) => {
      const m = o.m;
      return o.lib.call('v.round_afz', [V], V, [a], (f) => {
        const t = m.f32x4.trunc(f.p(0));
        const half = m.f32x4.ge(m.f32x4.abs(m.f32x4.sub(f.p(0), m.f32x4.trunc(f.p(0)))), o.constant({ scalar: 'f32', lanes: 4 }, 0.5));
        return m.v128.bitselect(m.f32x4.add(m.f32x4.trunc(f.p(0)), signedOne(o, f.p(0))), t, half); // t itself keeps −0
      });
    },
  ),
  sign: {
    f32: (o, a) => {
      const m = o.m;
      return o.lib.call('k.sign_f32', [F], F, [a], (f) =>
        m.select(m.f32.eq(m.f32.abs(f.p(0)), m.f32.const(0)), f.p(0),
          m.select(m.f32.ne(f.p(0), f.p(0)), f.p(0), m.f32.copysign(m.f32.const(1), f.p(0)))));
    },
    f32x4: (o, a) => {
      const m = o.m;
      return o.lib.call('v.sign_f32', [V], V, [a], (f) => {
        const one = signedOne(o, f.p(0));
        // zero or NaN: keep x
        const keep = m.v128.not(m.f32x4.gt(m.f32x4.abs(f.p(0)), o.constant({ scalar: 'f32', lanes: 4 }, 0)));
        return m.v128.bitselect(f.p(0), one, keep);
      });
    },
    i32: (o, s, a) => {
      const m = o.m;
      if (s === 's32') return o.lib.call('k.sign_s32', [I], I, [a], (f) =>
        m.i32.or(m.i32.shr_s(f.p(0), m.i32.const(31)), m.i32.shr_u(m.i32.sub(m.i32.const(0), f.p(0)), m.i32.const(31))));
      return s === 'u32' ? m.i32.ne(a, m.i32.const(0)) : a;
    },
    i32x4: (o, s, a) => {
      const m = o.m;
      if (s === 's32') return o.lib.call('v.sign_s32', [V], V, [a], (f) =>
        m.v128.or(m.i32x4.shr_s(f.p(0), m.i32.const(31)), m.i32x4.shr_u(m.i32x4.neg(f.p(0)), m.i32.const(31))));
      return s === 'u32' ? m.v128.and(m.i32x4.ne(a, o.constant({ scalar: 's32', lanes: 4 }, 0)), o.constant({ scalar: 's32', lanes: 4 }, 1)) : a;
    },
  },
  not: {
    i32: (o, s, a) => (s === 'pred' ? o.m.i32.xor(a, o.m.i32.const(1)) : o.m.i32.xor(a, o.m.i32.const(-1))),
    i32x4: (o, _s, a) => o.m.v128.not(a),
  },
  'is-finite': {
    f32: (o, a) => o.m.f32.lt(o.m.f32.abs(a), o.m.f32.const(Infinity)),
    f32x4: (o, a) => o.m.f32x4.lt(o.m.f32x4.abs(a), o.constant({ scalar: 'f32', lanes: 4 }, Infinity)),
    i32: (o, _s, a) => o.m.block(null, [o.m.drop(a), o.m.i32.const(1)], I),
    i32x4: (o, _s, a) => o.m.block(null, [o.m.drop(a), o.constant({ scalar: 'pred', lanes: 4 }, 1)], V),
  },
  popcnt: {
    i32: (o, s, a) => (s === 'pred' ? undefined : o.m.i32.popcnt(a)),
    i32x4: (o, s, a) => (s === 'pred' ? undefined
      : o.m.i32x4.extadd_pairwise_i16x8_u(o.m.i16x8.extadd_pairwise_i8x16_u(o.m.i8x16.popcnt(a)))),
  },
  clz: {
    i32: (o, s, a) => (s === 'pred' ? undefined : o.m.i32.clz(a)),
    i32x4: 'lanes',
  },
  exponential: transcendental('exp', 'exp'),
  'exponential-minus-one': transcendental('expm1'),
  log: transcendental('log'),
  'log-plus-one': transcendental('log1p'),
  tanh: transcendental('tanh'),
  logistic: transcendental('logistic', 'logistic'),
  cbrt: transcendental('cbrt'),
  sine: transcendental('sin'),
  cosine: transcendental('cos'),
  tan: transcendental('tan'),
  erf: transcendental('erf', 'erf'),
  acos: transcendental('acos'),
  acosh: transcendental('acosh'),
  asin: transcendental('asin'),
  asinh: transcendental('asinh'),
  atanh: transcendental('atanh'),
  cosh: transcendental('cosh'),
  sinh: transcendental('sinh'),
};
