// The GPU row kernel: a kRow fusion (passes/fusion/row.ts) under a `gpu` schedule, as a
// grid kernel with one workgroup of W invocations per row (x up to 65535 workgroups,
// then y). Its passes are the CPU row kernel's (row_plan.ts, row_passes.ts): one per
// level of reductions, then one that writes the row out. In every pass invocation i
// takes the vectors at 4i, 4i + 4W, … and then the tail's elements at vecEnd + i,
// vecEnd + i + W, …, so a workgroup's reads of a contiguous row coalesce. A reduction
// folds that share from the reducer's identity; the shares meet in a tree over a
// workgroup array (gpu_reduce.ts's), and after the barrier that ends the tree every
// invocation reads the total: a scalar of the row for the later passes.
//
// A value the plan keeps goes to a workgroup-memory row while the workgroup memory the
// trees leave holds it, then to a private array of the invocation's own elements, and
// past that is recomputed by each pass that reads it. An element is written and read back
// only by the invocation that owns it, so kept rows need no barrier of their own. An
// extra output of the row's dims is kept in its output buffer, as row_kernel.ts keeps
// it. Every barrier is at the body's top level or under `g < rows`, which depends on the
// workgroup only: control reaching it is uniform.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import type { GpuSchedule, TargetDescription } from '../../ir/target.js';
import { hoistInvariants } from '../kernel/hoist.js';
import { elementRule } from './elemental.js';
import { laneIdentity } from './elemental_compute.js';
import { dtypeOf } from './elemental_math.js';
import { Emitter, fixed } from './emitter.js';
import { kernelParams, spread } from './gpu_grid.js';
import { pow2, tree, type TreePart } from './gpu_reduce.js';
import { gridFits } from './gpu_tile.js';
import type { KernelBuilder } from './kernel_builder.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { planRow, type RowPlan } from './row_plan.js';
import { foldPass, overRow, reductionsAt, type Kept, type RowContext } from './row_passes.js';
import { computeType, storageType, touchesWide } from './types.js';

/** Vectors each invocation folds at least before the workgroup grows past the schedule's size. */
const PER_INVOCATION = 2;
/**
 * Invocations a launch should have before its workgroups grow past the schedule's rowWidth:
 * 16K keeps a GPU's SMs busy on a memory-bound row (128 per SM on 132 SMs). Past it, wider
 * workgroups only add tree levels, which a CPU adapter pays per invocation at each barrier
 * (SwiftShader ran the chain's 1024 rows 4-9x slower at 64 per row than at 16).
 */
const FILL = 16384;
/**
 * Bytes of private memory per invocation for kept values that workgroup memory cannot
 * hold: each invocation keeps its own elements (registers, or the GPU's per-invocation
 * scratch where they spill), rather than recomputing a chain of passes.
 */
const PRIVATE_BYTES = 1024;
/** Bytes of one element of a tree array or a kept row (32-bit types only). */
const WORD_BYTES = 4;
const WORD = new Set(['f32', 's32', 'u32']);

/**
 * Invocations per row: the schedule's workgroup (fewer for a short row: a vector each);
 * for few rows, doubled up to the target's limit and 256 while each invocation still
 * folds PER_INVOCATION vectors and the launch has fewer than FILL invocations.
 */
export function rowWidth(n: number, rows: number, gpu: GpuSchedule, t: TargetDescription): number {
  const most = pow2(Math.min(t.limits.maxWorkgroupInvocations, 256));
  const vectors = Math.ceil(n / t.capabilities.vectorLanes);
  let w = Math.min(pow2(gpu.rowWidth), most, 2 ** Math.ceil(Math.log2(Math.max(1, vectors))));
  while (w * 2 <= most && vectors >= w * 2 * PER_INVOCATION && rows * w < FILL) w *= 2;
  return w;
}

/** Where an invocation's share of the row lies: vectors at 4·lid, 4·lid + 4W, … below vecEnd, then scalars at vecEnd + lid, vecEnd + lid + W, …. */
interface Share {
  readonly n: number;
  readonly W: number;
  readonly vecEnd: number;
}

/** The kernel, or undefined where it does not apply (64-bit values, a reducer without identity, past the target's limits): the CPU-form row kernel computes it then. */
export function gpuRowKernel(spec: LoopKernelSpec, gpu: GpuSchedule): LoweredKernel | undefined {
  const body = spec.body!;
  if (touchesWide(body.instructions)) return undefined;
  const outputs = body.root.opcode === 'tuple' ? body.root.operands : [body.root];
  const reds = body.instructions.filter((i) => i.opcode === 'reduce') as InstructionOf<'reduce'>[];
  if (reds.some((r) => !WORD.has(dtypeOf(r)) || laneIdentity(r.attrs.to_apply, computeType(dtypeOf(r))) === undefined)) return undefined;
  const dims = (outputs[0].shape as ArrayShape).dims;
  const n = dims[dims.length - 1], rowDims = dims.slice(0, -1), rows = product(rowDims);
  // Narrower where the trees (a workgroup array of W per reduction) would not fit the workgroup memory.
  let W = rowWidth(n, rows, gpu, spec.target);
  while (W > 1 && reds.length * W * WORD_BYTES > spec.target.limits.workgroupMemoryBytes) W /= 2;
  const s = spread(rows, 1);
  const grid = k.grid([W], s.grid.workgroups);
  const treeBytes = reds.length * W * WORD_BYTES;
  if (s.covered < rows || !gridFits(spec.target, grid, treeBytes)) return undefined;

  const { kb, outs, leaves } = kernelParams(spec);
  const plan = planRow(body, outputs);
  const vectorsOk = spec.target.capabilities.vectorLanes === 4;
  const share: Share = { n, W, vecEnd: vectorsOk ? Math.floor(n / 4) * 4 : 0 };
  const stmts: Stmt[] = [];
  const top = new Emitter(kb, 1, leaves, elementRule, vectorsOk);
  top.out = stmts;
  const g = top.bind('g', s.id);
  const rowIndex = k.delinear(g, rowDims).map((e, d) => top.bind(`i${d}`, e));
  const base = top.bind('base', k.mul(g, k.int(n)));
  const decls: Stmt[] = [];
  const kept = keptRows(spec, kb, plan, outputs, outs, base, share, spec.target.limits.workgroupMemoryBytes - treeBytes, decls);
  const lid = k.localId(0);
  const ctx: RowContext = {
    kb, body, plan, leaves, rowIndex, vectorsOk, kept,
    vector: share.vecEnd > 0 ? { start: k.mul(lid, k.int(4)), end: share.vecEnd, step: 4 * W } : undefined,
    tail: share.vecEnd < n ? { start: k.add(lid, k.int(share.vecEnd)), end: n, step: W } : undefined,
  };
  for (let pass = 0; pass < plan.passes; pass++) {
    // Each invocation's partial goes to a workgroup array; a tree folds them, and every invocation reads the total.
    const at = reductionsAt(ctx, pass);
    const partials = foldPass(ctx, pass, at, stmts, top);
    const parts: TreePart[] = at.map((r, m) => {
      const scalar = computeType(dtypeOf(r));
      const sh = kb.fresh(`sh_${r.name}`);
      decls.push(k.array(sh, scalar, W, 'workgroup'));
      stmts.push(k.localStore(sh, lid, partials[m]));
      return { sh, scalar, f: (a: Expr, b: Expr) => top.inline(r.attrs.to_apply, [a, b])[0] };
    });
    stmts.push(k.barrier(), ...tree(top, parts, W, true));
    at.forEach((r, m) => {
      const total = top.bind(`row_${r.name}`, parts[m].f(top.value(r.operands[1], []), k.local(parts[m].sh, k.int(0), parts[m].scalar)));
      leaves.set(r, { k: 'value', values: [total] });
    });
  }
  // The last pass: the root and the other outputs of the row's dims not kept before, each invocation its share.
  overRow(ctx, plan.passes, stmts, (em, index, j) => {
    outputs.forEach((x, o) => {
      if (full(x, dims) && !kept.has(x)) em.out.push(k.store(outs[o], k.add(base, j), em.widen(em.value(x, index))));
    });
  });
  // Outputs of the row space (a reduction, the mean): one element per row, from invocation 0.
  const [rowOuts] = top.nested(() => outputs.forEach((x, o) => {
    if (!full(x, dims)) top.out.push(k.store(outs[o], g, top.value(x, rowIndex.map(fixed))));
  }));
  if (rowOuts.length > 0) stmts.push(k.ifStmt(k.compare('EQ', lid, k.int(0)), rowOuts));
  // Workgroups past the last row (a 2-D grid's remainder) skip the whole body together.
  const guarded = s.covered === rows ? stmts : [k.ifStmt(k.compare('LT', s.id, k.int(rows)), stmts)];
  const schedule = { gpu: 1, rowWidth: W, rows, passes: plan.passes + 1, lanes: share.vecEnd > 0 ? 4 : 1 };
  const kernel = kb.finish(spec.name, [...decls, ...guarded], spec.source.name, schedule, grid);
  return { kernel: hoistInvariants(kernel), args: kb.args };
}

const full = (x: Instruction, dims: readonly number[]): boolean => x.shape.kind === 'array' && x.shape.dims.join() === dims.join();

/**
 * Where each kept value goes: its output buffer (an extra output), a workgroup row while
 * `budget` bytes last, then the invocation's own share of the row in a private array
 * while PRIVATE_BYTES last, else nowhere (recomputed by every pass that reads it).
 */
function keptRows(
  spec: LoopKernelSpec, kb: KernelBuilder, plan: RowPlan, outputs: readonly Instruction[], outs: readonly number[], base: Expr, share: Share, budget: number, decls: Stmt[],
): Map<Instruction, Kept> {
  const { n, W, vecEnd } = share;
  const kept = new Map<Instruction, Kept>();
  // An invocation's private share: its vectors (4 elements each), then its tail elements.
  const vecSlots = 4 * Math.ceil(vecEnd / (4 * W)), slots = vecSlots + Math.ceil((n - vecEnd) / W);
  const own = (j: Expr, lanes: number): Expr => (lanes === 4 ? k.mul(k.div(j, 4 * W), k.int(4)) : k.add(k.int(vecSlots), k.div(k.sub(j, k.int(vecEnd)), W)));
  let privateBudget = PRIVATE_BYTES;
  for (const [x, at] of plan.kept) {
    const t = computeType(dtypeOf(x));
    const o = outputs.indexOf(x);
    if (o > 0) {
      const ref = spec.outputs[o];
      kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), 'read');
      kept.set(x, { at, store: (j, v) => k.store(outs[o], k.add(base, j), v), load: (j, lanes) => k.load(outs[o], k.add(base, j), t, lanes) });
    } else if (!WORD.has(dtypeOf(x))) {
      continue;
    } else if (n * WORD_BYTES <= budget) {
      budget -= n * WORD_BYTES;
      const name = kb.fresh(`row_${x.name}`);
      decls.push(k.array(name, t, n, 'workgroup'));
      kept.set(x, { at, store: (j, v) => k.localStore(name, j, v), load: (j, lanes) => k.local(name, j, t, lanes) });
    } else if (slots * WORD_BYTES <= privateBudget) {
      privateBudget -= slots * WORD_BYTES;
      const name = kb.fresh(`own_${x.name}`);
      decls.push(k.array(name, t, slots, 'private'));
      kept.set(x, { at, store: (j, v, lanes) => k.localStore(name, own(j, lanes), v), load: (j, lanes) => k.local(name, own(j, lanes), t, lanes) });
    }
  }
  return kept;
}
