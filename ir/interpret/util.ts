// Shared pieces of the reference interpreter: the evaluator type, errors that name
// the instruction, value access across number/bigint storage, and the strided copy
// every data-movement op is built from.
import { DTYPES, type DType } from '../dtype.js';
import {
  allocValues, type ArrayLiteral, type Literal, type Values,
} from '../literal.js';
import type { Computation, Instruction, InstructionOf } from '../module.js';
import type { Opcode } from '../opcodes.js';
import type { Scalar } from '../scalar/value.js';
import { interpreterTooLarge, TooLarge } from '../limits.js';
import { asArray, leaves, product, scalar, shapeToString, strides, type ArrayShape, type Shape } from '../shape.js';

export interface Ctx {
  /** Arguments of the computation being evaluated (what `parameter` reads). */
  readonly args: readonly Literal[];
  /** Evaluate a called computation (reduce's to_apply, fusion bodies, while...). */
  call(c: Computation, args: Literal[]): Literal;
}

export type Evaluator<K extends Opcode> = (instr: InstructionOf<K>, operands: Literal[], ctx: Ctx) => Literal;

/** An error from the interpreter that already names its instruction. */
export class InterpretError extends Error {
  override name = 'InterpretError';
}

export const instrLabel = (instr: Instruction): string => `%${instr.name.replace(/^%/, '')}`;

/**
 * Why the interpreter cannot hold a value of shape `s` — an unbounded dim, or more elements
 * than it holds — or undefined; `where` (an instruction, a parameter) ends the message.
 */
export function valueRefusal(s: Shape, where: string): Error | undefined {
  for (const leaf of leaves(s))
    // A bounded dim (`<=N`) runs at its bound, as XLA's evaluator does; an unbounded one (`?`) has no size to run at.
    if (leaf.dims.some((d) => d < 0))
      return new InterpretError(`kiln's interpreter runs static and bounded shapes only, not the unbounded ${shapeToString(leaf, { layout: false })} (${where})`);
  const tooLarge = interpreterTooLarge(s);
  return tooLarge ? new TooLarge(`${tooLarge} (${where})`) : undefined;
}

export function fail(instr: Instruction, msg: string): never {
  throw new InterpretError(`${msg} (instruction ${instrLabel(instr)})`);
}

export function unsupported(instr: Instruction, what?: string): never {
  throw unsupportedError(instr, what);
}

export function unsupportedError(instr: Instruction, what?: string): InterpretError {
  const detail = what ? ` ${what}` : '';
  return new InterpretError(`kiln's interpreter does not run opcode '${instr.opcode}'${detail} (instruction ${instrLabel(instr)})`);
}

export function arr(instr: Instruction, l: Literal | undefined, what = 'operand'): ArrayLiteral {
  if (!l) fail(instr, `missing ${what}`);
  if (l.shape.kind !== 'array') fail(instr, `${what} must be an array, got a tuple`);
  return l as ArrayLiteral;
}

export const resultShape = (instr: Instruction): ArrayShape => asArray(instr.shape, `result of ${instrLabel(instr)}`);

export { product };

/** Storage for n elements of dtype. */
export const alloc = (dtype: DType, n: number): Values => allocValues(dtype, n);

export const isWideData = (v: Values): v is BigInt64Array | BigUint64Array => !(v instanceof Float64Array);

/** Write an already-rounded value into storage of either kind. */
export function put(data: Values, i: number, v: Scalar): void {
  if (data instanceof Float64Array) data[i] = typeof v === 'bigint' ? Number(v) : v;
  else (data as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(v);
}

export function scalarLiteral(dtype: DType, v: Scalar): ArrayLiteral {
  const data = alloc(dtype, 1);
  put(data, 0, v);
  return { shape: scalar(dtype), data };
}

export function filled(shape: ArrayShape, v: Scalar): ArrayLiteral {
  const n = product(shape.dims);
  const data = alloc(shape.dtype, n);
  if (data instanceof Float64Array) data.fill(Number(v));
  else (data as BigInt64Array).fill(typeof v === 'bigint' ? v : BigInt(v));
  return { shape, data };
}

/** An integer index held in a literal element (s32, u32, s64...), as a JS number. */
export const indexAt = (l: ArrayLiteral, i: number): number => Number(l.data[i]);

export const clampInt = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

export const bitsOf = (dt: DType): number => DTYPES[dt].bits;

/**
 * dst[dBase + Σ i_k dStr_k] = src[sBase + Σ i_k sStr_k] for every index i in dims.
 * Source and destination must hold the same storage kind (both numbers or both bigints).
 */
export function stridedCopy(
  dims: readonly number[], src: Values, sBase: number, sStr: readonly number[],
  dst: Values, dBase: number, dStr: readonly number[],
): void {
  const r = dims.length;
  if (dims.some((d) => d <= 0)) return;
  const S = src as Float64Array, D = dst as Float64Array; // one code path for both kinds
  if (r === 0) { D[dBase] = S[sBase]; return; }
  const idx = new Int32Array(r);
  const last = r - 1, n = dims[last], sl = sStr[last], dl = dStr[last];
  let s = sBase, d = dBase;
  for (;;) {
    for (let i = 0, si = s, di = d; i < n; i++, si += sl, di += dl) D[di] = S[si];
    let k = last - 1;
    for (; k >= 0; k--) {
      idx[k]++;
      s += sStr[k];
      d += dStr[k];
      if (idx[k] < dims[k]) break;
      s -= sStr[k] * dims[k];
      d -= dStr[k] * dims[k];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

/** Copy x with its dims reordered as `order` into a packed row-major buffer. */
export function pack(x: ArrayLiteral, order: readonly number[]): Values {
  const dims = order.map((d) => x.shape.dims[d]);
  const xs = strides(x.shape.dims);
  const data = alloc(x.shape.dtype, product(dims));
  stridedCopy(dims, x.data, 0, order.map((d) => xs[d]), data, 0, strides(dims));
  return data;
}

/** Row-major strides, re-exported so evaluators import one module. */
export { strides };

/** Complement of `dims` in [0, rank), ascending. */
export function otherDims(rank: number, dims: readonly number[]): number[] {
  const out: number[] = [];
  for (let d = 0; d < rank; d++) if (!dims.includes(d)) out.push(d);
  return out;
}
