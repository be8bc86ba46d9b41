// How kernel-IR values and operators are spelled in wasm, for scalars (f32 / i32; pred is
// i32 0/1) and 4-lane vectors (v128; pred lanes are 0/−1 masks): constants, lanes,
// conversions, and the dispatch of unary and binary operators to their tables
// (unary.ts, binary.ts; ops64.ts for the 64-bit types). Semantics are the reference's
// (ir/scalar/ops.ts). Where wasm has no vector form the scalar form runs lane by lane
// inside a helper.
import binaryen from 'binaryen';
import { isWide, type BinaryOp, type CompareDir, type Lanes, type ScalarType, type UnaryOp, type ValueType } from '../../ir/kernel/kernel.js';
import { bytes32, compareIn, Local, type Lib, type M, type T, type X } from './lib.js';
import { Ops64, SCALAR_WASM } from './ops64.js';
import { BINARY } from './binary.js';
import { NotSupported } from './errors.js';
import { UNARY, type Temp } from './unary.js';

export const wasmType = (t: ValueType): T => (t.lanes === 4 ? binaryen.v128 : SCALAR_WASM[t.scalar]);
const V = binaryen.v128, I = binaryen.i32, F = binaryen.f32, D = binaryen.f64;

/** The 32-bit integer compute types, all i32 in wasm. */
export type Narrow = 's32' | 'u32' | 'pred';

const notSupported = (op: string, s: ScalarType): never => {
  throw new NotSupported(`wasm: '${op}' is not defined on ${s}`);
};
const notDefined = (op: string, t: ValueType): NotSupported =>
  new NotSupported(`wasm: '${op}' is not defined on ${t.scalar}${t.lanes === 4 ? 'x4' : ''}`);

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

  // ---- unary and binary: the tables of unary.ts and binary.ts ----

  unary(op: UnaryOp, t: ValueType, a: X, temp?: Temp): X {
    const s = t.scalar;
    const r = isWide(s) ? this.wide.unary(op, s, a) : this.unary32(op, s, t.lanes, a, temp);
    if (r === undefined) throw notDefined(op, t);
    return r;
  }

  private unary32(op: UnaryOp, s: ScalarType, lanes: Lanes, a: X, temp?: Temp): X | undefined {
    const row = UNARY[op];
    if (s === 'f32') return lanes === 1 ? row.f32?.(this, a, temp) : row.f32x4?.(this, a, temp);
    const n = s as Narrow;
    if (lanes === 1) return row.i32?.(this, n, a);
    const v = row.i32x4;
    if (v !== 'lanes') return v?.(this, n, a);
    const scalar = row.i32;
    if (!scalar) return undefined;
    return this.lanewise(`${op}.${s}`, [s], s, [a], ([x]) => scalar(this, n, x) ?? notSupported(op, s));
  }

  /**
   * `bScalar`: the shift count as a scalar when `b` is a splat (vector shifts take one
   * count). `temp` gives a fresh local of the function being emitted: with it, 32-bit
   * integer minimum and maximum are a select over locals in place instead of a call.
   */
  binary(op: BinaryOp, t: ValueType, a: X, b: X, bScalar?: () => X, temp?: Temp): X {
    const s = t.scalar;
    const r = isWide(s) ? this.wide.binary(op, s, a, b) : this.binary32(op, s, t.lanes, a, b, bScalar, temp);
    if (r === undefined) throw notDefined(op, t);
    return r;
  }

  private binary32(op: BinaryOp, s: ScalarType, lanes: Lanes, a: X, b: X, bScalar?: () => X, temp?: Temp): X | undefined {
    const row = BINARY[op];
    if (s === 'pred') return lanes === 1 ? row.pred?.(this, a, b) : row.predx4?.(this, a, b);
    if (s === 'f32') {
      if (lanes === 1) return row.f32?.(this, a, b);
      return row.f32x4 === 'lanes' ? this.binaryLanes(op, s, a, b) : row.f32x4?.(this, a, b);
    }
    const n = s as 's32' | 'u32';
    if (lanes === 1) return row.i32?.(this, n, a, b, temp);
    return row.i32x4 === 'lanes' ? this.binaryLanes(op, s, a, b) : row.i32x4?.(this, n, a, b, bScalar);
  }

  /** A vector operator with no wasm vector form: the scalar form lane by lane, in a helper. */
  binaryLanes(op: BinaryOp, s: ScalarType, a: X, b: X): X {
    return this.lanewise(`${op}.${s}`, [s, s], s, [a, b], ([x, y]) => this.binary32(op, s, 1, x, y) ?? notSupported(op, s));
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
  f64x2(name: string, args: readonly X[], f64: (xs: X[]) => X): X {
    const m = this.m;
    const hi = (x: X): X => m.i8x16.shuffle(x, x, [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
    return this.lib.call(name, args.map(() => V), V, args, (f) => {
      const lo = m.f32x4.demote_f64x2_zero(f64(args.map((_, i) => m.f64x2.promote_low_f32x4(f.p(i)))));
      const up = m.f32x4.demote_f64x2_zero(f64(args.map((_, i) => m.f64x2.promote_low_f32x4(hi(f.p(i))))));
      return m.i8x16.shuffle(lo, up, [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
    });
  }

  /** An s32, u32 or pred (0/1) as the exact double the reference computes float functions of integers in. */
  toDouble(s: ScalarType, a: X): X {
    return s === 's32' ? this.m.f64.convert_s.i32(a) : this.m.f64.convert_u.i32(a);
  }

  /** A double result as the reference's `x | 0` / `x >>> 0` / `x ? 1 : 0`. */
  fromDouble(s: ScalarType, y: X): X {
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
