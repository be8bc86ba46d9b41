// Element types. One table: every fact about a dtype lives in its row, so a new
// dtype is one line and every consumer (printer, interpreter, npy I/O) reads it here.

export type DTypeClass = 'pred' | 'signed' | 'unsigned' | 'float' | 'complex' | 'opaque';

export interface DTypeInfo {
  /** Bits per element (as stored; pred is one byte). */
  readonly bits: number;
  readonly cls: DTypeClass;
  /** The interpreter can compute with it. */
  readonly computable: boolean;
}

const row = (bits: number, cls: DTypeClass, computable = true): DTypeInfo => ({ bits, cls, computable });

export const DTYPES = {
  pred: row(8, 'pred'),
  s8: row(8, 'signed'),
  s16: row(16, 'signed'),
  s32: row(32, 'signed'),
  s64: row(64, 'signed'),
  u8: row(8, 'unsigned'),
  u16: row(16, 'unsigned'),
  u32: row(32, 'unsigned'),
  u64: row(64, 'unsigned'),
  f16: row(16, 'float'),
  bf16: row(16, 'float'),
  f32: row(32, 'float'),
  f64: row(64, 'float'),
  // Parsed and printed so real dumps round-trip, but not computed by the interpreter.
  s1: row(1, 'signed', false),
  s2: row(2, 'signed', false),
  s4: row(4, 'signed', false),
  u1: row(1, 'unsigned', false),
  u2: row(2, 'unsigned', false),
  u4: row(4, 'unsigned', false),
  f4e2m1fn: row(4, 'float', false),
  f8e3m4: row(8, 'float', false),
  f8e4m3: row(8, 'float', false),
  f8e4m3fn: row(8, 'float', false),
  f8e4m3b11fnuz: row(8, 'float', false),
  f8e4m3fnuz: row(8, 'float', false),
  f8e5m2: row(8, 'float', false),
  f8e5m2fnuz: row(8, 'float', false),
  f8e8m0fnu: row(8, 'float', false),
  c64: row(64, 'complex', false),
  c128: row(128, 'complex', false),
  token: row(0, 'opaque', false),
  opaque: row(0, 'opaque', false),
} as const satisfies Record<string, DTypeInfo>;

export type DType = keyof typeof DTYPES;

export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(DTYPES, s);
}

export const isFloat = (t: DType): boolean => DTYPES[t].cls === 'float';
export const isSigned = (t: DType): boolean => DTYPES[t].cls === 'signed';
export const isUnsigned = (t: DType): boolean => DTYPES[t].cls === 'unsigned';
export const isInteger = (t: DType): boolean => isSigned(t) || isUnsigned(t);
export const isPred = (t: DType): boolean => t === 'pred';
/** Integer or pred: the types bitwise ops accept. */
export const isIntegral = (t: DType): boolean => isInteger(t) || isPred(t);
export const byteSize = (t: DType): number => Math.ceil(DTYPES[t].bits / 8);
