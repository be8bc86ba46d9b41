// Element types as every kiln runtime sees them, and the typed array that holds each.
// Depends on nothing: each target's runtime (wasm, webgpu, ...) and the compiler's
// artifact writer read these one table instead of keeping copies that drift.

/** Element types of the tensors a compiled model reads and writes (f16/bf16 travel as raw bits). */
export type DType = 'pred' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 'f16' | 'bf16' | 'f32' | 's64' | 'u64' | 'f64';

export type TypedArray = Float32Array | Int32Array | Uint32Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Float64Array | BigInt64Array | BigUint64Array;

export type TypedArrayCtor = {
  new (b: ArrayBufferLike, off?: number, len?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

/** The typed array that holds each dtype (f16/bf16 as raw bits, pred as one byte). */
export const ARRAY_OF: Record<DType, TypedArrayCtor> = {
  f32: Float32Array, s32: Int32Array, u32: Uint32Array, s8: Int8Array, u8: Uint8Array, pred: Uint8Array,
  s16: Int16Array, u16: Uint16Array, f16: Uint16Array, bf16: Uint16Array,
  f64: Float64Array, s64: BigInt64Array, u64: BigUint64Array,
};

/** Bytes per element of each dtype. */
export const ELEMENT_BYTES: Record<DType, number> = {
  pred: 1, s8: 1, u8: 1, s16: 2, u16: 2, f16: 2, bf16: 2, s32: 4, u32: 4, f32: 4, s64: 8, u64: 8, f64: 8,
};

/** Elements in a tensor of `dims` (1 for a scalar). */
export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
