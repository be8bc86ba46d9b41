// Helpers shared by the op families: numpy broadcasting, dims, axis normalisation.
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
