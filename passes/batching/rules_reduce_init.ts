// A reduce whose init value is batched (JAX refuses it). A reduce's init is one scalar, so
// each example's init joins its elements instead: the reduced dims are flattened into one,
// the init is put in front of it, and the reduce runs from an "empty" accumulator, marked
// by one more (pred) operand, that the first element replaces. Each example then folds
// exactly what it folded alone (its init, then its elements in row-major order).
import type { Computation, Instruction } from '../../ir/module.js';
import { array, scalar } from '../../ir/shape.js';
import { dimsOf, dtypeOf, elementsOf, moveTo } from './moves.js';
import { type BVal, type RuleCtx } from './types.js';

/** The reducer over (values..., nonempty) pairs: an empty side yields the other. */
function withEmpty(ctx: RuleCtx, instr: Instruction & { opcode: 'reduce' }, k: number): Computation {
  const types = instr.operands.slice(0, k).map(dtypeOf);
  const params = [...types, 'pred' as const, ...types, 'pred' as const].map((t) => scalar(t));
  return ctx.computation(`${instr.attrs.to_apply.name}.from_empty`, params, (s, p) => {
    const a = p.slice(0, k), fa = p[k], b = p.slice(k + 1, 2 * k + 1), fb = p[2 * k + 1];
    const f = s.inline(instr.attrs.to_apply, [...a, ...b].map((x) => ({ x, b: null })));
    const fs = k === 1 ? [f.x] : elementsOf(s, f).map((e) => e.x);
    const outs = fs.map((v, j) => s.c.select(fa, s.c.select(fb, v, a[j]), b[j]));
    return s.c.tuple([...outs, s.c.or(fa, fb)]);
  });
}

export function reduceBatchedInit(ctx: RuleCtx, instr: Instruction & { opcode: 'reduce' }, args: readonly BVal[]): BVal {
  const k = args.length / 2;
  const dims = [...instr.attrs.dimensions].sort((x, y) => x - y);
  const inDims = dimsOf(instr.operands[0]);
  const kept = inDims.map((_, d) => d).filter((d) => !dims.includes(d));
  const keptSizes = kept.map((d) => inDims[d]), R = dims.reduce((n, d) => n * inDims[d], 1);
  const rows = [ctx.size, ...keptSizes];
  const joined = args.slice(0, k).map((v, j) => {
    const x = ctx.c.transpose(moveTo(ctx, v, 0), [0, ...kept.map((d) => d + 1), ...dims.map((d) => d + 1)]);
    const flat = ctx.c.reshape(x, [...rows, R]);
    const init = ctx.c.op('broadcast', [moveTo(ctx, args[k + j], 0)], { dimensions: [0] }, array(dtypeOf(flat), [...rows, 1]));
    return ctx.c.concatenate([init, flat], rows.length);
  });
  const present = ctx.c.broadcast(ctx.c.constantScalar('pred', true), [...rows, R + 1]);
  const empties = [...joined.map((x) => ctx.c.constantScalar(dtypeOf(x), 0)), ctx.c.constantScalar('pred', false)];
  const red = ctx.c.op('reduce', [...joined, present, ...empties], { dimensions: [rows.length], to_apply: withEmpty(ctx, instr, k) });
  const outs = elementsOf(ctx, { x: red, b: null }).slice(0, k).map((e) => e.x);
  return k === 1 ? { x: outs[0], b: 0 } : { x: ctx.c.tuple(outs), b: outs.map(() => 0) };
}
