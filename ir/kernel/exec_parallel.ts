// Running a parallel loop's iterations as invocations. Without barriers each runs to
// its end, one after another, in shuffled order. With barriers each is a generator that
// stops at its next barrier; a phase resumes every invocation (in a fresh shuffled
// order) until all wait at the same barrier or all have finished, and anything else is
// a non-uniform barrier, an error on every GPU.
//
// Each invocation has its own variables, as a GPU invocation does: one that assigns a
// variable declared outside the loop, or stores into a private array declared outside
// it, works on its own copy. A workgroup array declared outside is shared (and its
// elements race-checked); a barrier-free loop that touches no outer state shares the
// environment, which is the common case and costs nothing.
import type { Scalar } from '../scalar/value.js';
import type { Loop } from './kernel.js';
import { permutation, shuffleInPlace } from './shuffle.js';
import type { Scope } from './exec_scope.js';
import type { Env, Fn, GenRun, LaunchState, Run } from './exec_state.js';
import { walkStmts } from './walk.js';

/** Invocations of a parallel loop reached different barriers (or some finished while others wait). */
export class KernelBarrierMismatch extends Error {
  override name = 'KernelBarrierMismatch';
}

export interface ParallelLoop {
  readonly loop: Loop;
  readonly start: Fn;
  readonly end: Fn;
  /** The loop variable's slot. */
  readonly slot: number;
  /** Each invocation needs its own copy of the environment. */
  readonly copy: boolean;
  /** Slots of private arrays declared outside that the body stores into: each invocation copies them. */
  readonly clone: readonly number[];
}

/** What of the state around loop `l` its invocations change, and so must each own. */
export function outerState(l: Loop, sc: Scope): { copy: boolean; clone: number[] } {
  const inner = new Set<string>([l.var]), innerArrays = new Set<string>(), assigned = new Set<string>(), stored = new Set<string>();
  walkStmts(l.body, (s) => {
    if (s.k === 'let') inner.add(s.name);
    if (s.k === 'loop') inner.add(s.loop.var);
    if (s.k === 'array') innerArrays.add(s.name);
    if (s.k === 'assign') assigned.add(s.name);
    if (s.k === 'localStore') stored.add(s.array);
  });
  const clone: number[] = [];
  for (const name of stored) {
    const a = sc.arrays.get(name);
    if (a && !innerArrays.has(name) && a.scope === 'private') clone.push(a.slot);
  }
  return { copy: clone.length > 0 || [...assigned].some((n) => !inner.has(n)), clone };
}

const trips = (start: number, end: number, step: number): number => (end > start ? Math.ceil((end - start) / step) : 0);

function ownEnv(env: Env, clone: readonly number[]): Env {
  const my = env.slice();
  for (const s of clone) my[s] = (env[s] as Scalar[]).slice();
  return my;
}

/** A barrier-free parallel loop: each invocation runs whole, in shuffled order. */
export function runFlat(pl: ParallelLoop, body: Run, st: LaunchState): Run {
  const { loop: l, start, end, slot, copy, clone } = pl;
  return (env) => {
    const s0 = start(env) as number, n = trips(s0, end(env) as number, l.step);
    const order = permutation(n, st.next);
    const races = st.races, parent = races?.cur ?? 0;
    const instance = races ? races.agents.newInstance(l.var) : 0;
    for (let k = 0; k < n; k++) {
      const i = s0 + order[k] * l.step;
      const my = copy ? ownEnv(env, clone) : env;
      my[slot] = i;
      if (races) races.cur = races.agents.add(parent, instance, i, 0);
      body(my);
    }
    if (races) races.cur = parent;
  };
}

/** A parallel loop with barriers: invocations advance together from barrier to barrier. */
export function runPhased(pl: ParallelLoop, body: GenRun, sc: Scope): Run {
  const { loop: l, start, end, slot, clone } = pl;
  const st = sc.st;
  return (env) => {
    const s0 = start(env) as number, n = trips(s0, end(env) as number, l.step);
    const races = st.races, parent = races?.cur ?? 0;
    const instance = races ? races.agents.newInstance(l.var) : 0;
    const gens = Array.from({ length: n }, (_, k) => {
      const my = ownEnv(env, clone);
      my[slot] = s0 + k * l.step;
      return body(my);
    });
    /** The barrier each invocation waits at, 0 when it has finished. */
    const at = new Int32Array(n);
    const order = permutation(n, st.next);
    for (let phase = 0; n > 0; phase++) {
      if (phase > 0 && st.next) shuffleInPlace(order, st.next);
      for (const k of order) {
        if (races) races.cur = races.agents.add(parent, instance, s0 + k * l.step, phase);
        const r = gens[k].next();
        at[k] = r.done ? 0 : r.value;
      }
      for (let k = 1; k < n; k++) if (at[k] !== at[0]) throw mismatch(sc.kernel.name, l, s0, at, k);
      if (at[0] === 0) break;
    }
    if (races) races.cur = parent;
  };
}

function mismatch(kernel: string, l: Loop, s0: number, at: Int32Array, k: number): KernelBarrierMismatch {
  const where = (b: number): string => (b === 0 ? 'has finished' : `waits at barrier #${b}`);
  return new KernelBarrierMismatch(
    `kernel ${kernel}: barrier not reached uniformly in parallel loop ${l.var}: invocation ${s0} ${where(at[0])} while invocation ${s0 + k * l.step} ${where(at[k])}`,
  );
}
