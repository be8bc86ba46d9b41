// Helpers shared by the op families: numpy broadcasting, dims, axis normalisation.
import { DTYPES, isFloat, isSigned, type DType } from '../../../../ir/dtype.js';
import type { Instruction } from '../../../../ir/module.js';
import type { ArrayShape } from '../../../../ir/shape.js';
import type { LowerCtx } from './types.js';

/** The array shape of x (ONNX values are never tuples). */
export function shapeOf(ctx: LowerCtx, x: Instruction): ArrayShape {
  return x.shape.kind === 'array' ? x.shape : ctx.fail(`value %${x.name} is a tuple`);
}

export const dimsOf = (ctx: LowerCtx, x: Instruction): number[] => [...shapeOf(ctx, x).dims];

/** An axis in [-rank, rank) as a non-negative index. */
export function normAxis(ctx: LowerCtx, axis: number, rank: number, what = 'axis'): number {
  if (axis < -rank || axis >= rank) ctx.fail(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** The numpy broadcast of several shapes' dims. */
export function broadcastDims(ctx: LowerCtx, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      const v = k >= 0 ? s[k] : 1;
      if (v === 1) continue;
      if (d !== 1 && d !== v) ctx.fail(`shapes [${shapes.map((x) => x.join(',')).join('] and [')}] do not broadcast`);
      d = v;
    }
    out.push(d);
  }
  return out;
}

/** x broadcast (numpy rules) to dims. */
export function broadcastTo(ctx: LowerCtx, x: Instruction, dims: readonly number[]): Instruction {
  const xd = dimsOf(ctx, x);
  if (xd.length === dims.length && xd.every((d, i) => d === dims[i])) return x;
  const offset = dims.length - xd.length;
  if (offset < 0) ctx.fail(`cannot broadcast [${xd.join(',')}] to [${dims.join(',')}]`);
  // Drop size-1 dims that stretch, then broadcast the rest into their positions.
  const keep = xd.map((d, i) => (d === dims[offset + i] ? i : -1)).filter((i) => i >= 0);
  xd.forEach((d, i) => {
    if (d !== 1 && d !== dims[offset + i]) ctx.fail(`cannot broadcast [${xd.join(',')}] to [${dims.join(',')}]`);
  });
  const squeezed = keep.length === xd.length ? x : ctx.b.reshape(x, keep.map((i) => xd[i]));
  return ctx.b.broadcast(squeezed, dims, keep.map((i) => offset + i));
}

/** All of xs broadcast to their common shape. */
export function broadcastAll(ctx: LowerCtx, xs: readonly Instruction[]): Instruction[] {
  const dims = broadcastDims(ctx, xs.map((x) => dimsOf(ctx, x)));
  return xs.map((x) => broadcastTo(ctx, x, dims));
}

// --- Helpers for reductions and the ops built on them (reduce.ts, linalg.ts) ----------

/** A scalar constant of x's element type. */
export const scalarLike = (ctx: LowerCtx, x: Instruction, v: number | bigint): Instruction =>
  ctx.b.constantScalar(dtypeOf(ctx, x), v);

/** A constant of x's element type and shape, every element v. */
export const fullLike = (ctx: LowerCtx, x: Instruction, v: number | bigint): Instruction =>
  ctx.b.broadcast(scalarLike(ctx, x, v), dimsOf(ctx, x));

/** The smallest value of dtype (-inf for floats): the identity of maximum. */
export function lowest(dtype: DType): number | bigint {
  if (isFloat(dtype)) return -Infinity;
  if (!isSigned(dtype)) return 0;
  const bits = BigInt(DTYPES[dtype].bits);
  return dtype === 's64' ? -(1n << (bits - 1n)) : -Number(1n << (bits - 1n));
}

/** The largest value of dtype (+inf for floats): the identity of minimum. */
export function highest(dtype: DType): number | bigint {
  if (isFloat(dtype)) return Infinity;
  if (dtype === 'pred') return 1;
  const bits = BigInt(DTYPES[dtype].bits) - (isSigned(dtype) ? 1n : 0n);
  const max = (1n << bits) - 1n;
  return dtype === 's64' || dtype === 'u64' ? max : Number(max);
}

/** Axes (possibly negative, possibly repeated) as sorted distinct indices into rank dims. */
export function normAxes(ctx: LowerCtx, axes: readonly number[], rank: number): number[] {
  return [...new Set(axes.map((a) => normAxis(ctx, a, rank, 'axes entry')))].sort((a, b) => a - b);
}

/** The dims of rank not in axes, in order. */
export const otherAxes = (rank: number, axes: readonly number[]): number[] =>
  Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));

/** r, the reduction of x over axes, with those axes put back as size 1 (keepdims). */
export function keepDims(ctx: LowerCtx, r: Instruction, xDims: readonly number[], axes: readonly number[]): Instruction {
  return ctx.b.reshape(r, xDims.map((d, i) => (axes.includes(i) ? 1 : d)));
}

/** r, the reduction of x over axes, broadcast back to x's dims (to combine with x). */
export function expandBack(ctx: LowerCtx, r: Instruction, xDims: readonly number[], axes: readonly number[]): Instruction {
  return ctx.b.broadcast(r, xDims, otherAxes(xDims.length, axes));
}

/** x folded over axes with a standard reducer, starting from init. */
export function fold(ctx: LowerCtx, x: Instruction, axes: readonly number[], how: 'add' | 'multiply' | 'maximum' | 'minimum'): Instruction {
  const dtype = dtypeOf(ctx, x);
  const init = { add: 0, multiply: 1, maximum: lowest(dtype), minimum: highest(dtype) }[how];
  return ctx.b.reduce(x, ctx.b.constantScalar(dtype, init), axes, ctx.reducer(how, dtype));
}

/** The element type of x (ONNX values are never tuples). */
export const dtypeOf = (ctx: LowerCtx, x: Instruction) => shapeOf(ctx, x).dtype;

/** A constant of x's element type and shape holding `value` everywhere. */
export function splat(ctx: LowerCtx, x: Instruction, value: number): Instruction {
  const s = shapeOf(ctx, x);
  return ctx.b.broadcast(ctx.b.constantScalar(s.dtype, value), s.dims);
}

/**
 * ONNX's pre-opset-7 broadcast (`broadcast=1`): y's dims match a contiguous run of
 * `dims` starting at `axis` (by default the trailing run), and y repeats over the rest.
 */
export function legacyBroadcastTo(ctx: LowerCtx, y: Instruction, dims: readonly number[], axis?: number): Instruction {
  const yd = dimsOf(ctx, y);
  const start = axis === undefined ? dims.length - yd.length : normAxis(ctx, axis, dims.length);
  if (start < 0 || start + yd.length > dims.length) ctx.fail(`cannot broadcast [${yd.join(',')}] to [${dims.join(',')}] at axis ${start}`);
  const padded = dims.map((_, i) => (i >= start && i < start + yd.length ? yd[i - start] : 1));
  const aligned = padded.length === yd.length ? y : ctx.b.reshape(y, padded);
  return broadcastTo(ctx, aligned, dims);
}

/** v of dtype, broadcast to dims. */
export function filled(ctx: LowerCtx, dtype: DType, dims: readonly number[], v: number): Instruction {
  const s = ctx.b.constantScalar(dtype, v);
  return dims.length === 0 ? s : ctx.b.broadcast(s, dims);
}

/** [from, from + 1, ..., from + n - 1]. */
export const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);
