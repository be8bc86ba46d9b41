// A program's steps as the body of `run_thread(tid, n)`: each launch a call of its kernel
// function, a `while` a wasm loop, a `switch` a br_table. Control flow reads its
// predicate or index from memory, which every thread reads alike; in a shared build a
// barrier follows every launch (so the value is written before any thread reads it) and
// every such read (so no thread overwrites it, in a later launch, before all have read it).
// Every thread therefore takes the same branch and meets the same barriers.
import binaryen from 'binaryen';
import { unreachable, type Launch, type Program, type Step } from '../../ir/kernel/kernel.js';
import type { X } from './lib.js';

export interface StepContext {
  readonly shared: boolean;
  /** The function that runs a launch (emitted on first use). */
  readonly launch: (l: Launch) => string;
  /** A buffer's byte address. */
  readonly address: (id: number) => number;
  readonly tid: () => X;
  readonly n: () => X;
  /** A profiled build's tick after a launch (targets/wasm/profile.ts); absent otherwise. */
  readonly tick?: (l: Launch) => X;
}

/** run_thread's local 2: the selector a control step just read. */
const SELECTOR = 2;

export function renderSteps(m: binaryen.Module, steps: Program['steps'], ctx: StepContext): X[] {
  let labels = 0;
  const I = binaryen.i32;
  const selector = (): X => m.local.get(SELECTOR, I);
  /** All threads wait here when there are several; a thread returns if another trapped. */
  const sync = (): X[] => (ctx.shared ? [m.if(m.i32.gt_u(ctx.n(), m.i32.const(1)), m.if(m.call('barrier', [ctx.n()], I), m.return()))] : []);
  /** Loads the selector into its local, then lets every thread read it before anyone moves on. */
  const read = (id: number, type: 's32' | 'pred'): X[] => {
    const at = m.i32.const(ctx.address(id));
    return [m.local.set(SELECTOR, type === 'pred' ? m.i32.load8_u(0, 1, at) : m.i32.load(0, 4, at)), ...sync()];
  };

  const render = (ss: readonly Step[]): X[] => ss.flatMap((s): X[] => {
    switch (s.k) {
      case 'launch': return [m.call(ctx.launch(s), ctx.shared ? [ctx.tid(), ctx.n()] : [], binaryen.none), ...sync(), ...(ctx.tick ? [ctx.tick(s)] : [])];
      case 'while': {
        const id = labels++, out = `while${id}_end`, top = `while${id}`;
        const iteration = [...render(s.cond), ...read(s.pred, 'pred'), m.br(out, m.i32.eqz(selector())), ...render(s.body), m.br(top)];
        return [m.block(out, [m.loop(top, m.block(null, iteration))])];
      }
      case 'switch': {
        const id = labels++, out = `switch${id}_end`, n = s.branches.length;
        const names = s.branches.map((_, i) => `switch${id}_${i}`);
        // pred true → 0, false → 1; an s32 outside [0, n) takes br_table's default, the last branch.
        const index = s.indexType === 'pred' ? m.i32.eqz(selector()) : selector();
        let cur = m.block(names[0], [m.switch(names, names[n - 1], index)]);
        s.branches.forEach((b, i) => { cur = m.block(i + 1 < n ? names[i + 1] : out, [cur, ...render(b), m.br(out)]); });
        return [...read(s.index, s.indexType), cur];
      }
      default: return unreachable(s);
    }
  });
  return render(steps);
}
