// The loop kernel: one parallel loop over the output's rows (its leading dims, split
// into chunks when there are few), an inner loop over the minor dim in 4-lane vectors
// with a scalar tail, and at each element the root's value from the elemental emitter.
// Every kernel that is not a tiled dot or convolution is a loop kernel: elementwise
// chains, loop fusions, reductions (the accumulation is inside the element), windows.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Kernel, Lanes, Stmt } from '../../ir/kernel/kernel.js';
import type { Computation, Instruction } from '../../ir/module.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import { cpuSchedule, type TargetDescription } from '../../ir/target.js';
import { Emitter, type Leaf } from './emitter.js';
import { elementRule } from './elemental.js';
import { isRowReduction } from './elemental_compute.js';
import { hoistInvariants } from '../kernel/hoist.js';
import type { ConstantBuffers } from './kernel_builder.js';
import { KernelBuilder } from './kernel_builder.js';
import { storageType, touchesWide } from './types.js';
import { gpuSchedule } from './gpu_grid.js';
import { gpuLoopKernel } from './gpu_loop.js';
import { gpuReduceKernel } from './gpu_reduce.js';
import { padRows, type RowLoop } from './pad_rows.js';

/** A program buffer seen by a kernel. */
export interface BufferRef {
  readonly id: number;
  readonly name: string;
  readonly shape: ArrayShape;
}

export interface LoopKernelSpec {
  readonly name: string;
  /** The entry instruction, for errors and the kernel's `source`. */
  readonly source: Instruction;
  /** What to compute: the instruction itself, or a fusion's root. */
  readonly root: Instruction;
  /** The computation `root` lives in when it is a fusion body (its values may be shared). */
  readonly body?: Computation;
  /** Instructions read from buffers: the operands (or the fusion's parameters). */
  readonly inputs: ReadonlyMap<Instruction, BufferRef>;
  /** One per leaf of the root's result, all of the same dims. */
  readonly outputs: readonly BufferRef[];
  readonly constants: ConstantBuffers;
  /** What the kernel is for: its vector lanes (4 vectorises the minor dim) and schedules. */
  readonly target: TargetDescription;
}

const WORD = new Set(['f32', 's32', 'u32']);

/** A kernel with the program buffer bound to each of its parameters. */
export interface LoweredKernel {
  readonly kernel: Kernel;
  readonly args: readonly number[];
}

export function loopKernel(spec: LoopKernelSpec): LoweredKernel {
  // A GPU target gets grid kernels: a workgroup per reduced row, else an invocation per element.
  const gpu = gpuSchedule(spec.target);
  if (gpu) return gpuReduceKernel(spec, gpu) ?? gpuLoopKernel(spec, gpu);
  const kb = new KernelBuilder(spec.constants);
  const outs = spec.outputs.map((o) => kb.param(o.id, o.name, storageType(o.shape.dtype), product(o.shape.dims), 'write'));
  const leaves = new Map<Instruction, Leaf>();
  for (const [instr, ref] of spec.inputs)
    leaves.set(instr, { k: 'buffer', buf: kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), 'read'), shape: ref.shape });

  const dims = spec.outputs[0].shape.dims;
  const r = dims.length;
  const inner = r === 0 ? 1 : dims[r - 1];
  const rowDims = dims.slice(0, Math.max(0, r - 1));
  const rows = product(rowDims);
  // 64-bit values are scalar only (ir/kernel/kernel.ts): a kernel that touches one runs element by element.
  const vectorsOk = spec.target.capabilities.vectorLanes === 4 && !touchesWide(spec.body ? spec.body.instructions : [spec.root]);
  // A row reduction runs one output at a time and vectorises along its contiguous row
  // instead (elemental_compute.ts): four outputs at once would gather from four rows.
  const vectorMinor = vectorsOk && r > 0 && inner >= 4 && spec.outputs.every((o) => WORD.has(o.shape.dtype)) && !isRowReduction(spec.root);
  const chunks = rowChunks(spec.target, rows, inner);
  const chunk = Math.ceil(inner / chunks / 4) * 4;
  const vecEnd = vectorMinor ? Math.floor(inner / 4) * 4 : 0;

  const emitter = (lanes: Lanes): Emitter => {
    const em = new Emitter(kb, lanes, leaves, elementRule, vectorsOk);
    if (spec.body) em.noteUses(spec.body);
    return em;
  };

  const p = kb.fresh('p');
  const pv = k.variable(p);
  const body: Stmt[] = [];
  /** Index arithmetic done once per row, not per element. */
  const bindOnce = (hint: string, e: Expr): Expr => {
    if (e.k === 'const' || e.k === 'var') return e;
    const name = kb.fresh(hint);
    body.push(k.letStmt(name, e));
    return k.variable(name);
  };
  const row = chunks === 1 ? pv : bindOnce('row', k.div(pv, chunks));
  const start = chunks === 1 ? k.int(0) : bindOnce('start', k.mul(k.mod(pv, chunks), k.int(chunk)));
  const end = chunks === 1 ? k.int(inner) : bindOnce('end', k.min(k.add(start, k.int(chunk)), k.int(inner)));
  const rowIndex = k.delinear(row, rowDims).map((e, d) => bindOnce(`i${d}`, e));
  const rowBase = bindOnce('base', k.mul(row, k.int(inner)));

  /** A loop over the row's minor positions [from, to), storing `valuesAt` (one value per output) at each. */
  const rowLoop: RowLoop = (lanes, from, to, valuesAt) => {
    const em = emitter(lanes);
    const j = kb.fresh('j');
    const jv = k.variable(j);
    const [stmts] = em.nested(() => {
      const at = k.add(rowBase, jv);
      valuesAt(em, jv).forEach((v, o) => em.out.push(k.store(outs[o], at, em.widen(v))));
    });
    return k.loop(j, from, to, stmts, 'serial', lanes);
  };
  const minorLoop = (lanes: Lanes, from: Expr, to: Expr): void => {
    body.push(rowLoop(lanes, from, to, (em, j) => em.values(spec.root, [...rowIndex.map((e) => ({ e, lane: false })), { e: j, lane: lanes === 4 }])));
  };

  const padded = vectorMinor && chunks === 1 && outs.length === 1 ? padRows(spec.root, rowIndex, rowLoop) : undefined;
  if (padded) body.push(...padded);
  else if (r === 0) {
    const em = emitter(1);
    const [stmts] = em.nested(() => em.values(spec.root, []).forEach((v, o) => em.out.push(k.store(outs[o], k.int(0), v))));
    body.push(...stmts);
  } else {
    if (vecEnd > 0) minorLoop(4, start, chunks === 1 ? k.int(vecEnd) : k.min(end, k.int(vecEnd)));
    if (vecEnd < inner) minorLoop(1, chunks === 1 ? k.int(vecEnd) : k.max(start, k.int(vecEnd)), end);
  }
  const total = r === 0 ? 1 : rows * chunks;
  const kernel = hoistInvariants(kb.finish(spec.name, [k.loop(p, 0, total, body, 'parallel')], spec.source.name, { rows, chunks, lanes: vectorMinor ? 4 : 1 }));
  return { kernel, args: kb.args };
}

/**
 * Parallel iterations per row. On a CPU, a kernel with fewer rows than its schedule's
 * minRows has its minor dim split into chunks of about `chunk`, so threads have work to
 * share. Elsewhere 1, until GPU loop templates choose their own split.
 */
function rowChunks(t: TargetDescription, rows: number, inner: number): number {
  const cpu = cpuSchedule(t);
  return !cpu || rows >= cpu.minRows ? 1 : Math.max(1, Math.floor(inner / cpu.chunk));
}
