// The row kernel: a kRow fusion (passes/fusion/row.ts) as one kernel whose parallel loop
// runs over rows (every index but the minor dim) and whose body passes over its row:
// one pass per level of reductions (row_plan.ts), then one that writes the row out.
// Each pass reads the row in 4-lane vectors with a scalar tail, as a row reduction does
// (elemental_compute.ts): lane l accumulates elements l, l+4, ... from the reducer's
// identity, then lanes, tail and init value combine. The reduced values are scalars
// of the row (let-bound, in registers); a broadcast of one reads it at any element.
// Values kept by the plan go to a per-thread scratch row (a private local array) in the
// pass that first computes them and are read back, not recomputed, by later passes.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Lanes, Stmt } from '../../ir/kernel/kernel.js';
import type { Computation, Instruction, InstructionOf } from '../../ir/module.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import { Emitter, fixed, type Idx, type Leaf } from './emitter.js';
import { elementRule } from './elemental.js';
import { laneIdentity } from './elemental_compute.js';
import { dtypeOf } from './elemental_math.js';
import { hoistInvariants } from '../kernel/hoist.js';
import { KernelBuilder } from './kernel_builder.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { planRow, type RowPlan } from './row_plan.js';
import { computeType, storageType, touchesWide } from './types.js';

/** A value kept for later passes: stored in the pass that computes it, read back after. */
interface Kept {
  store(j: Expr, v: Expr): Stmt;
  load(j: Expr, lanes: Lanes): Expr;
}

/** What every pass of one row sees. */
interface RowContext {
  readonly kb: KernelBuilder;
  readonly body: Computation;
  readonly plan: RowPlan;
  /** Parameters (buffers) and the reductions computed so far (scalars of this row). */
  readonly leaves: Map<Instruction, Leaf>;
  readonly rowIndex: readonly Expr[];
  readonly n: number;
  /** Where the vector loop ends: 0 when the kernel stays scalar. */
  readonly vecEnd: number;
  readonly vectorsOk: boolean;
  readonly kept: ReadonlyMap<Instruction, Kept>;
}

export function rowKernel(spec: LoopKernelSpec): LoweredKernel {
  const body = spec.body!;
  const kb = new KernelBuilder(spec.constants);
  const outputs = body.root.opcode === 'tuple' ? body.root.operands : [body.root];
  const outBufs = spec.outputs.map((o) => kb.param(o.id, o.name, storageType(o.shape.dtype), product(o.shape.dims), 'write'));
  const leaves = new Map<Instruction, Leaf>();
  for (const [instr, ref] of spec.inputs)
    leaves.set(instr, { k: 'buffer', buf: kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), 'read'), shape: ref.shape });
  const dims = (outputs[0].shape as ArrayShape).dims;
  const n = dims[dims.length - 1], rowDims = dims.slice(0, -1);
  const vectorsOk = spec.target.capabilities.vectorLanes === 4 && !touchesWide(body.instructions);
  const plan = planRow(body, outputs);
  const p = kb.fresh('p');
  const stmts: Stmt[] = [];
  const top = new Emitter(kb, 1, leaves, elementRule, vectorsOk);
  top.out = stmts;
  const rowIndex = k.delinear(k.variable(p), rowDims).map((e, d) => top.bind(`i${d}`, e));
  const base = top.bind('base', k.mul(k.variable(p), k.int(n)));
  // Scratch rows are declared once, outside the row loop: private, so one per thread.
  const decls: Stmt[] = [];
  const kept = new Map<Instruction, Kept>();
  for (const x of plan.kept.keys()) {
    const o = outputs.indexOf(x);
    if (o > 0) {
      // Read back by later passes: the output buffer is the scratch row.
      const ref = spec.outputs[o];
      kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), 'read');
      kept.set(x, { store: (j, v) => k.store(outBufs[o], k.add(base, j), v), load: (j, lanes) => k.load(outBufs[o], k.add(base, j), computeType(dtypeOf(x)), lanes) });
      continue;
    }
    const name = kb.fresh(`row_${x.name}`);
    decls.push({ k: 'array', name, type: computeType(dtypeOf(x)), size: n, scope: 'private' });
    kept.set(x, { store: (j, v) => ({ k: 'localStore', array: name, index: j, value: v }), load: (j, lanes) => k.local(name, j, computeType(dtypeOf(x)), lanes) });
  }
  const ctx: RowContext = { kb, body, plan, leaves, rowIndex, n, vecEnd: vectorsOk ? Math.floor(n / 4) * 4 : 0, vectorsOk, kept };
  for (let pass = 0; pass < plan.passes; pass++) reductionPass(ctx, pass, stmts);
  outputPass(ctx, outputs[0], outBufs[0], base, stmts);
  // Extra outputs of the row space (a reduction, the mean): one element per row.
  outputs.forEach((x, o) => {
    if (o > 0 && !plan.kept.has(x)) stmts.push(k.store(outBufs[o], k.variable(p), top.value(x, rowIndex.map(fixed))));
  });
  const rows = product(rowDims);
  const kernel = hoistInvariants(kb.finish(spec.name, [...decls, k.loop(p, 0, rows, stmts, 'parallel')], spec.source.name, { rows, passes: plan.passes + 1, lanes: ctx.vecEnd > 0 ? 4 : 1 }));
  return { kernel, args: kb.args };
}

/**
 * Emits `visit` in a loop over the row: 4-lane vectors up to vecEnd, then a scalar tail.
 * `visit` gets an emitter whose leaves add the scratch rows stored by earlier passes.
 */
function overRow(ctx: RowContext, pass: number, into: Stmt[], visit: (em: Emitter, index: Idx[], j: Expr, lanes: Lanes) => void): void {
  const part = (lanes: Lanes, from: number, to: number) => {
    if (from >= to) return;
    const j = ctx.kb.fresh('j');
    const jv = k.variable(j);
    const leaves = new Map(ctx.leaves);
    for (const [x, kept] of ctx.kept)
      if (ctx.plan.kept.get(x)! < pass) leaves.set(x, { k: 'value', values: [kept.load(jv, lanes)] });
    const em = new Emitter(ctx.kb, lanes, leaves, elementRule, ctx.vectorsOk);
    em.noteUses(ctx.body);
    const index = [...ctx.rowIndex.map(fixed), { e: jv, lane: lanes === 4 }];
    const [stmts] = em.nested(() => visit(em, index, jv, lanes));
    into.push(k.loop(j, from, to, stmts, 'serial', lanes));
  };
  part(4, 0, ctx.vecEnd);
  part(1, ctx.vecEnd, ctx.n);
}

/** One pass: the reductions of this level, and the kept values it computes first. */
function reductionPass(ctx: RowContext, pass: number, into: Stmt[]): void {
  const reds = ctx.body.instructions.filter((i) => i.opcode === 'reduce' && ctx.plan.level.get(i) === pass) as InstructionOf<'reduce'>[];
  const keep = [...ctx.plan.kept].filter(([, at]) => at === pass).map(([x]) => x);
  const acc = (lanes: Lanes) => reds.map((r) => {
    const name = ctx.kb.fresh(`${lanes === 4 ? 'vacc' : 'tacc'}_${r.name}`);
    into.push(k.letStmt(name, k.constant(computeType(dtypeOf(r)), identity(r), lanes)));
    return name;
  });
  const vacc = ctx.vecEnd > 0 ? acc(4) : [];
  const tacc = ctx.vecEnd < ctx.n ? acc(1) : [];
  overRow(ctx, pass, into, (em, index, j, lanes) => {
    for (const x of keep) em.out.push(ctx.kept.get(x)!.store(j, em.widen(em.value(x, index))));
    const accs = lanes === 4 ? vacc : tacc;
    reds.forEach((r, m) => {
      const v = em.value(r.operands[0], index);
      em.out.push(k.assign(accs[m], em.inline(r.attrs.to_apply, [k.variable(accs[m], v.type), v])[0]));
    });
  });
  const top = new Emitter(ctx.kb, 1, ctx.leaves, elementRule, ctx.vectorsOk);
  top.out = into;
  reds.forEach((r, m) => {
    const t = computeType(dtypeOf(r));
    const f = (a: Expr, b: Expr): Expr => top.inline(r.attrs.to_apply, [a, b])[0];
    const parts: Expr[] = [];
    if (vacc.length) {
      const lane = (l: number) => k.extract(k.variable(vacc[m], { scalar: t, lanes: 4 }), l);
      parts.push(f(f(lane(0), lane(1)), f(lane(2), lane(3))));
    }
    if (tacc.length) parts.push(k.variable(tacc[m], { scalar: t, lanes: 1 }));
    const row = parts.reduce((a, b) => f(a, b));
    const value = top.bind(`row_${r.name}`, f(top.value(r.operands[1], []), row));
    ctx.leaves.set(r, { k: 'value', values: [value] });
  });
}

/** The last pass: the root at every element of the row, stored. */
function outputPass(ctx: RowContext, root: Instruction, out: number, base: Expr, into: Stmt[]): void {
  overRow(ctx, ctx.plan.passes, into, (em, index, j) => {
    em.out.push(k.store(out, k.add(base, j), em.widen(em.value(root, index))));
  });
}

function identity(r: InstructionOf<'reduce'>): number {
  const id = laneIdentity(r.attrs.to_apply, computeType(dtypeOf(r)));
  if (id === undefined) throw new Error(`row kernel: ${r.name}'s reducer does not reassociate`);
  return id;
}
