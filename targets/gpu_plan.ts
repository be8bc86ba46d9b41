// How a CPU-form kernel (no grid: one top-level `parallel` loop over rows, lowering's
// form for CPU targets and what GPU templates do not cover) runs on a GPU target (WGSL,
// CUDA C). The wasm target's threading rule decides: when every buffer store lies inside
// the kernel's first top-level `parallel` loop, each of its iterations is one invocation
// (the statements before it, which store nothing, run in every invocation); otherwise the
// whole kernel is one invocation. The loop's bounds must fold to constants, since they
// size the launch. Each target then cuts the iterations into its workgroups.
import type { Expr, Kernel, Loop, Stmt } from '../ir/kernel/kernel.js';
import { someStmt, walkStmts } from '../ir/kernel/walk.js';

/** Top-level statement `at` is the parallel loop; iteration j runs `start + j·step`, j < count. */
export interface SplitLoop {
  readonly at: number;
  readonly loop: Loop;
  readonly start: number;
  readonly count: number;
}

const hasStore = (stmts: readonly Stmt[]): boolean => someStmt(stmts, (s) => s.k === 'store');

/** The loop whose iterations become invocations, or undefined: the kernel is one invocation. */
export function splitLoop(k: Kernel): SplitLoop | undefined {
  const at = k.body.findIndex((s) => s.k === 'loop' && s.loop.mode === 'parallel');
  if (at < 0 || hasStore(k.body.filter((_, i) => i !== at))) return undefined;
  const loop = (k.body[at] as Extract<Stmt, { k: 'loop' }>).loop;
  const env = constantLets(k.body.slice(0, at), k.body);
  const start = fold(loop.start, env), end = fold(loop.end, env);
  if (start === undefined || end === undefined || loop.step <= 0) return undefined;
  const count = Math.max(0, Math.ceil((end - start) / loop.step));
  return count <= 1 ? undefined : { at, loop, start, count };
}

/** Top-level lets before the loop whose value folds, of names nothing else (re)defines. */
function constantLets(before: readonly Stmt[], body: readonly Stmt[]): Map<string, number> {
  const defs = new Map<string, number>();
  walkStmts(body, (s) => {
    const name = s.k === 'let' || s.k === 'assign' ? s.name : s.k === 'loop' ? s.loop.var : undefined;
    if (name !== undefined) defs.set(name, (defs.get(name) ?? 0) + 1);
  });
  const env = new Map<string, number>();
  for (const s of before) {
    if (s.k !== 'let' || defs.get(s.name) !== 1) continue;
    const v = fold(s.value, env);
    if (v !== undefined) env.set(s.name, v);
  }
  return env;
}

/** The value of an s32 scalar expression of constants and folded variables. */
export function fold(e: Expr, env: ReadonlyMap<string, number>): number | undefined {
  if (e.type.lanes !== 1 || e.type.scalar !== 's32') return undefined;
  switch (e.k) {
    case 'const': return Number(e.value) | 0;
    case 'var': return env.get(e.name);
    case 'binary': {
      const a = fold(e.a, env), b = fold(e.b, env);
      if (a === undefined || b === undefined) return undefined;
      switch (e.op) {
        case 'add': return (a + b) | 0;
        case 'subtract': return (a - b) | 0;
        case 'multiply': return Math.imul(a, b);
        case 'divide': return b === 0 ? undefined : Math.trunc(a / b) | 0;
        case 'maximum': return Math.max(a, b);
        case 'minimum': return Math.min(a, b);
        default: return undefined;
      }
    }
    default: return undefined;
  }
}

