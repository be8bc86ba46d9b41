// CUDA C types and literals of kernel-IR values and buffers. Compute types are C's own
// (float, int, unsigned, bool, double, long long, unsigned long long); 4-lane vectors are
// CUDA's float4/int4/uint4 and, for pred, kiln's own `kiln_bool4` (CUDA has no bool4).
// Storage types are the element types of the kernels' pointers: pred is a byte (a C++ bool
// holding anything but 0 or 1 is undefined behaviour), f16/bf16 are cuda_fp16.h's __half
// and cuda_bf16.h's __nv_bfloat16.
import type { ScalarType, StorageType, ValueType } from '../../ir/kernel/kernel.js';

const SCALAR: { readonly [S in ScalarType]: string } = {
  f32: 'float', s32: 'int', u32: 'unsigned', pred: 'bool', f64: 'double', s64: 'long long', u64: 'unsigned long long',
};

const VECTOR: { readonly [S in ScalarType]?: string } = { f32: 'float4', s32: 'int4', u32: 'uint4', pred: 'kiln_bool4' };

export function cScalar(s: ScalarType): string {
  return SCALAR[s];
}

/** The C type of a value. */
export function cType(t: ValueType): string {
  if (t.lanes === 1) return SCALAR[t.scalar];
  return VECTOR[t.scalar] ?? fail(`no ${t.scalar} vectors`);
}

export const STORAGE: { readonly [S in StorageType]: string } = {
  pred: 'uint8_t', s8: 'int8_t', u8: 'uint8_t', s16: 'int16_t', u16: 'uint16_t', s32: 'int', u32: 'unsigned',
  f16: '__half', bf16: '__nv_bfloat16', f32: 'float', s64: 'long long', u64: 'unsigned long long', f64: 'double',
};

/** The zero of type `s` as a literal (what kernel-IR variables and arrays start at). */
export const zero = (s: ScalarType): string => literal(s, s === 's64' || s === 'u64' ? 0n : 0);

/** A scalar literal of type `s`, exact (f32 literals round-trip; ±inf and NaN by their bits). */
export function literal(s: ScalarType, v: number | bigint): string {
  switch (s) {
    case 'pred': return Number(v) ? 'true' : 'false';
    case 'f32': return floatLiteral(Number(v), 'f', 'INFINITY');
    case 'f64': return floatLiteral(Number(v), '', '((double)INFINITY)');
    case 's32': { const n = Number(v) | 0; return n === -2147483648 ? '(-2147483647 - 1)' : String(n); }
    case 'u32': return `${Number(v) >>> 0}u`;
    case 's64': { const n = BigInt.asIntN(64, BigInt(v)); return n === -(2n ** 63n) ? '(-9223372036854775807ll - 1)' : `${n}ll`; }
    case 'u64': return `${BigInt.asUintN(64, BigInt(v))}ull`;
  }
}

/** math.h's INFINITY and NAN name the specials (a float each; exact as doubles too). */
function floatLiteral(v: number, suffix: string, inf: string): string {
  if (Number.isNaN(v)) return suffix ? 'NAN' : '((double)NAN)';
  if (!Number.isFinite(v)) return v > 0 ? inf : `(-${inf})`;
  if (Object.is(v, -0)) return `-0.0${suffix}`;
  const text = String(v);
  const withPoint = /[.e]/.test(text) ? text : `${text}.0`;
  return v < 0 ? `(${withPoint}${suffix})` : `${withPoint}${suffix}`;
}

function fail(msg: string): never {
  throw new Error(`cuda: ${msg}`);
}
