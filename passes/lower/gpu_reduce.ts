// The GPU reduce schedule: a reduce (or a fusion whose root is elementwise over one
// reduce) as a grid kernel with one workgroup per output element. Each invocation folds
// a strided share of its row (invocation i reads elements i, i+W, i+2W, …, so a
// workgroup's reads of a contiguous row coalesce), the workgroup combines the shares
// by a tree over a workgroup array with barriers between levels, and invocation 0 folds
// in the init value, applies the fused epilogue and stores.
//
// Any reduced dims work (a column reduction is correct, its reads just strided). The
// order of the reducer's applications changes, as XLA's GPU backend changes it: a float
// sum rounds differently from the sequential one by reassociation only, which the
// golden suite's tolerance allows (docs/lowering.md, "GPU schedules").
import * as k from '../../ir/kernel/build.js';
import { SCALAR, type Expr, type ScalarType, type Stmt } from '../../ir/kernel/kernel.js';
import type { Computation, Instruction, InstructionOf } from '../../ir/module.js';
import { isElementwise } from '../../ir/opcodes.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import type { GpuSchedule } from '../../ir/target.js';
import { hoistInvariants } from '../kernel/hoist.js';
import { elementRule } from './elemental.js';
import { laneIdentity } from './elemental_compute.js';
import { Emitter, fixed, type Idx, type Leaf } from './emitter.js';
import { kernelParams, spread } from './gpu_grid.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { computeType } from './types.js';

const WORD = new Set(['f32', 's32', 'u32']);
const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;

/** The reduce a workgroup per output computes for `spec`, if the schedule applies. */
function reduceOf(spec: LoopKernelSpec, width: number): InstructionOf<'reduce'> | undefined {
  if (spec.outputs.length !== 1) return undefined;
  const cone = coneOf(spec.root, spec.body);
  const reduces = cone.filter((i) => i.opcode === 'reduce');
  if (reduces.length !== 1) return undefined;
  const r = reduces[0] as InstructionOf<'reduce'>;
  const outDims = spec.outputs[0].shape.dims.join();
  if (r.operands.length !== 2 || r.shape.kind !== 'array' || !WORD.has(r.shape.dtype) || dimsOf(r).join() !== outDims) return undefined;
  if (r.operands[0].shape.kind !== 'array' || r.operands[0].shape.dtype !== r.shape.dtype) return undefined;
  // The tree combines partial results with the reducer, which only a reducer that
  // reassociates allows (`a + 2|b|` does not: instruction_fusion_test_29 in the corpus).
  if (laneIdentity(r.attrs.to_apply, computeType(r.shape.dtype)) === undefined) return undefined;
  // Every invocation starts from an element of its own: rows of at least one per invocation.
  const n = product(dimsOf(r.operands[0]).filter((_, d) => r.attrs.dimensions.includes(d)));
  if (n < width) return undefined;
  // The epilogue reads the reduce at the output's own index only: elementwise all the way up.
  const above = cone.filter((i) => i !== r && dependsOn(i, r, spec.body));
  return above.every((i) => isElementwise(i.opcode) && i.shape.kind === 'array' && dimsOf(i).join() === outDims) ? r : undefined;
}

/** `root` and what it reads inside the fusion body (leaves: parameters). */
function coneOf(root: Instruction, body?: Computation): Instruction[] {
  const seen = new Set<Instruction>();
  const visit = (i: Instruction): void => {
    if (seen.has(i)) return;
    seen.add(i);
    if (body && body.params.includes(i)) return;
    if (body) i.operands.forEach(visit);
  };
  visit(root);
  return [...seen];
}

function dependsOn(i: Instruction, r: Instruction, body?: Computation): boolean {
  return i !== r && coneOf(i, body).includes(r);
}

/** Largest power of two ≤ n: the tree halves. */
export const pow2 = (n: number): number => 2 ** Math.floor(Math.log2(n));

export function gpuReduceKernel(spec: LoopKernelSpec, gpu: GpuSchedule): LoweredKernel | undefined {
  const W = pow2(gpu.rowWidth);
  const r = reduceOf(spec, W);
  if (!r) return undefined;
  const { kb, outs, leaves } = kernelParams(spec);
  const [input, init] = r.operands;
  const inDims = dimsOf(input), outDims = dimsOf(r), reduced = new Set(r.attrs.dimensions);
  const rowSizes = inDims.filter((_, d) => reduced.has(d)), n = product(rowSizes), rows = product(outDims);
  const scalar = computeType((r.shape as ArrayShape).dtype);
  const em = new Emitter(kb, 1, leaves, elementRule, false);
  if (spec.body) em.noteUses(spec.body);
  const f = (a: Expr, b: Expr): Expr => em.inline(r.attrs.to_apply, [a, b])[0];
  const lid = k.localId(0);
  const s = spread(rows, 1);
  const g = kb.fresh('g'), acc = kb.fresh('acc'), sh = kb.fresh('sh'), j = kb.fresh('j');
  const gv = k.variable(g), accv = k.variable(acc, SCALAR(scalar));
  const out = k.delinear(gv, outDims);
  const inside = k.compare('LT', gv, k.int(rows)), first = k.compare('EQ', lid, k.int(0));

  /** Element `e` of the row (a linear index into the reduced dims). */
  const element = (e: Expr): Expr => {
    const ri = k.delinear(e, rowSizes);
    let o = 0, q = 0;
    const idx: Idx[] = inDims.map((_, d) => fixed(reduced.has(d) ? ri[q++] : out[o++]));
    return em.value(input, idx);
  };
  const [fold] = em.nested(() => {
    em.out.push(k.assign(acc, element(lid)));
    const [step] = em.nested(() => em.out.push(k.assign(acc, f(accv, element(k.variable(j))))));
    em.out.push(k.loop(j, k.add(lid, k.int(W)), n, step, 'serial', W));
  });
  const body: Stmt[] = [
    k.array(sh, scalar, W, 'workgroup'),
    k.letStmt(g, s.id),
    k.letStmt(acc, k.constant(scalar, 0)),
    // g depends on the workgroup only, so this branch, unlike those on localId, keeps control uniform.
    ...(s.covered === rows ? fold : [k.ifStmt(inside, fold)]),
    k.localStore(sh, lid, accv),
    k.barrier(),
    ...tree(em, [{ sh, scalar, f }], W),
    k.ifStmt(s.covered === rows ? first : k.and(first, inside), epilogue(spec, em, r, leaves, () => f(em.value(init, []), k.local(sh, k.int(0), scalar)), out, (v) => k.store(outs[0], gv, v))),
  ];
  const kernel = kb.finish(spec.name, body, spec.source.name, { gpu: 1, reduceWidth: W }, k.grid([W], s.grid.workgroups));
  return { kernel: hoistInvariants(kernel), args: kb.args };
}

/** A workgroup array of W values of `scalar` that a tree folds with `f`. */
export interface TreePart {
  readonly sh: string;
  readonly scalar: ScalarType;
  readonly f: (a: Expr, b: Expr) => Expr;
}

/**
 * A tree over workgroup arrays of W values each: level s folds element lid + s into lid
 * (in every array at once), a barrier between levels. `broadcast`: a barrier after the
 * last level too, so that every invocation may then read sh[0].
 */
export function tree(em: Emitter, parts: readonly TreePart[], W: number, broadcast = false): Stmt[] {
  const out: Stmt[] = [];
  const lid = k.localId(0);
  for (let s = W / 2; s >= 1; s /= 2) {
    const [step] = em.nested(() => {
      for (const { sh, scalar, f } of parts) em.out.push(k.localStore(sh, lid, f(k.local(sh, lid, scalar), k.local(sh, k.add(lid, k.int(s)), scalar))));
    });
    out.push(k.ifStmt(k.compare('LT', lid, k.int(s)), step));
    // Without `broadcast`, after the last level only invocation 0 reads sh[0], which it wrote itself.
    if (s > 1 || broadcast) out.push(k.barrier());
  }
  return out;
}

/** The root at output index `out`, the reduce's value being `total()`: the fused epilogue, then `store`. */
function epilogue(spec: LoopKernelSpec, em: Emitter, r: Instruction, leaves: ReadonlyMap<Instruction, Leaf>, total: () => Expr, out: readonly Expr[], store: (v: Expr) => Stmt): Stmt[] {
  const [stmts] = em.nested(() => {
    const t = em.bind('total', total());
    const top = new Emitter(em.kb, 1, new Map([...leaves, [r, { k: 'value', values: [t] }]]), elementRule, false);
    if (spec.body) top.noteUses(spec.body);
    top.out = em.out;
    em.out.push(store(top.value(spec.root, out.map(fixed))));
  });
  return stmts;
}
