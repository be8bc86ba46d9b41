// Literals: dense arrays of values with a shape. Values up to 32 bits (and all floats)
// are held as JS numbers; 64-bit integers as bigints, so s64/u64 stay exact.
import { DType, DTYPES, isFloat } from './dtype.js';
import { ArrayShape, Shape, TupleShape, elementCount } from './shape.js';

export type Values = Float64Array | BigInt64Array | BigUint64Array;

export interface ArrayLiteral {
  readonly shape: ArrayShape;
  /** Row-major values, rounded to the dtype (f32 by Math.fround, f16/bf16 by their own rounding). */
  readonly data: Values;
  /** The text wrote `{...}`: the values were left out of the dump. */
  readonly elided?: boolean;
}
export interface TupleLiteral {
  readonly shape: TupleShape;
  readonly elements: readonly Literal[];
}
export type Literal = ArrayLiteral | TupleLiteral;

export const isWide = (t: DType): boolean => t === 's64' || t === 'u64';

export function allocValues(dtype: DType, n: number): Values {
  if (dtype === 's64') return new BigInt64Array(n);
  if (dtype === 'u64') return new BigUint64Array(n);
  return new Float64Array(n);
}

export function arrayLiteral(shape: ArrayShape, values?: ArrayLike<number | bigint | boolean>): ArrayLiteral {
  const n = elementCount(shape);
  const data = allocValues(shape.dtype, n);
  if (values) {
    if (values.length !== n) throw new Error(`literal has ${values.length} values, shape needs ${n}`);
    for (let i = 0; i < n; i++) setValue(data, shape.dtype, i, values[i]);
  }
  return { shape, data };
}

export function tupleLiteral(elements: Literal[]): TupleLiteral {
  return { shape: { kind: 'tuple', elements: elements.map((e) => e.shape) }, elements };
}

/** Store v at i, rounded/wrapped to dtype. */
export function setValue(data: Values, dtype: DType, i: number, v: number | bigint | boolean): void {
  if (data instanceof Float64Array) data[i] = roundTo(dtype, typeof v === 'bigint' ? Number(v) : Number(v));
  else (data as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
}

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** Round a double to bf16 (round to nearest even), returning the exact value. */
export function roundBf16(x: number): number {
  if (Number.isNaN(x)) return NaN;
  f32buf[0] = x;
  let bits = u32buf[0];
  // Going through f32 rounds twice. When that first rounding was inexact, take the f32
  // neighbour of x with an odd last bit instead (round to odd): the rounding below is then exact.
  if (f32buf[0] !== x && Number.isFinite(f32buf[0]) && (bits & 1) === 0)
    bits = Math.abs(f32buf[0]) > Math.abs(x) ? bits - 1 : bits + 1;
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 0;
  u32buf[0] = rounded & 0xffff0000;
  return f32buf[0];
}

/** Round a double to IEEE half (round to nearest even), returning the exact value. */
export function roundF16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity; // max half 65504 plus half an ulp
  const e = Math.max(Math.floor(Math.log2(a)), -14); // subnormals share the 2^-14 binade
  const quantum = Math.pow(2, e - 10);
  return Math.sign(x) * roundHalfEven(a / quantum) * quantum;
}

export function roundHalfEven(n: number): number {
  const f = Math.floor(n);
  const d = n - f;
  if (d !== 0.5) return d < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Round or wrap a JS number to what the dtype can hold (the value as that dtype reads it). */
export function roundTo(dtype: DType, x: number): number {
  switch (dtype) {
    case 'f32': return Math.fround(x);
    case 'f64': return x;
    case 'f16': return roundF16(x);
    case 'bf16': return roundBf16(x);
    case 'pred': return x !== 0 && !Number.isNaN(x) ? 1 : 0;
    case 's8': return (x << 24) >> 24;
    case 's16': return (x << 16) >> 16;
    case 's32': return x | 0;
    case 'u8': return x & 0xff;
    case 'u16': return x & 0xffff;
    case 'u32': return x >>> 0;
    default: return isFloat(dtype) ? x : Math.trunc(x);
  }
}

export const literalBits = (dtype: DType): number => DTYPES[dtype].bits;

/** Number of elements in a literal's array shape. */
export const literalSize = (l: ArrayLiteral): number => elementCount(l.shape);

export function isTupleLiteral(l: Literal): l is TupleLiteral {
  return l.shape.kind === 'tuple';
}

export function shapeOfLiteral(l: Literal): Shape {
  return l.shape;
}
