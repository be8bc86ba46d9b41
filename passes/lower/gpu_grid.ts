// Helpers the GPU schedules share: spreading units of work over a launch grid, and a
// kernel's buffer parameters and leaves as the loop kernel makes them.
import * as k from '../../ir/kernel/build.js';
import { MAX_GRID_WORKGROUPS, type Expr, type Grid, type Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction } from '../../ir/module.js';
import { product } from '../../ir/shape.js';
import type { GpuSchedule, TargetDescription } from '../../ir/target.js';
import type { Leaf } from './emitter.js';
import { KernelBuilder } from './kernel_builder.js';
import type { LoopKernelSpec } from './loop_kernel.js';
import { storageType } from './types.js';

/** The target's GPU schedule, when it has one: lowering then writes grid kernels. */
export const gpuSchedule = (t: TargetDescription): GpuSchedule | undefined => (t.schedule.kind === 'gpu' ? t.schedule : undefined);

/** A kernel builder with the spec's outputs (write) and inputs (read) as parameters, and the inputs as emitter leaves. */
export function kernelParams(spec: LoopKernelSpec): { kb: KernelBuilder; outs: number[]; leaves: Map<Instruction, Leaf> } {
  const kb = new KernelBuilder(spec.constants);
  const outs = spec.outputs.map((o) => kb.param(o.id, o.name, storageType(o.shape.dtype), product(o.shape.dims), 'write'));
  const leaves = new Map<Instruction, Leaf>();
  for (const [instr, ref] of spec.inputs)
    leaves.set(instr, { k: 'buffer', buf: kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), 'read'), shape: ref.shape });
  return { kb, outs, leaves };
}

/**
 * Workgroups for `count` items (workgroups, or invocations of `size`): x up to 65535, then
 * y, so a launch reaches 65535² of them; `id` numbers each workgroup (or invocation),
 * `covered` is how many the grid holds (≥ count unless even 65535² is too few).
 */
export function spread(count: number, size: number): { grid: Grid; id: Expr; covered: number } {
  const groups = Math.max(1, Math.ceil(count / size));
  const x = Math.min(groups, MAX_GRID_WORKGROUPS), y = Math.min(Math.ceil(groups / x), MAX_GRID_WORKGROUPS);
  const group = y === 1 ? k.workgroupId(0) : k.add(k.mul(k.workgroupId(1), k.int(x)), k.workgroupId(0));
  const id = size === 1 ? group : k.add(k.mul(group, k.int(size)), k.localId(0));
  return { grid: k.grid([size], [x, y]), id, covered: x * y * size };
}

/**
 * `body(u)` for every unit u < count, where `id` (of `covered` invocations) is this
 * invocation's number: guarded when the grid overshoots, a grid-stride loop when it
 * falls short (past 65535² workgroups).
 */
export function eachUnit(name: string, id: Expr, covered: number, count: number, body: Stmt[]): Stmt[] {
  if (covered < count) return [k.loop(name, id, count, body, 'serial', covered)];
  const bind = k.letStmt(name, id);
  return covered === count ? [bind, ...body] : [bind, k.ifStmt(k.compare('LT', k.variable(name), k.int(count)), body)];
}
