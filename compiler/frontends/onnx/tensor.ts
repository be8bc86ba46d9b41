// ONNX tensors (TensorProto) as kiln literals, and ONNX element types as kiln dtypes.
import type { DType } from '../../../ir/dtype.js';
import { allocValues, setValue, type ArrayLiteral } from '../../../ir/literal.js';
import { array } from '../../../ir/shape.js';
import { decodeF16 } from '../../io/f16.js';
import type { TensorProto } from './proto/onnx_pb.js';
import { OnnxError } from './errors.js';

/** TensorProto.DataType numbers → kiln dtypes; undefined where kiln has none (string). */
const DTYPE_OF: Record<number, DType | undefined> = {
  1: 'f32', 2: 'u8', 3: 's8', 4: 'u16', 5: 's16', 6: 's32', 7: 's64', 8: undefined, 9: 'pred',
  10: 'f16', 11: 'f64', 12: 'u32', 13: 'u64', 14: 'c64', 15: 'c128', 16: 'bf16',
};

const NAME_OF: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};

export const onnxTypeName = (t: number): string => NAME_OF[t] ?? `type ${t}`;

/** The kiln dtype of an ONNX element type; `where` names the tensor or value for the error. */
export function dtypeOf(t: number, where: string): DType {
  const d = DTYPE_OF[t];
  if (!d || d === 'c64' || d === 'c128') throw new OnnxError(`${where}: element type ${onnxTypeName(t)} is not supported by kiln`);
  return d;
}

/** Largest tensor kiln will materialise from a model file (elements). */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** Checks dims are non-negative integers and their product is sane; returns the element count. */
export function checkDims(dims: readonly (number | bigint)[], where: string): number[] {
  const out = dims.map((d) => Number(d));
  let n = 1;
  for (const d of out) {
    if (!Number.isSafeInteger(d) || d < 0) throw new OnnxError(`${where}: dimension ${d} is not a non-negative integer`);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) throw new OnnxError(`${where}: ${out.join('x')} has more than ${MAX_TENSOR_ELEMENTS} elements`);
  }
  return out;
}

/** Bytes per element of raw_data for each dtype. */
const RAW_BYTES: Partial<Record<DType, number>> = {
  f32: 4, u8: 1, s8: 1, u16: 2, s16: 2, s32: 4, s64: 8, pred: 1, f16: 2, f64: 8, u32: 4, u64: 8, bf16: 2,
};

function readRaw(view: DataView, dtype: DType, i: number): number | bigint {
  switch (dtype) {
    case 'f32': return view.getFloat32(i * 4, true);
    case 'f64': return view.getFloat64(i * 8, true);
    case 'u8': return view.getUint8(i);
    case 's8': return view.getInt8(i);
    case 'pred': return view.getUint8(i) !== 0 ? 1 : 0;
    case 'u16': return view.getUint16(i * 2, true);
    case 's16': return view.getInt16(i * 2, true);
    case 'u32': return view.getUint32(i * 4, true);
    case 's32': return view.getInt32(i * 4, true);
    case 's64': return view.getBigInt64(i * 8, true);
    case 'u64': return view.getBigUint64(i * 8, true);
    case 'f16': return decodeF16(view.getUint16(i * 2, true));
    case 'bf16': return new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0];
    default: throw new OnnxError(`raw data of type ${dtype} is not supported`);
  }
}

/**
 * A TensorProto's values as a literal. `raw` is the external data when the tensor keeps
 * its bytes outside the model (already read by the caller).
 */
export function tensorToLiteral(t: TensorProto, where: string, raw?: Uint8Array): ArrayLiteral {
  const dtype = dtypeOf(t.dataType, where);
  const dims = checkDims(t.dims, where);
  const n = dims.reduce((a, b) => a * b, 1);
  // Lengths are checked before allocating, so declared dims alone cannot make kiln allocate.
  const bytes = raw ?? (t.rawData.length > 0 ? t.rawData : undefined);
  if (bytes) {
    const size = RAW_BYTES[dtype]!;
    if (bytes.length !== n * size)
      throw new OnnxError(`${where}: raw data has ${bytes.length} bytes, ${dims.join('x')} ${dtype} needs ${n * size}`);
    const data = allocValues(dtype, n);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) setValue(data, dtype, i, readRaw(view, dtype, i));
    return { shape: array(dtype, dims), data };
  }
  const field = typedField(t, dtype);
  if (field.length !== n) throw new OnnxError(`${where}: tensor holds ${field.length} values, ${dims.join('x')} needs ${n}`);
  const data = allocValues(dtype, n);
  for (let i = 0; i < n; i++) setValue(data, dtype, i, decodeField(dtype, field[i]));
  return { shape: array(dtype, dims), data };
}

/** Which repeated field of TensorProto holds values of this dtype (ONNX's rules). */
function typedField(t: TensorProto, dtype: DType): ArrayLike<number | bigint> {
  switch (dtype) {
    case 'f32': return t.floatData;
    case 'f64': return t.doubleData;
    case 's64': return t.int64Data;
    case 'u32': case 'u64': return t.uint64Data;
    default: return t.int32Data; // int8/16/32, uint8/16, bool, and f16/bf16 as their bits
  }
}

function decodeField(dtype: DType, v: number | bigint): number | bigint {
  if (dtype === 'f16') return decodeF16(Number(v) & 0xffff);
  if (dtype === 'bf16') return new Float32Array(new Uint32Array([(Number(v) & 0xffff) << 16]).buffer)[0];
  if (dtype === 's64' || dtype === 'u64') return BigInt(v);
  if (dtype === 'u32') return Number(v);
  return Number(v);
}
