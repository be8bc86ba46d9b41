// vmap over HLO modules: the module a per-example program becomes when it runs on a batch.
// Each value carries where its batch dim is (or that it has none); each opcode's rule in
// RULES says how the op runs with batched operands. See docs/vmap.md.
import { ComputationBuilder, NameUniquer } from '../../ir/builder.js';
import { calledComputations, type Computation, type Instruction, type Module } from '../../ir/module.js';
import type { Shape } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import { callInline } from '../call_inline.js';
import { dce } from '../dce.js';
import { batchShape, elementsOf, moveTo } from './moves.js';
import { type BVal, NotBatchableError, type RuleCtx } from './types.js';
import { Walk } from './walk.js';

export { NotBatchableError } from './types.js';
export { RULES, type BatchingTable } from './rules.js';
export type { BDim, BVal, BatchRule, NotBatchable, RuleCtx } from './types.js';

/**
 * inAxes[i]: the axis of entry parameter i that is batched (the new param has that extra dim
 * of length `size`), or null (unbatched, shape unchanged).
 * outAxes: per output leaf (root tuple elements, or the root), where its batch dim goes
 * (default 0). Every output leaf is batched (an unbatched value is broadcast).
 */
export function vmap(m: Module, inAxes: readonly (number | null)[], size: number, outAxes?: readonly number[]): Module {
  checkArguments(m, inAxes, size, outAxes);
  const src = callInline(m);
  const names = new NameUniquer(), computationNames = new NameUniquer();
  for (const c of src.computations) {
    if (c === src.entry) continue;
    computationNames.unique(c.name);
    for (const i of c.instructions) names.unique(i.name);
  }
  const walk = new Walk(size, names, computationNames);
  const c = new ComputationBuilder(computationNames.unique(src.entry.name), names);
  const params: BVal[] = src.entry.params.map((p, k) => ({ x: c.parameter(batchShape(p.shape, inAxes[k], size), p.name), b: inAxes[k] }));
  const out = walk.batchInto(c, src.entry, params);
  const entry = c.finish(placeOutputs(walk.scope(c), out, outAxes), true);
  const result: Module = { name: m.name, headerAttrs: [], computations: calleesFirst(entry), entry, style: { ...m.style } };
  verifyModule(result);
  return dce(result);
}

function checkArguments(m: Module, inAxes: readonly (number | null)[], size: number, outAxes?: readonly number[]): void {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`vmap: the batch size must be a positive integer, got ${size}`);
  const params = m.entry.params;
  if (inAxes.length !== params.length)
    throw new RangeError(`vmap: ${m.name}'s entry %${m.entry.name} takes ${params.length} parameters, but ${inAxes.length} in-axes were given`);
  inAxes.forEach((axis, k) => {
    if (axis === null) return;
    const s = params[k].shape;
    if (s.kind === 'tuple')
      throw new NotBatchableError(`vmap: parameter ${k} (%${params[k].name}) is a tuple; batch its elements as separate parameters, or pass null`);
    if (!Number.isInteger(axis) || axis < 0 || axis > s.dims.length)
      throw new RangeError(`vmap: in-axis ${axis} of parameter ${k} (%${params[k].name}) is not in [0, ${s.dims.length}]`);
  });
  const leaves = outputLeaves(m.entry.root.shape);
  if (outAxes === undefined) return;
  if (outAxes.length !== leaves.length)
    throw new RangeError(`vmap: ${leaves.length} out-axes needed (one per output), ${outAxes.length} given`);
  outAxes.forEach((axis, k) => {
    const rank = leaves[k].kind === 'array' ? leaves[k].dims.length : Infinity;
    if (!Number.isInteger(axis) || axis < 0 || axis > rank) throw new RangeError(`vmap: out-axis ${axis} of output ${k} is not in [0, ${rank}]`);
  });
}

const outputLeaves = (s: Shape): readonly Shape[] => (s.kind === 'tuple' ? s.elements : [s]);

/** Each output leaf batched, its batch dim at its out-axis (a nested tuple's arrays all take it). */
function placeOutputs(ctx: RuleCtx, out: BVal, outAxes?: readonly number[]): Instruction {
  const place = (v: BVal, axis: number): Instruction =>
    v.x.shape.kind === 'tuple' ? ctx.c.tuple(elementsOf(ctx, v).map((e) => place(e, axis))) : moveTo(ctx, v, axis);
  if (out.x.shape.kind !== 'tuple') return place(out, outAxes?.[0] ?? 0);
  return ctx.c.tuple(elementsOf(ctx, out).map((e, k) => place(e, outAxes?.[k] ?? 0)));
}

/** The computations the entry reaches, each after the ones it calls; the entry last. */
function calleesFirst(entry: Computation): Computation[] {
  const out: Computation[] = [], seen = new Set<Computation>();
  const visit = (c: Computation): void => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const i of c.instructions) for (const callee of calledComputations(i)) visit(callee);
    out.push(c);
  };
  visit(entry);
  return out;
}
