// How kernel-IR types and constants are spelled in WGSL. pred is `bool` (`vec4<bool>`),
// s32 `i32`, u32 `u32`, f32 `f32`. WGSL has no 64-bit types: s64 and u64 are emulated on
// `vec2<u32>` (x the low word, y the high one; lib_int64.ts), scalars only as in the kernel
// IR. f64 has no faithful emulation short of double-float pairs: kernels touching one are
// refused (schedule.ts, checkTypes).
import type { Lanes, ScalarType, ValueType } from '../../ir/kernel/kernel.js';
import { NotSupported } from './errors.js';

export type Scalar32 = 'f32' | 's32' | 'u32' | 'pred';
/** The 64-bit integers, each a `vec2<u32>` (low word, high word). */
export type Int64 = 's64' | 'u64';
/** The compute types the WGSL target renders. */
export type Scalar = Scalar32 | Int64;

const SCALAR_WGSL: { readonly [S in Scalar]: string } = { f32: 'f32', s32: 'i32', u32: 'u32', pred: 'bool', s64: 'vec2<u32>', u64: 'vec2<u32>' };

export const is64 = (s: Scalar): s is Int64 => s === 's64' || s === 'u64';

export function narrow(s: ScalarType): Scalar {
  if (s === 'f64') throw new NotSupported('wgsl: f64 values (WGSL has no 64-bit floats; kiln does not emulate them)');
  return s;
}

/** The WGSL type of a scalar type with `lanes` lanes. */
export function wgslScalar(s: ScalarType, lanes: Lanes = 1): string {
  const t = narrow(s);
  if (lanes === 1) return SCALAR_WGSL[t];
  if (is64(t)) throw new NotSupported(`wgsl: a vector of ${t} (64-bit values are scalars only)`);
  return `vec4<${SCALAR_WGSL[t]}>`;
}
export const wgslType = (t: ValueType): string => wgslScalar(t.scalar, t.lanes);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The bits of `x` rounded to f32. */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** A u32 literal. */
export const u32Lit = (v: number): string => `${v >>> 0}u`;
/** An i32 literal (INT_MIN, which has no literal form, as a bitcast). */
export const i32Lit = (v: number): string => {
  const x = v | 0;
  if (x === -0x80000000) return 'bitcast<i32>(0x80000000u)';
  return x < 0 ? `(${x}i)` : `${x}i`;
};

/**
 * An f32 literal. NaN, the infinities and subnormals go through `kiln_f32_bits`, a function
 * call, because a constant expression may not be NaN or infinite in WGSL and a compiler may
 * flush a subnormal literal. `bits` is told when that helper is needed.
 */
export function f32Lit(x: number, bits: () => string): string {
  const b = f32Bits(x);
  const exp = (b >>> 23) & 0xff;
  if (exp === 0xff || (exp === 0 && (b & 0x7fffff) !== 0)) return `${bits()}(0x${b.toString(16)}u)`;
  const v = Math.fround(x);
  if (Object.is(v, -0)) return '(-0.0f)';
  const s = String(v);
  const text = /[.e]/.test(s) ? `${s}f` : `${s}.0f`;
  return v < 0 ? `(${text})` : text;
}

/** A 64-bit integer constant (s64 or u64 bits) as its two words. */
export function int64Lit(v: number | bigint): string {
  const u = BigInt.asUintN(64, BigInt(v));
  return `vec2<u32>(${u32Lit(Number(u & 0xffffffffn))}, ${u32Lit(Number(u >> 32n))})`;
}

/** A constant of scalar type `s`. */
export function scalarLit(s: Scalar32, value: number, bits: () => string): string {
  switch (s) {
    case 'f32': return f32Lit(value, bits);
    case 's32': return i32Lit(value);
    case 'u32': return u32Lit(value);
    case 'pred': return value ? 'true' : 'false';
  }
}
