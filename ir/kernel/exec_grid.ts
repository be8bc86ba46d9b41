// Grid kernels in the reference executor. A grid kernel means exactly what this nest of
// parallel loops means, so the executor runs it as one:
//
//   parallel for workgroup in 0..workgroups {        // shuffled; no barrier reaches here
//     workgroup arrays of the body's top level         // one per workgroup, zero-filled
//     parallel for local invocation in 0..size { body }  // phase by phase between barriers
//   }
//
// and so gets, from exec_parallel.ts and races.ts, the shuffled orders, the phases, the
// non-uniform barrier error and the race checks a GPU needs: two invocations of one
// workgroup race on an element in one phase; invocations of different workgroups are
// never ordered by a barrier, so any such pair races. `gpuId` reads the two loop
// variables, split into x, y, z (x fastest, as WebGPU and CUDA number them).
import type { Expr, Kernel, Loop, Stmt } from './kernel.js';
import { MAX_GRID_WORKGROUPS, gridInvocations, gridWorkgroups } from './kernel.js';
import type { Fn } from './exec_state.js';
import type { Scope } from './exec_scope.js';
import { walkStmts } from './walk.js';

/** The loop variables; the space keeps them apart from every kernel's own names, and race messages read well. */
export const WORKGROUP_VAR = 'workgroup';
export const INVOCATION_VAR = 'local invocation';

/** The grid of `k` as the nest of parallel loops above; refuses a malformed grid or a nested workgroup array. */
export function gridLoop(k: Kernel): Loop {
  const g = k.grid!;
  const bad = [...g.size, ...g.workgroups].some((x) => !Number.isInteger(x) || x < 1) || g.workgroups.some((w) => w > MAX_GRID_WORKGROUPS);
  if (bad) throw new Error(`${k.name}: grid of ${g.workgroups.join('×')} workgroups of ${g.size.join('×')} invocations is not a launch (positive, ≤ ${MAX_GRID_WORKGROUPS} workgroups per dim)`);
  const shared = k.body.filter((s) => s.k === 'array' && s.scope === 'workgroup');
  const rest = k.body.filter((s) => !shared.includes(s));
  walkStmts(rest, (s) => {
    if (s.k === 'array' && s.scope === 'workgroup')
      throw new Error(`${k.name}: workgroup array '${s.name}' is declared inside a loop or branch; a grid kernel declares them at its top level (WGSL's var<workgroup> is module-scope)`);
  });
  const par = (v: string, n: number, body: readonly Stmt[]): Loop => ({ var: v, start: int(0), end: int(n), step: 1, mode: 'parallel', body });
  const inner: Stmt = { k: 'loop', loop: par(INVOCATION_VAR, gridInvocations(g), rest) };
  return par(WORKGROUP_VAR, gridWorkgroups(g), [...shared, inner]);
}

const int = (value: number): Expr => ({ k: 'const', type: { scalar: 's32', lanes: 1 }, value });

/** A `gpuId`: coordinate `dim` of the linear workgroup or local invocation number. */
export function gpuIdFn(e: Extract<Expr, { k: 'gpuId' }>, sc: Scope): Fn {
  const g = sc.kernel.grid;
  if (!g) throw new Error(`${sc.kernel.name}: ${e.id} invocation id in a kernel without a grid`);
  const extent = e.id === 'local' ? g.size : g.workgroups;
  const slot = sc.slotOf(e.id === 'local' ? INVOCATION_VAR : WORKGROUP_VAR, false);
  const below = e.dim === 0 ? 1 : e.dim === 1 ? extent[0] : extent[0] * extent[1];
  const n = extent[e.dim];
  return (env) => Math.floor((env[slot] as number) / below) % n;
}
