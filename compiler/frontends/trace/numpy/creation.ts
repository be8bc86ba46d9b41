// Making arrays: from JS data, filled, ranges.
import { array as arrayShape } from '../../../../ir/shape.js';
import { ARRAY_OF, type DType, type TypedArray } from '../../../../runtime/core/dtype.js';
import { dataNode } from '../node.js';
import { astype, broadcastTo, node, scalarTensor } from '../ops.js';
import { Tensor } from '../tensor.js';

export type NestedArray = number | boolean | bigint | readonly NestedArray[];

export interface ArrayOptions {
  /** Default: the typed array's dtype, else f32 (pred for booleans). */
  dtype?: DType;
  /** Needed for a flat typed array of a rank other than 1. */
  shape?: readonly number[];
}

const DTYPE_OF_ARRAY = new Map<unknown, DType>([
  [Float32Array, 'f32'], [Float64Array, 'f64'], [Int32Array, 's32'], [Uint32Array, 'u32'], [Int8Array, 's8'],
  [Uint8Array, 'u8'], [Int16Array, 's16'], [Uint16Array, 'u16'], [BigInt64Array, 's64'], [BigUint64Array, 'u64'],
]);

/** A tensor of `data`: a typed array (copied), nested JS arrays, a number, or a tensor (converted to `dtype`). */
export function array(data: TypedArray | NestedArray | Tensor, opts: ArrayOptions = {}): Tensor {
  if (data instanceof Tensor) return opts.dtype ? astype(data, opts.dtype) : data;
  if (ArrayBuffer.isView(data)) return fromTyped(data as TypedArray, opts);
  const dims = opts.shape ? [...opts.shape] : nestedDims(data);
  const flat: (number | boolean | bigint)[] = Array.isArray(data) ? (data as unknown[]).flat(Infinity as 1) as (number | boolean | bigint)[] : [data as number];
  const dtype = opts.dtype ?? (flat.length > 0 && flat.every((v) => typeof v === 'boolean') ? 'pred' : 'f32');
  return fromValues(flat, dims, dtype);
}

function fromTyped(data: TypedArray, opts: ArrayOptions): Tensor {
  const own = DTYPE_OF_ARRAY.get(data.constructor);
  if (!own) throw new TypeError(`kiln: np.array cannot take a ${data.constructor.name}`);
  const dims = opts.shape ? [...opts.shape] : [data.length];
  checkCount(dims, data.length);
  // A dtype held in the same array (u8 as pred, u16 as f16's bits) is taken as those bits.
  const dtype = opts.dtype && ARRAY_OF[opts.dtype] === data.constructor ? opts.dtype : own;
  const t = new Tensor(dataNode(arrayShape(dtype, dims), data.slice() as TypedArray));
  return opts.dtype && opts.dtype !== dtype ? astype(t, opts.dtype) : t;
}

function fromValues(flat: readonly (number | boolean | bigint)[], dims: number[], dtype: DType): Tensor {
  checkCount(dims, flat.length);
  const Ctor = ARRAY_OF[dtype] as unknown as { from(x: ArrayLike<unknown>): TypedArray };
  const wide = dtype === 's64' || dtype === 'u64';
  const values = flat.map((v) => (wide ? BigInt(v as number) : Number(v)));
  if (dtype === 'f16' || dtype === 'bf16') return astype(fromValues(flat, dims, 'f32'), dtype);
  return new Tensor(dataNode(arrayShape(dtype, dims), Ctor.from(values)));
}

function nestedDims(data: NestedArray): number[] {
  const dims: number[] = [];
  let x: NestedArray = data;
  while (Array.isArray(x)) {
    dims.push(x.length);
    x = (x as NestedArray[])[0];
  }
  return dims;
}

function checkCount(dims: readonly number[], n: number): void {
  const want = dims.reduce((a, b) => a * b, 1);
  if (want !== n) throw new Error(`kiln: ${n} values do not fill shape [${dims}] (${want} elements)`);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number | boolean, dtype: DType = typeof value === 'boolean' ? 'pred' : 'f32'): Tensor {
  return broadcastTo(scalarTensor(value, dtype), shape);
}

export const zeros = (shape: readonly number[], dtype: DType = 'f32'): Tensor => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = 'f32'): Tensor => full(shape, 1, dtype);
export const zerosLike = (x: Tensor): Tensor => zeros(x.shape, x.dtype);
export const onesLike = (x: Tensor): Tensor => ones(x.shape, x.dtype);
export const fullLike = (x: Tensor, value: number | boolean): Tensor => full(x.shape, value, x.dtype);

/** [start, stop) by step, as numpy.arange (one argument: [0, stop)). */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const type = dtype ?? ([start, stop, step].every(Number.isInteger) ? 's32' : 'f32');
  const iota = node('iota', [], { iota_dimension: 0 }, arrayShape(type, [n]));
  if (start === 0 && step === 1) return iota;
  const scaled = step === 1 ? iota : node('multiply', [iota, full([n], step, type)], {});
  return start === 0 ? scaled : node('add', [scaled, full([n], start, type)], {});
}
