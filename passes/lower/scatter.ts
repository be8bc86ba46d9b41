// scatter: the operands are copied into the outputs, then a second kernel applies the
// updates in the interpreter's order (ir/interpret/gather_scatter.ts): scatter indices
// row-major, each update window row-major, out[I] = to_apply(out[I]..., update[U]...)
// with the combiner inlined. A window that would leave the operand anywhere is skipped
// whole, as XLA does. Updates run serially, since indices may repeat; with
// unique_indices and windows of one element along every indexed dim, no two updates
// touch one element, and the loop over them is parallel.
import * as k from '../../ir/kernel/build.js';
import type { Expr, ScalarType, Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import { product, strides, type ArrayShape } from '../../ir/shape.js';
import { Emitter } from './emitter.js';
import { elementRule } from './elemental.js';
import { clampedIndex } from './elemental_structural.js';
import { NotCompiled } from './errors.js';
import { KernelBuilder } from './kernel_builder.js';
import type { LoweredKernel } from './loop_kernel.js';
import { copyKernel, type OwnKernelSpec } from './own_kernels.js';
import { computeType, storageType } from './types.js';

const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;
/** 0..rank-1 without `drop`, in order. */
const otherDims = (rank: number, drop: readonly number[]): number[] => [...Array(rank).keys()].filter((d) => !drop.includes(d));

/** Where each update goes: the scatter's dimension numbers resolved against its shapes. */
interface Plan {
  /** Operand dims and the size of the update window along each (1 where inserted or batching). */
  readonly D: readonly number[];
  readonly win: readonly number[];
  /** Update-buffer stride per window step along each operand dim (0 where inserted or batching). */
  readonly winUStr: readonly number[];
  /** Sizes of the update scatter dims (one update window per combination), and their strides in the updates. */
  readonly scatterSizes: readonly number[];
  readonly scatterUStr: readonly number[];
  /** Dims of the indices other than index_vector_dim, matching the scatter dims in order. */
  readonly batchDims: readonly number[];
}

function plan(instr: InstructionOf<'scatter'>): Plan {
  const a = instr.attrs;
  const n = (instr.operands.length - 1) / 2;
  const D = dimsOf(instr.operands[0]), U = dimsOf(instr.operands[n + 1]), idxRank = dimsOf(instr.operands[n]).length;
  const uStr = strides(U);
  const windowOperandDims = otherDims(D.length, [...(a.inserted_window_dims ?? []), ...(a.input_batching_dims ?? [])]);
  if (windowOperandDims.length !== a.update_window_dims.length) throw new NotCompiled(instr, 'update_window_dims do not match the operand');
  const win = D.map((_, d) => { const j = windowOperandDims.indexOf(d); return j < 0 ? 1 : U[a.update_window_dims[j]]; });
  const winUStr = D.map((_, d) => { const j = windowOperandDims.indexOf(d); return j < 0 ? 0 : uStr[a.update_window_dims[j]]; });
  const usd = otherDims(U.length, a.update_window_dims);
  const batchDims = otherDims(idxRank, [a.index_vector_dim]);
  if (usd.length !== batchDims.length) throw new NotCompiled(instr, 'update scatter dims do not match the indices');
  return { D, win, winUStr, scatterSizes: usd.map((d) => U[d]), scatterUStr: usd.map((d) => uStr[d]), batchDims };
}

export function scatterKernels(instr: InstructionOf<'scatter'>, spec: OwnKernelSpec): LoweredKernel[] {
  const n = (instr.operands.length - 1) / 2;
  const xs = instr.operands.slice(0, n);
  if (product(dimsOf(xs[0])) === 0) return [];
  const copies = xs.flatMap((x, j) =>
    spec.inputs.get(x)!.id === spec.outputs[j].id ? [] : [copyKernel(spec, `${spec.name}_copy${j}`, x, spec.outputs[j])]);
  const pl = plan(instr);
  // An empty update window changes nothing (the interpreter's window loop never runs).
  return product(pl.win) === 0 ? copies : [...copies, updateKernel(instr, spec, pl)];
}

function updateKernel(instr: InstructionOf<'scatter'>, spec: OwnKernelSpec, p: Plan): LoweredKernel {
  const a = instr.attrs;
  const n = (instr.operands.length - 1) / 2;
  const indices = instr.operands[n], ups = instr.operands.slice(n + 1);
  const kb = new KernelBuilder(spec.constants);
  const buf = (ref: { id: number; name: string; shape: ArrayShape }, access: 'read' | 'readwrite') =>
    ({ buf: kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), access), scalar: computeType(ref.shape.dtype) });
  const outs = spec.outputs.map((o) => buf(o, 'readwrite'));
  const idx = buf(spec.inputs.get(indices)!, 'read');
  const upd = ups.map((u) => buf(spec.inputs.get(u)!, 'read'));
  const em = new Emitter(kb, 1, new Map(), elementRule);
  const s = kb.fresh('s');
  const [body] = em.nested(() => {
    const G = k.delinear(k.variable(s), p.scatterSizes).map((e) => em.bind('g', e));
    const { start, ok } = startOf(em, instr, p, G, idx);
    const [apply] = em.nested(() => windowLoops(em, p, (w) => {
      const xo = em.bind('xo', k.linear(start.map((st, d) => k.add(st, w[d])), p.D));
      let uo: Expr = k.int(0);
      G.forEach((g, j) => { uo = k.add(uo, k.mul(g, k.int(p.scatterUStr[j]))); });
      w.forEach((wd, d) => { uo = k.add(uo, k.mul(wd, k.int(p.winUStr[d]))); });
      const args = [...outs.map((o) => k.load(o.buf, xo, o.scalar)), ...upd.map((u) => k.load(u.buf, uo, u.scalar))];
      // Every result is computed before any is stored: the combiner reads all outputs.
      const next = em.inline(a.to_apply, args).map((v) => em.bind('nx', v));
      outs.forEach((o, j) => em.out.push(k.store(o.buf, xo, next[j])));
    }));
    em.out.push(...(ok.k === 'const' ? (ok.value ? apply : []) : [k.ifStmt(ok, apply)]));
  });
  const parallel = a.unique_indices === true && a.scatter_dims_to_operand_dims.every((d) => p.win[d] === 1);
  const nS = product(p.scatterSizes);
  const kernel = kb.finish(spec.name, [k.loop(s, 0, nS, body, parallel ? 'parallel' : 'serial')], instr.name, { updates: nS, parallel: parallel ? 1 : 0 });
  return { kernel, args: kb.args };
}

/** The window's start in every operand dim (clamped in range) and whether it lies wholly inside. */
function startOf(em: Emitter, instr: InstructionOf<'scatter'>, p: Plan, G: readonly Expr[], idx: { buf: number; scalar: ScalarType }): { start: Expr[]; ok: Expr } {
  const a = instr.attrs;
  const indices = instr.operands[(instr.operands.length - 1) / 2];
  const idxDims = dimsOf(indices);
  const start: Expr[] = p.D.map(() => k.int(0));
  let ok: Expr = k.constant('pred', 1);
  a.scatter_dims_to_operand_dims.forEach((od, j) => {
    const at: Expr[] = idxDims.map(() => k.int(0));
    p.batchDims.forEach((d, b) => { at[d] = G[b]; });
    if (a.index_vector_dim < idxDims.length) at[a.index_vector_dim] = k.int(j);
    const v = em.bind('ix', k.load(idx.buf, k.linear(at, idxDims), idx.scalar));
    const hi = p.D[od] - p.win[od];
    ok = k.and(ok, inRange(v, hi));
    start[od] = em.bind('st', clampedIndex(em, v, (indices.shape as ArrayShape).dtype, Math.max(hi, 0)));
  });
  (a.input_batching_dims ?? []).forEach((od, i) => {
    const g = G[p.batchDims.indexOf((a.scatter_indices_batching_dims ?? [])[i])];
    if (idxDims[(a.scatter_indices_batching_dims ?? [])[i]] > p.D[od]) ok = k.and(ok, k.compare('LT', g, k.int(p.D[od])));
    start[od] = k.min(g, k.int(p.D[od] - 1));
  });
  return { start, ok };
}

/** 0 <= v <= hi, compared in v's own type (an s64 or u32 index is not wrapped to s32 first). */
function inRange(v: Expr, hi: number): Expr {
  const t = v.type.scalar;
  if (hi < 0) return k.constant('pred', 0);
  const le = k.compare('LE', v, k.constant(t, hi));
  return t === 'u32' || t === 'u64' ? le : k.and(k.compare('GE', v, k.constant(t, 0)), le);
}

/** Serial loops over the update window (dims of size 1 take offset 0); body gets the offset per operand dim. */
function windowLoops(em: Emitter, p: Plan, body: (w: Expr[]) => void): void {
  const vars = p.win.map((size) => (size > 1 ? em.kb.fresh('w') : undefined));
  const [inner] = em.nested(() => body(vars.map((v) => (v ? k.variable(v) : k.int(0)))));
  let stmts: Stmt[] = inner;
  for (let d = p.win.length - 1; d >= 0; d--) if (vars[d]) stmts = [k.loop(vars[d]!, 0, p.win[d], stmts)];
  em.out.push(...stmts);
}
