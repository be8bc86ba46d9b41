// The passes over a row that the CPU row kernel (row_kernel.ts) and the GPU row kernel
// (gpu_row.ts) share: a pass is a 4-lane vector loop over the row and a scalar loop over
// its tail, each visiting elements with an elemental emitter whose leaves are the
// inputs, the reductions of earlier passes (row scalars) and the rows kept by earlier
// passes. The kernels differ only in which elements a loop visits (all of them on a CPU
// thread; an invocation's share on a GPU) and in how a reduction's partial value becomes
// the row's (the init value folded in; a workgroup tree first).
import * as k from '../../ir/kernel/build.js';
import type { Expr, Lanes, Stmt } from '../../ir/kernel/kernel.js';
import type { Computation, Instruction, InstructionOf } from '../../ir/module.js';
import { elementRule } from './elemental.js';
import { laneIdentity } from './elemental_compute.js';
import { dtypeOf } from './elemental_math.js';
import { Emitter, fixed, type Idx, type Leaf } from './emitter.js';
import type { KernelBuilder } from './kernel_builder.js';
import type { RowPlan } from './row_plan.js';
import { computeType } from './types.js';

/** A value kept for later passes: stored in the pass that computes it, read back after (in a loop of `lanes`). */
export interface Kept {
  /** The pass that computes and stores it. */
  readonly at: number;
  store(j: Expr, v: Expr, lanes: Lanes): Stmt;
  load(j: Expr, lanes: Lanes): Expr;
}

/** A loop over some elements of the row: j = start, start + step, … < end. */
export interface Range {
  readonly start: Expr;
  readonly end: number;
  readonly step: number;
}

/** What every pass over one row sees. */
export interface RowContext {
  readonly kb: KernelBuilder;
  readonly body: Computation;
  readonly plan: RowPlan;
  /** Parameters (buffers) and the reductions computed so far (scalars of this row). */
  readonly leaves: Map<Instruction, Leaf>;
  readonly rowIndex: readonly Expr[];
  readonly vectorsOk: boolean;
  readonly kept: ReadonlyMap<Instruction, Kept>;
  /** The elements this thread or invocation visits: 4-lane vectors (j a multiple of 4), then scalars. */
  readonly vector?: Range;
  readonly tail?: Range;
}

/** `visit` at every element the context's loops reach; the emitter's leaves add the rows kept by earlier passes. */
export function overRow(ctx: RowContext, pass: number, into: Stmt[], visit: (em: Emitter, index: Idx[], j: Expr, lanes: Lanes) => void): void {
  const part = (lanes: Lanes, range: Range | undefined) => {
    if (!range) return;
    const j = ctx.kb.fresh('j');
    const jv = k.variable(j);
    const leaves = new Map(ctx.leaves);
    for (const [x, kept] of ctx.kept) if (kept.at < pass) leaves.set(x, { k: 'value', values: [kept.load(jv, lanes)] });
    const em = new Emitter(ctx.kb, lanes, leaves, elementRule, ctx.vectorsOk);
    em.noteUses(ctx.body);
    const index = [...ctx.rowIndex.map(fixed), { e: jv, lane: lanes === 4 }];
    const [stmts] = em.nested(() => {
      for (const [x, kept] of ctx.kept) if (kept.at === pass) em.out.push(kept.store(jv, em.widen(em.value(x, index)), lanes));
      visit(em, index, jv, lanes);
    });
    into.push(k.loop(j, range.start, range.end, stmts, 'serial', range.step));
  };
  part(4, ctx.vector);
  part(1, ctx.tail);
}

/**
 * The loops of one reduction pass: the kept values it computes first, each reduction of
 * `reds` accumulated from the reducer's identity (lane l of the vector loop from elements
 * l, l+4, …). Returns each reduction's partial value over the elements visited (lanes
 * combined pairwise, then the tail), without the init value.
 */
export function foldPass(ctx: RowContext, pass: number, reds: readonly InstructionOf<'reduce'>[], into: Stmt[], top: Emitter): Expr[] {
  const acc = (lanes: Lanes) => reds.map((r) => {
    const name = ctx.kb.fresh(`${lanes === 4 ? 'vacc' : 'tacc'}_${r.name}`);
    into.push(k.letStmt(name, k.constant(computeType(dtypeOf(r)), identity(r), lanes)));
    return name;
  });
  const vacc = ctx.vector ? acc(4) : [];
  const tacc = ctx.tail ? acc(1) : [];
  overRow(ctx, pass, into, (em, index, _j, lanes) => {
    const accs = lanes === 4 ? vacc : tacc;
    reds.forEach((r, m) => {
      const v = em.value(r.operands[0], index);
      em.out.push(k.assign(accs[m], em.inline(r.attrs.to_apply, [k.variable(accs[m], v.type), v])[0]));
    });
  });
  return reds.map((r, m) => {
    const t = computeType(dtypeOf(r));
    const f = (a: Expr, b: Expr): Expr => top.inline(r.attrs.to_apply, [a, b])[0];
    const parts: Expr[] = [];
    if (vacc.length) {
      const lane = (l: number) => k.extract(k.variable(vacc[m], { scalar: t, lanes: 4 }), l);
      parts.push(f(f(lane(0), lane(1)), f(lane(2), lane(3))));
    }
    if (tacc.length) parts.push(k.variable(tacc[m], { scalar: t, lanes: 1 }));
    return parts.reduce((a, b) => f(a, b));
  });
}

/** The reductions the plan computes in `pass`. */
export const reductionsAt = (ctx: RowContext, pass: number): InstructionOf<'reduce'>[] =>
  ctx.body.instructions.filter((i) => i.opcode === 'reduce' && ctx.plan.level.get(i) === pass) as InstructionOf<'reduce'>[];

/** The reducer's identity, which each accumulator starts from (the fusion pass admits only reducers that have one). */
export function identity(r: InstructionOf<'reduce'>): number {
  const id = laneIdentity(r.attrs.to_apply, computeType(dtypeOf(r)));
  if (id === undefined) throw new Error(`row kernel: ${r.name}'s reducer does not reassociate`);
  return id;
}
