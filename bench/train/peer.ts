// The contract between run.ts and a peer, and the timing loop every Node peer shares.
//
// A peer is one file in bench/train/: a TypeScript module whose default export is a
// TrainPeer (kiln.ts, tfjs.ts, jaxjs.ts), or a script speaking the same protocol itself
// (pytorch.py). run.ts starts each peer in a child process of its own for every round:
//
//   node child.ts --peer FILE --fixtures DIR --model softmax|cnn --warmup W --samples S --steps K
//   python3 pytorch.py       --fixtures DIR --model softmax|cnn --warmup W --samples S --steps K
//
// The child trains W + S·K steps (step i on batch i mod batches), times the last S·K in S
// samples of K steps, and prints one line `RESULT {json}` (a StepResult) on stdout; the rest
// of stdout and stderr is the peer's own noise, passed through. Every peer thus runs the
// same steps on the same batches, so their losses can be compared step for step.
import type { Fixtures, ModelName } from './fixtures.js';

export interface TrainSession {
  /**
   * One train step (forward, backward, optimizer update) on the next batch; resolves to
   * that step's loss (computed before the update), read back to the host, so a step ends
   * when its work has.
   */
  step(): Promise<number>;
  dispose(): Promise<void> | void;
}

export interface TrainPeer {
  name: string;
  /** Called once per process, before setup: import and start the runtime. */
  init?(): Promise<void>;
  /** What the reader needs to interpret the numbers (version, backend, workarounds). */
  note(model: ModelName): string;
  /** Reads the fixtures, converts them to the peer's layout, builds (or jits) the step. */
  setup(fx: Fixtures, model: ModelName): Promise<TrainSession>;
}

export interface StepResult {
  peer: string;
  model: ModelName;
  note: string;
  /** Milliseconds for init + setup, and for the first step (tracing, compiling). */
  setupMs: number;
  firstStepMs: number;
  /** Mean ms per step of each timed sample. */
  samples: number[];
  /** The loss of every step, in order (warm-up included). */
  losses: number[];
}

export interface TimingPlan {
  warmup: number;
  samples: number;
  steps: number;
}

export const RESULT_PREFIX = 'RESULT ';

/** The timing loop of a Node peer (pytorch.py has its own copy, the same loop). */
export async function timeSteps(session: TrainSession, plan: TimingPlan): Promise<Pick<StepResult, 'firstStepMs' | 'samples' | 'losses'>> {
  const losses: number[] = [];
  let t = performance.now();
  losses.push(await session.step());
  const firstStepMs = performance.now() - t;
  for (let i = 1; i < plan.warmup; i++) losses.push(await session.step());
  const samples: number[] = [];
  for (let s = 0; s < plan.samples; s++) {
    t = performance.now();
    for (let i = 0; i < plan.steps; i++) losses.push(await session.step());
    samples.push((performance.now() - t) / plan.steps);
  }
  return { firstStepMs, samples, losses };
}
