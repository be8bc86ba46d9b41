// Elements as bytes: little-endian, as a device stores them (wasm linear memory, GPU
// buffers) and as constants are laid out in a program's memory image.
import { DTYPES, type DType } from '../dtype.js';
import { arrayLiteral, type ArrayLiteral } from '../literal.js';
import { elementCount, type ArrayShape } from '../shape.js';
import { f16Bits, f16FromBits } from './floats.js';
import type { Scalar } from './value.js';

const view = new DataView(new ArrayBuffer(8));

/** Little-endian bytes of one element, as a device would store it. */
export function writeElement(dv: DataView, off: number, dt: DType, v: Scalar): void {
  switch (dt) {
    case 'pred': case 'u8': dv.setUint8(off, Number(v)); return;
    case 's8': dv.setInt8(off, Number(v)); return;
    case 's16': dv.setInt16(off, Number(v), true); return;
    case 'u16': dv.setUint16(off, Number(v), true); return;
    case 's32': dv.setInt32(off, Number(v), true); return;
    case 'u32': dv.setUint32(off, Number(v), true); return;
    case 's64': dv.setBigInt64(off, BigInt(v), true); return;
    case 'u64': dv.setBigUint64(off, BigInt(v), true); return;
    case 'f16': dv.setUint16(off, f16Bits(Number(v)), true); return;
    case 'bf16': view.setFloat32(0, Number(v), true); dv.setUint16(off, view.getUint16(2, true), true); return;
    case 'f32': dv.setFloat32(off, Number(v), true); return;
    case 'f64': dv.setFloat64(off, Number(v), true); return;
    default: throw new Error(`no byte layout for ${dt}`);
  }
}

/** Little-endian bytes of a whole array literal, as devices and kernels store it. */
export function literalBytes(l: ArrayLiteral): Uint8Array {
  const size = Math.ceil(DTYPES[l.shape.dtype].bits / 8);
  const out = new Uint8Array(l.data.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < l.data.length; i++) writeElement(dv, i * size, l.shape.dtype, l.data[i]);
  return out;
}

/** The array literal of `shape` whose elements are the little-endian bytes from `dv`'s start: literalBytes' inverse (s64/u64 as bigints, exact beyond 2^53). */
export function literalFromBytes(shape: ArrayShape, dv: DataView): ArrayLiteral {
  const size = Math.ceil(DTYPES[shape.dtype].bits / 8);
  const values = new Array<Scalar>(elementCount(shape));
  for (let i = 0; i < values.length; i++) values[i] = readElement(dv, i * size, shape.dtype);
  return arrayLiteral(shape, values);
}

/** One element at byte offset `off`: a number, or a bigint for s64/u64. */
export function readElement(dv: DataView, off: number, dt: DType): Scalar {
  switch (dt) {
    case 'pred': return dv.getUint8(off) !== 0 ? 1 : 0;
    case 'u8': return dv.getUint8(off);
    case 's8': return dv.getInt8(off);
    case 's16': return dv.getInt16(off, true);
    case 'u16': return dv.getUint16(off, true);
    case 's32': return dv.getInt32(off, true);
    case 'u32': return dv.getUint32(off, true);
    case 's64': return dv.getBigInt64(off, true);
    case 'u64': return dv.getBigUint64(off, true);
    case 'f16': return f16FromBits(dv.getUint16(off, true));
    case 'bf16': view.setUint32(0, dv.getUint16(off, true) << 16, true); return view.getFloat32(0, true);
    case 'f32': return dv.getFloat32(off, true);
    case 'f64': return dv.getFloat64(off, true);
    default: throw new Error(`no byte layout for ${dt}`);
  }
}

