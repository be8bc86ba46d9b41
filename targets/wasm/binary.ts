// How each kernel-IR binary operator is spelled in wasm on 32-bit values: one row per
// operator, typed over the kernel IR's BinaryOp, so a new operator fails to compile here
// until it has a row. A form left out is an operator the reference does not define on
// that type (Ops reports it). Semantics are the reference's (ir/scalar/ops.ts): XLA's
// integer division rules, shifts that saturate at the bit width, NaN-propagating
// min/max, C's fmod and pow.
import binaryen from 'binaryen';
import type { BinaryOp } from '../../ir/kernel/kernel.js';
import { constantI32, type Fn, type X } from './lib.js';
import { mathCall } from './math.js';
import type { Ops } from './ops.js';
import type { Temp } from './unary.js';

const V = binaryen.v128, I = binaryen.i32, F = binaryen.f32, D = binaryen.f64;

type Int = 's32' | 'u32';
type Form = (o: Ops, a: X, b: X) => X;
/**
 * s32 and u32 scalars. `temp` gives fresh locals of the function being emitted: with it,
 * minimum and maximum are a select over locals in place instead of a call.
 */
type IntForm = (o: Ops, s: Int, a: X, b: X, temp?: Temp) => X;
/** `bScalar`: the count as a scalar when every lane has the same (vector shifts take one count). */
type IntX4Form = (o: Ops, s: Int, a: X, b: X, bScalar?: () => X) => X;

export interface BinarySpelling {
  readonly f32?: Form;
  /** 'lanes': the f32 (or i32) form lane by lane, in a helper. */
  readonly f32x4?: Form | 'lanes';
  /** pred scalars are 0/1, pred lanes 0/−1: logic on bits. */
  readonly pred?: Form;
  readonly predx4?: Form;
  readonly i32?: IntForm;
  readonly i32x4?: IntX4Form | 'lanes';
}

/** A helper `k.<name>_<s>` over two i32s. */
const call = (o: Ops, name: string, s: Int, a: X, b: X, body: (f: Fn) => X): X => o.lib.call(`k.${name}_${s}`, [I, I], I, [a, b], body);
const p0 = (f: Fn): X => f.p(0), p1 = (f: Fn): X => f.p(1);
const signed = (s: Int): boolean => s === 's32';

/**
 * The right operand's value when it is a constant with which `op` needs none of the
 * helpers' guards (index arithmetic: x / 8, x % 28, x >> 2): the plain instruction then
 * goes in place, and the kernels need no inlining pass to run at full speed.
 */
function safeConstant(b: X, s: Int, op: 'divide' | 'remainder' | 'shift'): number | undefined {
  const c = constantI32(b);
  if (c === undefined) return undefined;
  if (op === 'shift') return c >>> 0 < 32 ? c : undefined;
  return c !== 0 && (!signed(s) || c !== -1) ? c : undefined;
}

/** min or max over i32s: in place with fresh locals where the emitter gives them, else a helper. */
function minMax(op: 'minimum' | 'maximum'): IntForm {
  return (o, s, a, b, temp) => {
    const m = o.m, sg = signed(s);
    if (temp) {
      const c = constantI32(b);
      const ta = temp(I), tb = c === undefined ? temp(I) : undefined;
      const bGet = () => (tb ? tb.g : m.i32.const(c!));
      const less = sg ? m.i32.lt_s(ta.g, bGet()) : m.i32.lt_u(ta.g, bGet());
      // wasm evaluates select's operands in order (a, b, condition), so the tees come first.
      return op === 'minimum' ? m.select(less, ta.tee(a), tb ? tb.tee(b) : b) : m.select(less, tb ? tb.tee(b) : b, ta.tee(a));
    }
    return op === 'maximum'
      ? call(o, 'max', s, a, b, (f) => m.select(sg ? m.i32.gt_s(p0(f), p1(f)) : m.i32.gt_u(p0(f), p1(f)), p0(f), p1(f)))
      : call(o, 'min', s, a, b, (f) => m.select(sg ? m.i32.lt_s(p0(f), p1(f)) : m.i32.lt_u(p0(f), p1(f)), p0(f), p1(f)));
  };
}

/** power or atan2 on f32: in double (math.ts), rounded once. */
const viaF64 = (name: 'pow' | 'atan2'): BinarySpelling['f32'] => (o, a, b) =>
  o.m.f32.demote(mathCall(o.lib, name, false, [o.m.f64.promote(a), o.m.f64.promote(b)]));
const viaF64x2 = (name: 'pow' | 'atan2'): BinarySpelling['f32x4'] => (o, a, b) =>
  o.f64x2(`f4.${name}`, [a, b], (xs) => mathCall(o.lib, name, true, xs));

/** A vector shift by one scalar count where the count is a splat; lane by lane otherwise. */
function vectorShift(op: 'shl' | 'shr_u' | 'shr_s'): IntX4Form {
  return (o, s, a, b, bScalar) => {
    const m = o.m;
    if (!bScalar) return o.binaryLanes(SHIFT_OP[op], s, a, b);
    const count = bScalar();
    if (op === 'shr_s')
      return o.lib.call('v.shr_s', [V, I], V, [a, count], (f) =>
        m.i32x4.shr_s(f.p(0), m.select(m.i32.ge_u(f.p(1), m.i32.const(32)), m.i32.const(31), f.p(1))));
    return o.lib.call(`v.${op}`, [V, I], V, [a, count], (f) => {
      const shifted = op === 'shl' ? m.i32x4.shl(f.p(0), f.p(1)) : m.i32x4.shr_u(f.p(0), f.p(1));
      return m.select(m.i32.ge_u(f.p(1), m.i32.const(32)), m.v128.const(new Array(16).fill(0)), shifted);
    });
  };
}
const SHIFT_OP = { shl: 'shift-left', shr_u: 'shift-right-logical', shr_s: 'shift-right-arithmetic' } as const;

export const BINARY: { readonly [O in BinaryOp]: BinarySpelling } = {
  add: {
    f32: (o, a, b) => o.m.f32.add(a, b), f32x4: (o, a, b) => o.m.f32x4.add(a, b),
    pred: (o, a, b) => o.m.i32.or(a, b), predx4: (o, a, b) => o.m.v128.or(a, b),
    i32: (o, _s, a, b) => o.m.i32.add(a, b), i32x4: (o, _s, a, b) => o.m.i32x4.add(a, b),
  },
  subtract: {
    f32: (o, a, b) => o.m.f32.sub(a, b), f32x4: (o, a, b) => o.m.f32x4.sub(a, b),
    pred: (o, a, b) => o.m.i32.xor(a, b), predx4: (o, a, b) => o.m.v128.xor(a, b),
    i32: (o, _s, a, b) => o.m.i32.sub(a, b), i32x4: (o, _s, a, b) => o.m.i32x4.sub(a, b),
  },
  multiply: {
    f32: (o, a, b) => o.m.f32.mul(a, b), f32x4: (o, a, b) => o.m.f32x4.mul(a, b),
    pred: (o, a, b) => o.m.i32.and(a, b), predx4: (o, a, b) => o.m.v128.and(a, b),
    i32: (o, _s, a, b) => o.m.i32.mul(a, b), i32x4: (o, _s, a, b) => o.m.i32x4.mul(a, b),
  },
  // XLA: x / 0 = −1 (all bits), INT_MIN / −1 = INT_MIN; pred a / b = a | !b. `if`, not `select`: div traps.
  divide: {
    f32: (o, a, b) => o.m.f32.div(a, b), f32x4: (o, a, b) => o.m.f32x4.div(a, b),
    pred: (o, a, b) => o.m.i32.or(a, o.m.i32.xor(b, o.m.i32.const(1))), predx4: (o, a, b) => o.m.v128.or(a, o.m.v128.not(b)),
    i32: (o, s, a, b) => {
      const m = o.m;
      if (safeConstant(b, s, 'divide') !== undefined) return signed(s) ? m.i32.div_s(a, b) : m.i32.div_u(a, b);
      return call(o, 'div', s, a, b, (f) => m.if(m.i32.eqz(p1(f)), m.i32.const(-1), signed(s)
        ? m.if(m.i32.and(m.i32.eq(p0(f), m.i32.const(-0x80000000)), m.i32.eq(p1(f), m.i32.const(-1))), p0(f), m.i32.div_s(p0(f), p1(f)))
        : m.i32.div_u(p0(f), p1(f))));
    },
    i32x4: 'lanes',
  },
  // x % 0 = x; the sign of the dividend (C's fmod for floats); pred a % b = a & !b.
  remainder: {
    f32: (o, a, b) => o.lib.call('k.fmod', [F, F], F, [a, b], (f) => fmod(f)), f32x4: 'lanes',
    pred: (o, a, b) => o.m.i32.and(a, o.m.i32.xor(b, o.m.i32.const(1))), predx4: (o, a, b) => o.m.v128.andnot(a, b),
    i32: (o, s, a, b) => {
      const m = o.m;
      if (safeConstant(b, s, 'remainder') !== undefined) return signed(s) ? m.i32.rem_s(a, b) : m.i32.rem_u(a, b);
      return call(o, 'rem', s, a, b, (f) => m.if(m.i32.eqz(p1(f)), p0(f), signed(s)
        ? m.if(m.i32.eq(p1(f), m.i32.const(-1)), m.i32.const(0), m.i32.rem_s(p0(f), p1(f)))
        : m.i32.rem_u(p0(f), p1(f))));
    },
    i32x4: 'lanes',
  },
  power: {
    f32: viaF64('pow'), f32x4: viaF64x2('pow'),
    pred: (o, a, b) => o.m.i32.or(a, o.m.i32.xor(b, o.m.i32.const(1))), predx4: (o, a, b) => o.m.v128.or(a, o.m.v128.not(b)),
    i32: (o, s, a, b) => call(o, 'pow', s, a, b, (f) => ipow(f, signed(s))),
    i32x4: 'lanes',
  },
  // wasm's f32 min/max propagate NaN and order −0 < +0, as the reference.
  maximum: {
    f32: (o, a, b) => o.m.f32.max(a, b), f32x4: (o, a, b) => o.m.f32x4.max(a, b),
    pred: (o, a, b) => o.m.i32.or(a, b), predx4: (o, a, b) => o.m.v128.or(a, b),
    i32: minMax('maximum'), i32x4: (o, s, a, b) => (signed(s) ? o.m.i32x4.max_s(a, b) : o.m.i32x4.max_u(a, b)),
  },
  minimum: {
    f32: (o, a, b) => o.m.f32.min(a, b), f32x4: (o, a, b) => o.m.f32x4.min(a, b),
    pred: (o, a, b) => o.m.i32.and(a, b), predx4: (o, a, b) => o.m.v128.and(a, b),
    i32: minMax('minimum'), i32x4: (o, s, a, b) => (signed(s) ? o.m.i32x4.min_s(a, b) : o.m.i32x4.min_u(a, b)),
  },
  atan2: {
    f32: viaF64('atan2'), f32x4: viaF64x2('atan2'),
    // atan2 of 0/1 values is 0 or a positive angle, as a pred: a.
    pred: (o, a, b) => o.m.block(null, [o.m.drop(b), a], I), predx4: (o, a, b) => o.m.block(null, [o.m.drop(b), a], V),
    i32: (o, s, a, b) => {
      const m = o.m;
      const cv = (x: X) => (signed(s) ? m.f64.convert_s.i32(x) : m.f64.convert_u.i32(x));
      return o.fromDouble(s, mathCall(o.lib, 'atan2', false, [cv(a), cv(b)]));
    },
    i32x4: 'lanes',
  },
  and: {
    pred: (o, a, b) => o.m.i32.and(a, b), predx4: (o, a, b) => o.m.v128.and(a, b),
    i32: (o, _s, a, b) => o.m.i32.and(a, b), i32x4: (o, _s, a, b) => o.m.v128.and(a, b),
  },
  or: {
    pred: (o, a, b) => o.m.i32.or(a, b), predx4: (o, a, b) => o.m.v128.or(a, b),
    i32: (o, _s, a, b) => o.m.i32.or(a, b), i32x4: (o, _s, a, b) => o.m.v128.or(a, b),
  },
  xor: {
    pred: (o, a, b) => o.m.i32.xor(a, b), predx4: (o, a, b) => o.m.v128.xor(a, b),
    i32: (o, _s, a, b) => o.m.i32.xor(a, b), i32x4: (o, _s, a, b) => o.m.v128.xor(a, b),
  },
  // Counts outside [0, 32) give 0, or the sign fill for arithmetic shifts.
  'shift-left': {
    i32: (o, s, a, b) => {
      const m = o.m;
      if (safeConstant(b, s, 'shift') !== undefined) return m.i32.shl(a, b);
      return o.lib.call('k.shl', [I, I], I, [a, b], (f) => m.select(m.i32.ge_u(p1(f), m.i32.const(32)), m.i32.const(0), m.i32.shl(p0(f), p1(f))));
    },
    i32x4: vectorShift('shl'),
  },
  'shift-right-logical': {
    i32: (o, s, a, b) => {
      const m = o.m;
      if (safeConstant(b, s, 'shift') !== undefined) return m.i32.shr_u(a, b);
      return o.lib.call('k.shr_u', [I, I], I, [a, b], (f) => m.select(m.i32.ge_u(p1(f), m.i32.const(32)), m.i32.const(0), m.i32.shr_u(p0(f), p1(f))));
    },
    i32x4: vectorShift('shr_u'),
  },
  'shift-right-arithmetic': {
    i32: (o, s, a, b) => {
      const m = o.m;
      if (safeConstant(b, s, 'shift') !== undefined) return m.i32.shr_s(a, b);
      return o.lib.call('k.shr_s', [I, I], I, [a, b], (f) => m.i32.shr_s(p0(f), m.select(m.i32.ge_u(p1(f), m.i32.const(32)), m.i32.const(31), p1(f))));
    },
    i32x4: vectorShift('shr_s'),
  },
};

/** C fmod on f32, exact: subtract the largest |y|·2^k ≤ |x| until |x| < |y| (each step exact by Sterbenz). */
function fmod(f: Fn): X {
  const m = f.m;
  const ax = f.local(D), ay = f.local(D), t = f.local(D), d = f.local(binaryen.i64);
  const exp = (x: X) => m.i64.shr_u(m.i64.reinterpret(x), m.i64.const(52));
  const scaled = (k: X) => m.f64.reinterpret(m.i64.add(m.i64.reinterpret(ay.g), m.i64.shl(k, m.i64.const(52))));
  return m.block(null, [
    m.if(m.i32.or(m.i32.or(m.i32.eqz(m.f32.lt(m.f32.abs(f.p(0)), m.f32.const(Infinity))), m.f32.ne(f.p(1), f.p(1))), m.f32.eq(f.p(1), m.f32.const(0))),
      m.return(m.f32.const(NaN))),
    m.if(m.f32.eq(m.f32.abs(f.p(1)), m.f32.const(Infinity)), m.return(f.p(0))),
    ax.set(m.f64.promote(m.f32.abs(f.p(0)))),
    ay.set(m.f64.promote(m.f32.abs(f.p(1)))),
    m.loop('fmod', m.if(m.f64.ge(ax.g, ay.g), m.block(null, [
      d.set(m.i64.sub(exp(ax.g), exp(ay.g))),
      t.set(scaled(d.g)),
      m.if(m.f64.gt(t.g, ax.g), t.set(scaled(m.i64.sub(d.g, m.i64.const(1))))),
      ax.set(m.f64.sub(ax.g, t.g)),
      m.br('fmod'),
    ]))),
    m.f32.copysign(m.f32.demote(ax.g), f.p(0)),
  ], F);
}

/** Integer power by squaring mod 2^32; negative signed exponents give 0 except for base 1. */
function ipow(f: Fn, signed: boolean): X {
  const m = f.m;
  const acc = f.local(I), base = f.local(I), e = f.local(I);
  return m.block(null, [
    ...(signed ? [m.if(m.i32.lt_s(f.p(1), m.i32.const(0)), m.return(m.i32.eq(f.p(0), m.i32.const(1))))] : []),
    acc.set(m.i32.const(1)), base.set(f.p(0)), e.set(f.p(1)),
    m.block('done', [m.loop('sq', m.block(null, [
      m.br('done', m.i32.eqz(e.g)),
      m.if(m.i32.and(e.g, m.i32.const(1)), acc.set(m.i32.mul(acc.g, base.g))),
      base.set(m.i32.mul(base.g, base.g)),
      e.set(m.i32.shr_u(e.g, m.i32.const(1))),
      m.br('sq'),
    ]))]),
    acc.g,
  ], I);
}
