// The row kernel: a kRow fusion (passes/fusion/row.ts) as one kernel whose parallel loop
// runs over rows (every index but the minor dim) and whose body passes over its row:
// one pass per level of reductions (row_plan.ts), then one that writes the row out.
// Each pass reads the row in 4-lane vectors with a scalar tail, as a row reduction does
// (elemental_compute.ts): lane l accumulates elements l, l+4, ... from the reducer's
// identity, then lanes, tail and init value combine. The reduced values are scalars
// of the row (let-bound, in registers); a broadcast of one reads it at any element.
// Values kept by the plan go to a per-thread scratch row (a private local array) in the
// pass that first computes them and are read back, not recomputed, by later passes.
// The passes themselves are row_passes.ts's, which the GPU row kernel (gpu_row.ts) shares.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction } from '../../ir/module.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import { Emitter, fixed, type Leaf } from './emitter.js';
import { elementRule } from './elemental.js';
import { dtypeOf } from './elemental_math.js';
import { hoistInvariants } from '../kernel/hoist.js';
import { KernelBuilder } from './kernel_builder.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { planRow } from './row_plan.js';
import { foldPass, overRow, reductionsAt, type Kept, type RowContext } from './row_passes.js';
import { computeType, storageType, touchesWide } from './types.js';

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
      kept.set(x, { at: plan.kept.get(x)!, store: (j, v) => k.store(outBufs[o], k.add(base, j), v), load: (j, lanes) => k.load(outBufs[o], k.add(base, j), computeType(dtypeOf(x)), lanes) });
      continue;
    }
    const name = kb.fresh(`row_${x.name}`);
    decls.push({ k: 'array', name, type: computeType(dtypeOf(x)), size: n, scope: 'private' });
    kept.set(x, { at: plan.kept.get(x)!, store: (j, v) => ({ k: 'localStore', array: name, index: j, value: v }), load: (j, lanes) => k.local(name, j, computeType(dtypeOf(x)), lanes) });
  }
  const vecEnd = vectorsOk ? Math.floor(n / 4) * 4 : 0;
  const ctx: RowContext = {
    kb, body, plan, leaves, rowIndex, vectorsOk, kept,
    vector: vecEnd > 0 ? { start: k.int(0), end: vecEnd, step: 4 } : undefined,
    tail: vecEnd < n ? { start: k.int(vecEnd), end: n, step: 1 } : undefined,
  };
  for (let pass = 0; pass < plan.passes; pass++) {
    // The row's value of each reduction: its partial with the init value folded in, a scalar of the row.
    const reds = reductionsAt(ctx, pass);
    foldPass(ctx, pass, reds, stmts, top).forEach((partial, m) => {
      const r = reds[m];
      const value = top.bind(`row_${r.name}`, top.inline(r.attrs.to_apply, [top.value(r.operands[1], []), partial])[0]);
      leaves.set(r, { k: 'value', values: [value] });
    });
  }
  // The last pass: the root at every element of the row, stored.
  overRow(ctx, plan.passes, stmts, (em, index, j) => {
    em.out.push(k.store(outBufs[0], k.add(base, j), em.widen(em.value(outputs[0], index))));
  });
  // Extra outputs of the row space (a reduction, the mean): one element per row.
  outputs.forEach((x, o) => {
    if (o > 0 && !plan.kept.has(x)) stmts.push(k.store(outBufs[o], k.variable(p), top.value(x, rowIndex.map(fixed))));
  });
  const rows = product(rowDims);
  const kernel = hoistInvariants(kb.finish(spec.name, [...decls, k.loop(p, 0, rows, stmts, 'parallel')], spec.source.name, { rows, passes: plan.passes + 1, lanes: vecEnd > 0 ? 4 : 1 }));
  return { kernel, args: kb.args };
}
