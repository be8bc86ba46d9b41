// What the GPU templates (gpu_dot.ts, gpu_transpose.ts, gpu_conv.ts) share: grid kernels
// (ir/kernel/kernel.ts's Grid) whose body runs once per invocation, workgroup arrays
// staged cooperatively by every invocation, and the checks that keep a shader inside the
// target's limits (workgroup memory, invocations per workgroup, workgroups per dim).
import * as k from '../../ir/kernel/build.js';
import { MAX_GRID_WORKGROUPS, type Expr, type Grid, type Kernel, type ScalarType, type Stmt } from '../../ir/kernel/kernel.js';
import type { TargetDescription } from '../../ir/target.js';
import type { LoweredKernel } from './loop_kernel.js';

/** Whether a grid fits the target: invocations per workgroup, workgroups per dim, workgroup memory. */
export function gridFits(t: TargetDescription, grid: Grid, workgroupBytes: number): boolean {
  const [x, y, z] = grid.size;
  return x * y * z <= t.limits.maxWorkgroupInvocations
    && grid.workgroups.every((w) => w >= 1 && w <= MAX_GRID_WORKGROUPS)
    && workgroupBytes <= t.limits.workgroupMemoryBytes;
}

/** A lowered loop-free kernel made into a grid kernel (its body runs once per invocation). */
export function withGrid(made: LoweredKernel, grid: Grid): LoweredKernel {
  const kernel: Kernel = { ...made.kernel, grid };
  return { kernel, args: made.args };
}

/** A workgroup-scope array (f32 unless told). */
export const workgroupArray = (name: string, size: number, type: ScalarType = 'f32'): Stmt => ({ k: 'array', name, type, size, scope: 'workgroup' });

export const barrier: Stmt = k.barrier();

/** Rounds `cooperative` writes out one after another; more become a loop. */
const MAX_UNROLLED_ROUNDS = 4;

/**
 * Every invocation of a `threads`-invocation workgroup (flat id `lid`) fills part of an
 * `elems`-element workgroup array: element e = lid + threads·j for j < ceil(elems/threads).
 * `fill(e, into)` writes element e (its own bounds checks included). Up to
 * MAX_UNROLLED_ROUNDS rounds are unrolled; a small workgroup staging a large tile loops over
 * `round` instead (SwiftShader took minutes to compile a GEMM tile of 8 invocations whose
 * 32 unrolled rounds of index arithmetic per array made one enormous shader).
 */
export function cooperative(out: Stmt[], lid: Expr, threads: number, elems: number, round: string, fill: (e: Expr, into: Stmt[]) => void): void {
  const rounds = Math.ceil(elems / threads);
  if (rounds > MAX_UNROLLED_ROUNDS) {
    const e = k.add(lid, k.mul(k.variable(round, k.S32), k.int(threads)));
    const body: Stmt[] = [];
    fill(e, body);
    out.push(k.loop(round, 0, rounds, elems % threads === 0 ? body : [k.ifStmt(k.compare('LT', e, k.int(elems)), body)]));
    return;
  }
  for (let j = 0; j < rounds; j++) {
    const e = k.add(lid, k.int(j * threads));
    const body: Stmt[] = [];
    fill(e, body);
    // The last round is partial when threads does not divide elems.
    out.push(...((j + 1) * threads > elems ? [k.ifStmt(k.compare('LT', e, k.int(elems)), body)] : body));
  }
}

/** `cond ? load(...) : 0` as statements: the load runs only in bounds (a select would evaluate it). */
export function guardedStore(array: string, at: Expr, cond: Expr, value: () => Expr): Stmt[] {
  const st = (v: Expr): Stmt => ({ k: 'localStore', array, index: at, value: v });
  if (cond.k === 'const') return [st(cond.value ? value() : k.constant('f32', 0))];
  return [k.ifStmt(cond, [st(value())], [st(k.constant('f32', 0))])];
}

/** `a < b` over s32 indices, folded to a constant when both are. */
export const lessThan = (a: Expr, b: number): Expr =>
  a.k === 'const' ? k.constant('pred', (a.value as number) < b ? 1 : 0) : k.compare('LT', a, k.int(b));
