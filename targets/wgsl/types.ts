// How kernel-IR types and constants are spelled in WGSL. pred is `bool` (`vec4<bool>`),
// s32 `i32`, u32 `u32`, f32 `f32`. WGSL has no 64-bit types: kernels touching one are
// refused before anything here sees them (see index.ts).
import type { Lanes, ScalarType, ValueType } from '../../ir/kernel/kernel.js';
import { NotSupported } from './errors.js';

export type Scalar32 = 'f32' | 's32' | 'u32' | 'pred';

const SCALAR_WGSL: { readonly [S in Scalar32]: string } = { f32: 'f32', s32: 'i32', u32: 'u32', pred: 'bool' };

export function narrow(s: ScalarType): Scalar32 {
  if (s === 'f64' || s === 's64' || s === 'u64') throw new NotSupported(`wgsl: ${s} values (WGSL has no 64-bit types)`);
  return s;
}

/** The WGSL type of a scalar type with `lanes` lanes. */
export const wgslScalar = (s: ScalarType, lanes: Lanes = 1): string =>
  lanes === 1 ? SCALAR_WGSL[narrow(s)] : `vec4<${SCALAR_WGSL[narrow(s)]}>`;
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

/** A constant of scalar type `s`. */
export function scalarLit(s: Scalar32, value: number, bits: () => string): string {
  switch (s) {
    case 'f32': return f32Lit(value, bits);
    case 's32': return i32Lit(value);
    case 'u32': return u32Lit(value);
    case 'pred': return value ? 'true' : 'false';
  }
}
