// How each kernel-IR operator is spelled in wasm, for scalars (f32 / i32; pred is i32 0/1)
// and 4-lane vectors (v128; pred lanes are 0/−1 masks). Semantics are the reference
// interpreter's (ir/scalar/ops.ts): XLA's integer division rules, shifts that
// saturate at the bit width, NaN-propagating min/max, C's fmod and pow. Where wasm has
// no vector form the scalar form runs lane by lane inside a helper.
import binaryen from 'binaryen';
import { isWide, type BinaryOp, type CompareDir, type ScalarType, type UnaryOp, type ValueType } from '../../ir/kernel/kernel.js';
import { bytes32, compareIn, constantI32, Local, type Fn, type Lib, type M, type T, type X } from './lib.js';
import { mathCall, type MathName } from './math.js';
import { Ops64, SCALAR_WASM } from './ops64.js';
import { f32Math, type F32MathName } from './math_f32.js';
import { NotSupported } from './errors.js';

export const wasmType = (t: ValueType): T => (t.lanes === 4 ? binaryen.v128 : SCALAR_WASM[t.scalar]);
const scalarType = (s: ScalarType): T => (s === 'f32' ? binaryen.f32 : binaryen.i32);
const V = binaryen.v128, I = binaryen.i32, F = binaryen.f32, D = binaryen.f64;

const TRANSCENDENTAL: Partial<Record<UnaryOp, MathName>> = {
  exponential: 'exp', 'exponential-minus-one': 'expm1', log: 'log', 'log-plus-one': 'log1p', tanh: 'tanh',
  logistic: 'logistic', cbrt: 'cbrt', sine: 'sin', cosine: 'cos', tan: 'tan', erf: 'erf', acos: 'acos',
  acosh: 'acosh', asin: 'asin', asinh: 'asinh', atanh: 'atanh', cosh: 'cosh', sinh: 'sinh',
};

/** f32 functions with a native f32 / f32x4 version (math_f32.ts), used before TRANSCENDENTAL's f64 one. */
const FAST_F32: Partial<Record<UnaryOp, F32MathName>> = { exponential: 'exp', erf: 'erf', logistic: 'logistic' };

export { NotSupported } from './errors.js';

export class Ops {
  readonly m: M;
  /** The 64-bit types' operators (scalar only): ops64.ts. */
  readonly wide: Ops64;
  constructor(readonly lib: Lib) {
    this.m = lib.m;
    this.wide = new Ops64(lib);
  }

  // ---- constants and lanes ----

  constant(t: ValueType, value: number | bigint): X {
    if (typeof value === 'bigint' || isWide(t.scalar)) return this.wide.constant(t.scalar, value);
    const m = this.m;
    if (t.lanes === 1) return t.scalar === 'f32' ? m.f32.const(value) : m.i32.const(t.scalar === 'pred' ? (value ? 1 : 0) : value | 0);
    if (t.scalar === 'f32') return m.v128.const(bytes32([value, value, value, value], true));
    const v = t.scalar === 'pred' ? (value ? -1 : 0) : value | 0;
    return m.v128.const(bytes32([v, v, v, v], false));
  }

  /** a·b + c with relaxed SIMD: fused where the CPU has fma, else rounded twice. */
  relaxedMadd(a: X, b: X, c: X): X {
    // binaryen.js has no wrapper for the relaxed-SIMD ternaries; this is the C API it wraps.
    const api = binaryen as unknown as { _BinaryenSIMDTernary(m: number, op: binaryen.Operations, a: X, b: X, c: X): X };
    return api._BinaryenSIMDTernary(this.m.ptr, binaryen.RelaxedMaddVecF32x4, a, b, c);
  }

  splat(s: ScalarType, a: X): X {
    if (s === 'f32') return this.m.f32x4.splat(a);
    return this.m.i32x4.splat(s === 'pred' ? this.m.i32.sub(this.m.i32.const(0), a) : a);
  }

  extract(s: ScalarType, v: X, lane: number): X {
    if (s === 'f32') return this.m.f32x4.extract_lane(v, lane);
    const x = this.m.i32x4.extract_lane(v, lane);
    return s === 'pred' ? this.m.i32.and(x, this.m.i32.const(1)) : x;
  }

  replace(s: ScalarType, v: X, lane: number, x: X): X {
    if (s === 'f32') return this.m.f32x4.replace_lane(v, lane, x);
    return this.m.i32x4.replace_lane(v, lane, s === 'pred' ? this.m.i32.sub(this.m.i32.const(0), x) : x);
  }

  /** A v128 helper applying scalar code to each lane of its operands. */
  lanewise(name: string, ins: readonly ScalarType[], out: ScalarType, args: readonly X[], scalar: (xs: X[]) => X): X {
    return this.lib.call(`v.${name}`, ins.map(() => V), V, args, (f) => {
      let acc = this.m.v128.const(new Array(16).fill(0));
      for (let l = 0; l < 4; l++) acc = this.replace(out, acc, l, scalar(ins.map((s, i) => this.extract(s, f.p(i), l))));
      return acc;
    });
  }

  // ---- unary ----

  /** `temp`: fresh locals of the kernel being emitted, to put exp/erf/logistic in place (math_f32.ts). */
  unary(op: UnaryOp, t: ValueType, a: X, temp?: (type: T) => Local): X {
    const s = t.scalar;
    const r = isWide(s) ? this.wide.unary(op, s, a) : t.lanes === 1 ? this.unary1(op, s, a, temp) : this.unary4(op, s, a, temp);
    if (r === undefined) throw new NotSupported(`wasm: '${op}' is not defined on ${s}${t.lanes === 4 ? 'x4' : ''}`);
    return r;
  }

  private unary1(op: UnaryOp, s: ScalarType, a: X, temp?: (type: T) => Local): X | undefined {
    const m = this.m;
    const math = TRANSCENDENTAL[op];
    if (s === 'f32') {
      const fast = FAST_F32[op];
      if (fast) return f32Math(this.lib, fast, false, a, temp);
      if (math) return m.f32.demote(mathCall(this.lib, math, false, [m.f64.promote(a)]));
      switch (op) {
        case 'abs': return m.f32.abs(a);
        case 'negate': return m.f32.neg(a);
        case 'sqrt': return m.f32.sqrt(a);
        case 'rsqrt': return m.f32.demote(m.f64.div(m.f64.const(1), m.f64.sqrt(m.f64.promote(a))));
        case 'floor': return m.f32.floor(a);
        case 'ceil': return m.f32.ceil(a);
        case 'round-nearest-even': return m.f32.nearest(a);
        case 'round-nearest-afz': return this.lib.call('k.round_afz', [F], F, [a], (f) =>
          // trunc(x) + (|x − trunc x| ≥ ½ ? ±1 : 0), exact in f32
          m.select(m.f32.ge(m.f32.abs(m.f32.sub(f.p(0), m.f32.trunc(f.p(0)))), m.f32.const(0.5)),
            m.f32.add(m.f32.trunc(f.p(0)), m.f32.copysign(m.f32.const(1), f.p(0))), m.f32.trunc(f.p(0))));
        case 'sign': return this.lib.call('k.sign_f32', [F], F, [a], (f) =>
          m.select(m.f32.eq(m.f32.abs(f.p(0)), m.f32.const(0)), f.p(0),
            m.select(m.f32.ne(f.p(0), f.p(0)), f.p(0), m.f32.copysign(m.f32.const(1), f.p(0)))));
        case 'is-finite': return m.f32.lt(m.f32.abs(a), m.f32.const(Infinity));
        default: return undefined;
      }
    }
    if (math || op === 'sqrt' || op === 'rsqrt') {
      // Integer operands of float functions: the reference computes in double and wraps.
      const x = s === 's32' ? m.f64.convert_s.i32(a) : m.f64.convert_u.i32(a);
      const y = math ? mathCall(this.lib, math, false, [x]) : op === 'sqrt' ? m.f64.sqrt(x) : m.f64.div(m.f64.const(1), m.f64.sqrt(x));
      return this.fromDouble(s, y);
    }
    switch (op) {
      case 'abs':
        return s === 's32' ? this.lib.call('k.abs_s32', [I], I, [a], (f) =>
          m.select(m.i32.lt_s(f.p(0), m.i32.const(0)), m.i32.sub(m.i32.const(0), f.p(0)), f.p(0))) : a;
      case 'negate': return s === 'pred' ? a : m.i32.sub(m.i32.const(0), a);
      case 'not': return s === 'pred' ? m.i32.xor(a, m.i32.const(1)) : m.i32.xor(a, m.i32.const(-1));
      case 'sign':
        if (s === 's32') return this.lib.call('k.sign_s32', [I], I, [a], (f) =>
          m.i32.or(m.i32.shr_s(f.p(0), m.i32.const(31)), m.i32.shr_u(m.i32.sub(m.i32.const(0), f.p(0)), m.i32.const(31))));
        return s === 'u32' ? m.i32.ne(a, m.i32.const(0)) : a;
      case 'is-finite': return m.block(null, [m.drop(a), m.i32.const(1)], I);
      case 'popcnt': return s === 'pred' ? undefined : m.i32.popcnt(a);
      case 'clz': return s === 'pred' ? undefined : m.i32.clz(a);
      case 'floor': case 'ceil': case 'round-nearest-afz': case 'round-nearest-even': return a;
      default: return undefined;
    }
  }

  private unary4(op: UnaryOp, s: ScalarType, a: X, temp?: (type: T) => Local): X | undefined {
    const m = this.m;
    const math = TRANSCENDENTAL[op];
    if (s === 'f32') {
      const fast = FAST_F32[op];
      if (fast) return f32Math(this.lib, fast, true, a, temp);
      if (math) return this.f64x2(`f4.${math}`, [a], (xs) => mathCall(this.lib, math, true, xs));
      switch (op) {
        case 'abs': return m.f32x4.abs(a);
        case 'negate': return m.f32x4.neg(a);
        case 'sqrt': return m.f32x4.sqrt(a);
        case 'rsqrt': return this.f64x2('f4.rsqrt', [a], ([x]) => m.f64x2.div(m.v128.const(f64x2Bytes(1)), m.f64x2.sqrt(x)));
        case 'floor': return m.f32x4.floor(a);
        case 'ceil': return m.f32x4.ceil(a);
        case 'round-nearest-even': return m.f32x4.nearest(a);
        case 'round-nearest-afz': return this.lib.call('v.round_afz', [V], V, [a], (f) => {
          const t = m.f32x4.trunc(f.p(0));
          const half = m.f32x4.ge(m.f32x4.abs(m.f32x4.sub(f.p(0), m.f32x4.trunc(f.p(0)))), this.constant({ scalar: 'f32', lanes: 4 }, 0.5));
          const one = m.v128.or(this.constant({ scalar: 'f32', lanes: 4 }, 1), m.v128.and(f.p(0), this.constant({ scalar: 's32', lanes: 4 }, -0x80000000)));
          return m.v128.bitselect(m.f32x4.add(m.f32x4.trunc(f.p(0)), one), t, half); // t itself keeps −0
        });
        case 'sign': return this.lib.call('v.sign_f32', [V], V, [a], (f) => {
          const one = m.v128.or(this.constant({ scalar: 'f32', lanes: 4 }, 1), m.v128.and(f.p(0), this.constant({ scalar: 's32', lanes: 4 }, -0x80000000)));
          // zero or NaN: keep x
          const keep = m.v128.not(m.f32x4.gt(m.f32x4.abs(f.p(0)), this.constant({ scalar: 'f32', lanes: 4 }, 0)));
          return m.v128.bitselect(f.p(0), one, keep);
        });
        case 'is-finite': return m.f32x4.lt(m.f32x4.abs(a), this.constant({ scalar: 'f32', lanes: 4 }, Infinity));
        default: return undefined;
      }
    }
    if (math || op === 'sqrt' || op === 'rsqrt' || op === 'clz')
      return this.lanewise(`${op}.${s}`, [s], s, [a], ([x]) => this.unary1(op, s, x)!);
    switch (op) {
      case 'abs': return s === 's32' ? m.i32x4.abs(a) : a;
      case 'negate': return s === 'pred' ? a : m.i32x4.neg(a);
      case 'not': return m.v128.not(a);
      case 'sign':
        if (s === 's32') return this.lib.call('v.sign_s32', [V], V, [a], (f) =>
          m.v128.or(m.i32x4.shr_s(f.p(0), m.i32.const(31)), m.i32x4.shr_u(m.i32x4.neg(f.p(0)), m.i32.const(31))));
        return s === 'u32' ? m.v128.and(m.i32x4.ne(a, this.constant({ scalar: 's32', lanes: 4 }, 0)), this.constant({ scalar: 's32', lanes: 4 }, 1)) : a;
      case 'is-finite': return m.block(null, [m.drop(a), this.constant({ scalar: 'pred', lanes: 4 }, 1)], V);
      case 'popcnt':
        if (s === 'pred') return undefined;
        return m.i32x4.extadd_pairwise_i16x8_u(m.i16x8.extadd_pairwise_i8x16_u(m.i8x16.popcnt(a)));
      case 'floor': case 'ceil': case 'round-nearest-afz': case 'round-nearest-even': return a;
      default: return undefined;
    }
  }

  // ---- binary ----

  /**
   * `bScalar`: the shift count as a scalar when `b` is a splat (vector shifts take one
   * count). `temp` gives a fresh local of the function being emitted: with it, 32-bit
   * integer minimum and maximum are a select over locals in place instead of a call.
   */
  binary(op: BinaryOp, t: ValueType, a: X, b: X, bScalar?: () => X, temp?: (type: T) => Local): X {
    const s = t.scalar;
    const r = isWide(s) ? this.wide.binary(op, s, a, b) : t.lanes === 1 ? this.binary1(op, s, a, b, temp) : this.binary4(op, s, a, b, bScalar);
    if (r === undefined) throw new NotSupported(`wasm: '${op}' is not defined on ${s}${t.lanes === 4 ? 'x4' : ''}`);
    return r;
  }

  private binary1(op: BinaryOp, s: ScalarType, a: X, b: X, temp?: (type: T) => Local): X | undefined {
    const m = this.m, lib = this.lib;
    if (s === 'f32') {
      switch (op) {
        case 'add': return m.f32.add(a, b);
        case 'subtract': return m.f32.sub(a, b);
        case 'multiply': return m.f32.mul(a, b);
        case 'divide': return m.f32.div(a, b);
        case 'maximum': return m.f32.max(a, b);
        case 'minimum': return m.f32.min(a, b);
        case 'remainder': return lib.call('k.fmod', [F, F], F, [a, b], (f) => fmod(f));
        case 'power': case 'atan2':
          return m.f32.demote(mathCall(lib, op === 'power' ? 'pow' : 'atan2', false, [m.f64.promote(a), m.f64.promote(b)]));
        default: return undefined;
      }
    }
    if (s === 'pred') {
      switch (op) {
        case 'add': case 'or': case 'maximum': return m.i32.or(a, b);
        case 'subtract': case 'xor': return m.i32.xor(a, b);
        case 'multiply': case 'and': case 'minimum': return m.i32.and(a, b);
        case 'divide': case 'power': return m.i32.or(a, m.i32.xor(b, m.i32.const(1)));
        case 'remainder': return m.i32.and(a, m.i32.xor(b, m.i32.const(1)));
        case 'atan2': return m.block(null, [m.drop(b), a], I);
        default: return undefined;
      }
    }
    const signed = s === 's32';
    const p0 = (f: Fn) => f.p(0), p1 = (f: Fn) => f.p(1);
    const call = (name: string, body: (f: Fn) => X) => lib.call(`k.${name}_${s}`, [I, I], I, [a, b], body);
    // A constant right operand (index arithmetic: x / 8, x % 28, x >> 2) needs none of the
    // helpers' guards, so the plain instruction goes in place: the kernels then need no
    // inlining pass to run at full speed.
    const c = constantI32(b);
    if (c !== undefined) {
      const safeDivisor = c !== 0 && (!signed || c !== -1);
      switch (op) {
        case 'divide': if (safeDivisor) return signed ? m.i32.div_s(a, b) : m.i32.div_u(a, b); break;
        case 'remainder': if (safeDivisor) return signed ? m.i32.rem_s(a, b) : m.i32.rem_u(a, b); break;
        case 'shift-left': if (c >>> 0 < 32) return m.i32.shl(a, b); break;
        case 'shift-right-logical': if (c >>> 0 < 32) return m.i32.shr_u(a, b); break;
        case 'shift-right-arithmetic': if (c >>> 0 < 32) return m.i32.shr_s(a, b); break;
        default: break;
      }
    }
    if ((op === 'minimum' || op === 'maximum') && temp) {
      const ta = temp(I), tb = c === undefined ? temp(I) : undefined;
      const bGet = () => (tb ? tb.g : m.i32.const(c!));
      const less = signed ? m.i32.lt_s(ta.g, bGet()) : m.i32.lt_u(ta.g, bGet());
      // wasm evaluates select's operands in order (a, b, condition), so the tees come first.
      return op === 'minimum' ? m.select(less, ta.tee(a), tb ? tb.tee(b) : b) : m.select(less, tb ? tb.tee(b) : b, ta.tee(a));
    }
    switch (op) {
      case 'add': return m.i32.add(a, b);
      case 'subtract': return m.i32.sub(a, b);
      case 'multiply': return m.i32.mul(a, b);
      case 'and': return m.i32.and(a, b);
      case 'or': return m.i32.or(a, b);
      case 'xor': return m.i32.xor(a, b);
      case 'maximum': return call('max', (f) => m.select(signed ? m.i32.gt_s(p0(f), p1(f)) : m.i32.gt_u(p0(f), p1(f)), p0(f), p1(f)));
      case 'minimum': return call('min', (f) => m.select(signed ? m.i32.lt_s(p0(f), p1(f)) : m.i32.lt_u(p0(f), p1(f)), p0(f), p1(f)));
      // XLA: x / 0 = −1 (all bits), INT_MIN / −1 = INT_MIN, x % 0 = x. `if`, not `select`: div traps.
      case 'divide': return call('div', (f) => m.if(m.i32.eqz(p1(f)), m.i32.const(-1), signed
        ? m.if(m.i32.and(m.i32.eq(p0(f), m.i32.const(-0x80000000)), m.i32.eq(p1(f), m.i32.const(-1))), p0(f), m.i32.div_s(p0(f), p1(f)))
        : m.i32.div_u(p0(f), p1(f))));
      case 'remainder': return call('rem', (f) => m.if(m.i32.eqz(p1(f)), p0(f), signed
        ? m.if(m.i32.eq(p1(f), m.i32.const(-1)), m.i32.const(0), m.i32.rem_s(p0(f), p1(f)))
        : m.i32.rem_u(p0(f), p1(f))));
      case 'power': return call('pow', (f) => ipow(f, signed));
      case 'atan2': {
        const cv = (x: X) => (signed ? m.f64.convert_s.i32(x) : m.f64.convert_u.i32(x));
        return this.fromDouble(s, mathCall(lib, 'atan2', false, [cv(a), cv(b)]));
      }
      // Counts outside [0, width) give 0, or the sign fill for arithmetic shifts.
      case 'shift-left': return lib.call('k.shl', [I, I], I, [a, b], (f) =>
        m.select(m.i32.ge_u(p1(f), m.i32.const(32)), m.i32.const(0), m.i32.shl(p0(f), p1(f))));
      case 'shift-right-logical': return lib.call('k.shr_u', [I, I], I, [a, b], (f) =>
        m.select(m.i32.ge_u(p1(f), m.i32.const(32)), m.i32.const(0), m.i32.shr_u(p0(f), p1(f))));
      case 'shift-right-arithmetic': return lib.call('k.shr_s', [I, I], I, [a, b], (f) =>
        m.i32.shr_s(p0(f), m.select(m.i32.ge_u(p1(f), m.i32.const(32)), m.i32.const(31), p1(f))));
    }
  }

  private binary4(op: BinaryOp, s: ScalarType, a: X, b: X, bScalar?: () => X): X | undefined {
    const m = this.m;
    const perLane = (): X => this.lanewise(`${op}.${s}`, [s, s], s, [a, b], ([x, y]) => this.binary1(op, s, x, y)!);
    if (s === 'f32') {
      switch (op) {
        case 'add': return m.f32x4.add(a, b);
        case 'subtract': return m.f32x4.sub(a, b);
        case 'multiply': return m.f32x4.mul(a, b);
        case 'divide': return m.f32x4.div(a, b);
        case 'maximum': return m.f32x4.max(a, b);
        case 'minimum': return m.f32x4.min(a, b);
        case 'remainder': return perLane();
        case 'power': case 'atan2': {
          const name = op === 'power' ? 'pow' : 'atan2';
          return this.f64x2(`f4.${name}`, [a, b], (xs) => mathCall(this.lib, name, true, xs));
        }
        default: return undefined;
      }
    }
    if (s === 'pred') {
      switch (op) {
        case 'add': case 'or': case 'maximum': return m.v128.or(a, b);
        case 'subtract': case 'xor': return m.v128.xor(a, b);
        case 'multiply': case 'and': case 'minimum': return m.v128.and(a, b);
        case 'divide': case 'power': return m.v128.or(a, m.v128.not(b));
        case 'remainder': return m.v128.andnot(a, b);
        case 'atan2': return m.block(null, [m.drop(b), a], V);
        default: return undefined;
      }
    }
    const signed = s === 's32';
    switch (op) {
      case 'add': return m.i32x4.add(a, b);
      case 'subtract': return m.i32x4.sub(a, b);
      case 'multiply': return m.i32x4.mul(a, b);
      case 'and': return m.v128.and(a, b);
      case 'or': return m.v128.or(a, b);
      case 'xor': return m.v128.xor(a, b);
      case 'maximum': return signed ? m.i32x4.max_s(a, b) : m.i32x4.max_u(a, b);
      case 'minimum': return signed ? m.i32x4.min_s(a, b) : m.i32x4.min_u(a, b);
      case 'divide': case 'remainder': case 'power': case 'atan2': return perLane();
      case 'shift-left': case 'shift-right-logical': case 'shift-right-arithmetic': {
        if (!bScalar) return perLane();
        const count = bScalar();
        if (op === 'shift-right-arithmetic')
          return this.lib.call('v.shr_s', [V, I], V, [a, count], (f) =>
            m.i32x4.shr_s(f.p(0), m.select(m.i32.ge_u(f.p(1), m.i32.const(32)), m.i32.const(31), f.p(1))));
        const name = op === 'shift-left' ? 'shl' : 'shr_u';
        return this.lib.call(`v.${name}`, [V, I], V, [a, count], (f) => {
          const shifted = op === 'shift-left' ? m.i32x4.shl(f.p(0), f.p(1)) : m.i32x4.shr_u(f.p(0), f.p(1));
          return m.select(m.i32.ge_u(f.p(1), m.i32.const(32)), m.v128.const(new Array(16).fill(0)), shifted);
        });
      }
    }
  }

  // ---- compare, convert, bitcast, round ----

  compare(dir: CompareDir, t: ValueType, a: X, b: X): X {
    const m = this.m;
    const s = t.scalar;
    if (isWide(s)) return this.wide.compare(dir, s, a, b);
    const group = t.lanes === 1 ? (s === 'f32' ? m.f32 : m.i32) : (s === 'f32' ? m.f32x4 : m.i32x4);
    return compareIn(group, dir, s === 's32' ? 's' : 'u', a, b);
  }

  /** HLO convert between compute types: float → int truncates and saturates (NaN → 0). */
  convert(from: ScalarType, to: ScalarType, lanes: 1 | 4, a: X): X {
    const m = this.m;
    if (from === to) return a;
    if (isWide(from) || isWide(to)) return this.wide.convert(from, to, a);
    if (lanes === 1) {
      if (from === 'f32') {
        if (to === 's32') return m.i32.trunc_s_sat.f32(a);
        if (to === 'u32') return m.i32.trunc_u_sat.f32(a);
        return m.f32.ne(a, m.f32.const(0)); // NaN → true, as the reference
      }
      if (to === 'f32') return from === 's32' ? m.f32.convert_s.i32(a) : m.f32.convert_u.i32(a);
      if (to === 'pred') return m.i32.ne(a, m.i32.const(0));
      return a;
    }
    const zero = m.v128.const(new Array(16).fill(0));
    if (from === 'f32') {
      if (to === 's32') return m.i32x4.trunc_sat_f32x4_s(a);
      if (to === 'u32') return m.i32x4.trunc_sat_f32x4_u(a);
      return m.f32x4.ne(a, zero);
    }
    if (from === 'pred') return m.v128.and(a, this.constant({ scalar: to, lanes: 4 }, 1));
    if (to === 'f32') return from === 's32' ? m.f32x4.convert_i32x4_s(a) : m.f32x4.convert_i32x4_u(a);
    if (to === 'pred') return m.i32x4.ne(a, zero);
    return a;
  }

  bitcast(from: ScalarType, to: ScalarType, lanes: 1 | 4, a: X): X {
    if (from === to) return a;
    if (from === 'pred' || to === 'pred') throw new NotSupported('wasm: bitcast to or from pred');
    if (isWide(from) || isWide(to)) return this.wide.bitcast(from, to, a);
    if (lanes === 4) return a;
    if (from === 'f32') return this.m.i32.reinterpret(a);
    if (to === 'f32') return this.m.f32.reinterpret(a);
    return a;
  }

  /** Round an f32 to f16 or bf16 and back. */
  round(to: 'f16' | 'bf16', lanes: 1 | 4, a: X): X {
    const m = this.m;
    if (lanes === 1) {
      return to === 'f16'
        ? f16ToF32(this.lib, f32ToF16(this.lib, a))
        : m.f32.reinterpret(m.i32.shl(f32ToBf16(this.lib, a), m.i32.const(16)));
    }
    if (to === 'f16') return this.lanewise('round_f16', ['f32'], 'f32', [a], ([x]) => this.round('f16', 1, x));
    return this.lib.call('v.round_bf16', [V], V, [a], (f) => {
      const c = (v: number) => this.constant({ scalar: 's32', lanes: 4 }, v);
      const lsb = m.v128.and(m.i32x4.shr_u(f.p(0), m.i32.const(16)), c(1));
      const r = m.v128.and(m.i32x4.add(m.i32x4.add(f.p(0), c(0x7fff)), lsb), c(-0x10000));
      return m.v128.bitselect(f.p(0), r, m.f32x4.ne(f.p(0), f.p(0)));
    });
  }

  /** f32x4 → two f64x2 halves → `f` → f32x4, as a helper. */
  private f64x2(name: string, args: readonly X[], f64: (xs: X[]) => X): X {
    const m = this.m;
    const hi = (x: X): X => m.i8x16.shuffle(x, x, [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    return this.lib.call(name, args.map(() => V), V, args, (f) => {
      const lo = m.f32x4.demote_f64x2_zero(f64(args.map((_, i) => m.f64x2.promote_low_f32x4(f.p(i)))));
      const up = m.f32x4.demote_f64x2_zero(f64(args.map((_, i) => m.f64x2.promote_low_f32x4(hi(f.p(i))))));
      return m.i8x16.shuffle(lo, up, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
    });
  }

  /** A double result as the reference's `x | 0` / `x >>> 0` / `x ? 1 : 0`. */
  private fromDouble(s: ScalarType, y: X): X {
    const m = this.m;
    if (s === 'pred') return this.lib.call('k.f64_to_pred', [D], I, [y], (f) =>
      m.i32.and(m.f64.ne(f.p(0), m.f64.const(0)), m.f64.eq(f.p(0), f.p(0))));
    return this.lib.call('k.f64_to_i32', [D], I, [y], (f) => {
      // ToInt32: truncate, then reduce mod 2^32 exactly in f64; NaN and ±inf give 0.
      const t = new Local(m, 0, D);
      const body = m.f64.sub(t.g, m.f64.mul(m.f64.floor(m.f64.mul(t.g, m.f64.const(2 ** -32))), m.f64.const(2 ** 32)));
      return m.block(null, [
        t.set(m.f64.trunc(f.p(0))),
        m.select(m.f64.lt(m.f64.abs(t.g), m.f64.const(Infinity)), m.i32.wrap(m.i64.trunc_u_sat.f64(body)), m.i32.const(0)),
      ], I);
    });
  }
}

export function f64x2Bytes(v: number): number[] {
  const b = new Uint8Array(16);
  new Float64Array(b.buffer).fill(v);
  return Array.from(b);
}

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

/** f32 → IEEE half bits, round to nearest even; NaN → 0x7e00 (as the reference writes it). */
export function f32ToF16(lib: Lib, a: X): X {
  return lib.call('k.f32_to_f16', [F], I, [a], (f) => {
    const m = f.m;
    const b = f.local(I), sign = f.local(I), abs = f.local(I), mant = f.local(I);
    const normal = m.i32.shr_u(m.i32.add(m.i32.add(mant.g, m.i32.const(0xfff)), m.i32.and(m.i32.shr_u(mant.g, m.i32.const(13)), m.i32.const(1))), m.i32.const(13));
    const sub = m.i32.trunc_u_sat.f32(m.f32.nearest(m.f32.mul(m.f32.abs(f.p(0)), m.f32.const(2 ** 24))));
    return m.block(null, [
      b.set(m.i32.reinterpret(f.p(0))),
      sign.set(m.i32.and(m.i32.shr_u(b.g, m.i32.const(16)), m.i32.const(0x8000))),
      abs.set(m.i32.and(b.g, m.i32.const(0x7fffffff))),
      mant.set(m.i32.sub(abs.g, m.i32.const(0x38000000))),
      m.select(m.i32.gt_u(abs.g, m.i32.const(0x7f800000)), m.i32.const(0x7e00), m.i32.or(sign.g,
        m.select(m.i32.ge_u(abs.g, m.i32.const(0x477ff000)), m.i32.const(0x7c00),
          m.select(m.i32.lt_u(abs.g, m.i32.const(0x38800000)), sub, normal)))),
    ], I);
  });
}

/** IEEE half bits (low 16 bits) → f32, exactly. */
export function f16ToF32(lib: Lib, h: X): X {
  return lib.call('k.f16_to_f32', [I], F, [h], (f) => {
    const m = f.m;
    const e = m.i32.and(m.i32.shr_u(f.p(0), m.i32.const(10)), m.i32.const(0x1f));
    const x = () => m.i32.shl(m.i32.and(f.p(0), m.i32.const(0x7fff)), m.i32.const(13));
    const ex = f.local(I);
    const r = m.select(m.i32.eqz(ex.g), m.f32.mul(m.f32.convert_u.i32(m.i32.and(f.p(0), m.i32.const(0x3ff))), m.f32.const(2 ** -24)),
      m.select(m.i32.eq(ex.g, m.i32.const(31)), m.f32.reinterpret(m.i32.or(x(), m.i32.const(0x7f800000))),
        m.f32.reinterpret(m.i32.add(x(), m.i32.const(0x38000000)))));
    return m.block(null, [ex.set(e), m.f32.copysign(r, m.f32.reinterpret(m.i32.shl(f.p(0), m.i32.const(16))))], F);
  });
}

/** f32 → bf16 bits, round to nearest even; NaN → 0x7fc0 (as the reference writes it). */
export function f32ToBf16(lib: Lib, a: X): X {
  return lib.call('k.f32_to_bf16', [F], I, [a], (f) => {
    const m = f.m;
    const b = f.local(I);
    return m.block(null, [
      b.set(m.i32.reinterpret(f.p(0))),
      m.select(m.f32.ne(f.p(0), f.p(0)), m.i32.const(0x7fc0), m.i32.shr_u(m.i32.add(m.i32.add(b.g, m.i32.const(0x7fff)),
        m.i32.and(m.i32.shr_u(b.g, m.i32.const(16)), m.i32.const(1))), m.i32.const(16))),
    ], I);
  });
}

/** A 32-bit integer → bf16 bits, rounded once (from the exact f64, not via f32). */
export function intToBf16(lib: Lib, signed: boolean, a: X): X {
  return lib.call(`k.${signed ? 's' : 'u'}32_to_bf16`, [I], I, [a], (f) => {
    const m = f.m;
    const b = f.local(binaryen.i64);
    const x = signed ? m.f64.convert_s.i32(f.p(0)) : m.f64.convert_u.i32(f.p(0));
    const r = m.i64.and(m.i64.add(m.i64.add(b.g, m.i64.const(2 ** 44 - 1)), m.i64.and(m.i64.shr_u(b.g, m.i64.const(45)), m.i64.const(1))),
      m.i64.const(-(2n ** 45n)));
    return m.block(null, [b.set(m.i64.reinterpret(x)),
      m.i32.shr_u(m.i32.reinterpret(m.f32.demote(m.f64.reinterpret(r))), m.i32.const(16))], I);
  });
}
