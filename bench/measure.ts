// Timing one runner over the models, the same way for every runner: runtime start-up,
// then per model cold start (prepare + first run), warm-up, and `reps` timed runs.
import { statSync } from 'node:fs';
import { stats, type Stats } from '../compiler/stats.js';
import { modelInputs } from './models.js';
import { isSkip, type BenchModel, type RunnerSpec } from './runner.js';

export interface ModelResult {
  model: string;
  /** Why there is no number: the runner skipped the model, or it threw. */
  skip?: string;
  coldMs?: number;
  compileMs?: number;
  codeBytes?: number;
  stats?: Stats;
  /** The outputs of the last timed run, for the cross-check against the reference runner. */
  outputs?: Float32Array[];
}

export interface RunnerResult {
  runner: string;
  threads: number;
  skip?: string;
  /** Runtime start-up (import + instantiating its .wasm), once per process. */
  initMs?: number;
  note?: string;
  runtime?: { file: string; bytes: number }[];
  models: ModelResult[];
}

/** At least this many untimed runs after the cold one, and until this much time has passed. */
const WARMUP_RUNS = 2;
const WARMUP_MS = 250;

async function measureModel(run: (inputs: Float32Array[]) => Promise<Float32Array[]>, inputs: Float32Array[], reps: number) {
  const warmUntil = performance.now() + WARMUP_MS;
  for (let i = 0; i < WARMUP_RUNS || (performance.now() < warmUntil && i < 100); i++) await run(inputs);
  const samples: number[] = [];
  let outputs: Float32Array[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    outputs = await run(inputs);
    samples.push(performance.now() - t);
  }
  return { stats: stats(samples), outputs };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

export async function measureRunner(spec: RunnerSpec, threads: number, models: BenchModel[], reps: number): Promise<RunnerResult> {
  const base = { runner: spec.name, threads };
  const t0 = performance.now();
  let runner;
  try {
    runner = await spec.create(threads);
  } catch (e) {
    return { ...base, skip: `failed to start: ${message(e)}`, models: [] };
  }
  if (isSkip(runner)) return { ...base, skip: runner.skip, models: [] };
  const initMs = performance.now() - t0;
  const runtime = runner.runtimeFiles.map((file) => ({ file, bytes: statSync(file).size }));

  const results: ModelResult[] = [];
  for (const model of models) {
    const inputs = modelInputs(model);
    try {
      const t = performance.now();
      const prepared = await runner.prepare(model);
      if (isSkip(prepared)) {
        results.push({ model: model.name, skip: prepared.skip });
        continue;
      }
      await prepared.run(inputs);
      const coldMs = performance.now() - t;
      const { stats, outputs } = await measureModel((x) => prepared.run(x), inputs, reps);
      await prepared.dispose();
      results.push({ model: model.name, coldMs, compileMs: prepared.compileMs, codeBytes: prepared.codeBytes, stats, outputs });
    } catch (e) {
      results.push({ model: model.name, skip: `error: ${message(e)}` });
    }
  }
  return { ...base, initMs, note: runner.note, runtime, models: results };
}

/**
 * One runner's rounds folded into one result: for each model, the round with the median
 * median (the faster of the middle two for an even count), and the median init. Each
 * round is a fresh process with fresh wasm memory, and where that memory lands in the
 * caches moves a run by up to ±10% (the same MLP module: 4.15–5.43 ms from one instance
 * to the next), so the best of a few rounds is luck; their median is not.
 */
export function medianOfRounds(rounds: RunnerResult[]): RunnerResult {
  const ran = rounds.filter((r) => !r.skip);
  if (ran.length === 0) return rounds[0]!;
  const middle = <T>(xs: T[], key: (x: T) => number): T => xs.sort((a, b) => key(a) - key(b))[(xs.length - 1) >> 1]!;
  const models = ran[0]!.models.map((m) => {
    const timed = ran.map((r) => r.models.find((x) => x.model === m.model)).filter((x) => x?.stats) as ModelResult[];
    return timed.length ? middle(timed, (x) => x.stats!.median) : m;
  });
  return { ...ran[0]!, initMs: middle(ran.map((r) => r.initMs ?? 0), (x) => x), models };
}
