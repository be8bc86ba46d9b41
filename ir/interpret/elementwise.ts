// Elementwise opcodes: unary and binary arithmetic, compare, select, clamp, convert,
// bitcast-convert, reduce-precision. Each picks its kernel once, then runs one flat loop.
import { byteSize, isFloat, type DType } from '../dtype.js';
import type { ArrayLiteral, Literal } from '../literal.js';
import type { Instruction, InstructionOf } from '../module.js';
import type { ArrayShape } from '../shape.js';
import { alloc, arr, fail, product, put, resultShape } from './util.js';
import { convertValue, reducePrecision } from '../scalar/convert.js';
import { literalBytes, readElement } from '../scalar/elements.js';
import { binaryKernel, compareKernel, unaryKernel, type Kernel1, type Kernel2 } from '../scalar/ops.js';
import { finisher, type Scalar } from '../scalar/value.js';

/** Stride (0 or 1) that reads operand `x` for each of n output elements: scalars broadcast. */
function elemStride(instr: Instruction, x: ArrayLiteral, n: number, what: string): number {
  const m = product(x.shape.dims);
  if (m === n) return 1;
  if (m === 1 && x.shape.dims.length === 0) return 0;
  return fail(instr, `${what} has ${m} elements, the result ${n}`);
}

export function mapUnary(x: ArrayLiteral, out: ArrayShape, k: Kernel1): ArrayLiteral {
  const n = product(out.dims);
  const data = alloc(out.dtype, n);
  const src = x.data, fin = finisher(out.dtype);
  if (data instanceof Float64Array) for (let i = 0; i < n; i++) data[i] = fin(k(src[i])) as number;
  else for (let i = 0; i < n; i++) put(data, i, fin(k(src[i])));
  return { shape: out, data };
}

export function mapBinary(instr: Instruction, a: ArrayLiteral, b: ArrayLiteral, out: ArrayShape, k: Kernel2): ArrayLiteral {
  const n = product(out.dims);
  const sa = elemStride(instr, a, n, 'lhs'), sb = elemStride(instr, b, n, 'rhs');
  const data = alloc(out.dtype, n);
  const A = a.data, B = b.data, fin = finisher(out.dtype);
  if (data instanceof Float64Array) for (let i = 0; i < n; i++) data[i] = fin(k(A[i * sa], B[i * sb])) as number;
  else for (let i = 0; i < n; i++) put(data, i, fin(k(A[i * sa], B[i * sb])));
  return { shape: out, data };
}

export function evalUnary(instr: Instruction, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const k = unaryKernel(instr.opcode, x.shape.dtype);
  if (!k) fail(instr, `'${instr.opcode}' is not defined on ${x.shape.dtype}`);
  return mapUnary(x, resultShape(instr), k);
}

export function evalBinary(instr: Instruction, ops: Literal[]): Literal {
  const a = arr(instr, ops[0], 'lhs'), b = arr(instr, ops[1], 'rhs');
  const k = binaryKernel(instr.opcode, a.shape.dtype);
  if (!k) fail(instr, `'${instr.opcode}' is not defined on ${a.shape.dtype}`);
  return mapBinary(instr, a, b, resultShape(instr), k);
}

export function evalCompare(instr: InstructionOf<'compare'>, ops: Literal[]): Literal {
  const a = arr(instr, ops[0], 'lhs'), b = arr(instr, ops[1], 'rhs');
  const k = compareKernel(instr.attrs.direction, instr.attrs.type, a.shape.dtype);
  if (!k) fail(instr, `unknown comparison direction '${instr.attrs.direction}'`);
  return mapBinary(instr, a, b, resultShape(instr), k);
}

export function evalSelect(instr: InstructionOf<'select'>, ops: Literal[]): Literal {
  const p = arr(instr, ops[0], 'predicate');
  const onTrue = ops[1], onFalse = ops[2];
  if (onTrue.shape.kind === 'tuple') return p.data[0] ? onTrue : onFalse; // tuples select whole
  const t = arr(instr, onTrue, 'on_true'), f = arr(instr, onFalse, 'on_false');
  const out = resultShape(instr), n = product(out.dims);
  const sp = elemStride(instr, p, n, 'predicate');
  const data = alloc(out.dtype, n);
  const P = p.data, T = t.data as Float64Array, F = f.data as Float64Array, D = data as Float64Array;
  for (let i = 0; i < n; i++) D[i] = P[i * sp] ? T[i] : F[i];
  return { shape: out, data };
}

/** clamp(lo, x, hi) = min(max(x, lo), hi); a NaN in any argument is the result (lo's first). */
export function evalClamp(instr: InstructionOf<'clamp'>, ops: Literal[]): Literal {
  const lo = arr(instr, ops[0], 'min'), x = arr(instr, ops[1], 'operand'), hi = arr(instr, ops[2], 'max');
  const out = resultShape(instr), n = product(out.dims);
  const sl = elemStride(instr, lo, n, 'min'), sx = elemStride(instr, x, n, 'operand'), sh = elemStride(instr, hi, n, 'max');
  const data = alloc(out.dtype, n);
  const L = lo.data, X = x.data, H = hi.data;
  const float = isFloat(x.shape.dtype);
  for (let i = 0; i < n; i++) {
    const l = L[i * sl], v = X[i * sx], h = H[i * sh];
    let r: Scalar;
    if (float && Number.isNaN(l)) r = l;
    else if (float && Number.isNaN(v)) r = v;
    else if (float && Number.isNaN(h)) r = h;
    else {
      const m = v < l ? l : v;
      r = m < h ? m : h;
    }
    put(data, i, r);
  }
  return { shape: out, data };
}

export function evalConvert(instr: InstructionOf<'convert'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr), n = product(out.dims);
  const from = x.shape.dtype, to = out.dtype;
  const data = alloc(to, n), src = x.data;
  for (let i = 0; i < n; i++) put(data, i, convertValue(src[i], from, to));
  return { shape: out, data };
}

/**
 * Reinterpret the bytes (little-endian, as the devices store them). Different widths
 * follow XLA: a wider source grows a minor dimension, a narrower one consumes it.
 */
export function evalBitcastConvert(instr: Instruction, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr);
  return bitcastLiteral(instr, x, out);
}

export function bitcastLiteral(instr: Instruction, x: ArrayLiteral, out: ArrayShape): ArrayLiteral {
  const from: DType = x.shape.dtype, to: DType = out.dtype;
  const nIn = product(x.shape.dims), nOut = product(out.dims);
  const bIn = byteSize(from), bOut = byteSize(to);
  if (nIn * bIn !== nOut * bOut)
    fail(instr, `bitcast-convert from ${nIn}×${from} to ${nOut}×${to} changes the byte size`);
  const dv = new DataView(literalBytes(x).buffer);
  const data = alloc(to, nOut);
  for (let i = 0; i < nOut; i++) put(data, i, readElement(dv, i * bOut, to));
  return { shape: out, data };
}

export function evalReducePrecision(instr: InstructionOf<'reduce-precision'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const dt = x.shape.dtype;
  if (!isFloat(dt)) fail(instr, `reduce-precision needs a float operand, got ${dt}`);
  const { exponent_bits: e, mantissa_bits: m } = instr.attrs;
  if (e < 1 || m < 0) fail(instr, `reduce-precision needs exponent_bits >= 1 and mantissa_bits >= 0`);
  return mapUnary(x, resultShape(instr), (v) => reducePrecision(v as number, dt, e, m));
}
