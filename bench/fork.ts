// One runner × thread count in a child process of its own (the bench script again, with
// `--child RUNNER:THREADS`): runtimes fix their thread pools when their .wasm starts (ort
// reads numThreads once per process), cold starts should be cold, and one runner's heap
// or worker threads must not slow the next.
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { medianOfRounds, type RunnerResult } from './measure.js';
import type { BenchModel, RunnerSpec } from './runner.js';
import { hasRelaxedSimd } from '../runtime/wasm/index.js';

/**
 * Every child runs on an engine with relaxed SIMD, as browsers ship it (Chrome 114+) and
 * Node 22+ has it by default; Node 20's V8 has it behind a flag. Every runner gets the same
 * engine; only kiln uses relaxed SIMD (ort's and tfjs's .wasm files are plain SIMD128).
 */
const CHILD_EXEC_ARGV = hasRelaxedSimd() ? process.execArgv : [...process.execArgv, '--experimental-wasm-relaxed-simd'];

/** Runs `script --child NAME:THREADS ...args` and resolves with the result it sends back. */
export function runChild(script: string, name: string, threads: number, args: string[]): Promise<RunnerResult> {
  const base = { runner: name, threads, models: [] };
  // 'advanced' serialization passes the outputs' Float32Arrays as they are, not as JSON.
  const proc = fork(script, ['--child', `${name}:${threads}`, ...args], { execArgv: CHILD_EXEC_ARGV, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    let result: RunnerResult | undefined;
    proc.on('message', (m) => (result = m as RunnerResult));
    proc.on('exit', (code, signal) => resolve(result ?? { ...base, skip: `child process died (${signal ?? `exit ${code}`})` }));
  });
}

/** In the child: sends the result to the parent, then leaves (runtimes may leave worker threads running). */
export async function sendAndExit(result: RunnerResult): Promise<never> {
  await new Promise<void>((resolve, reject) => process.send!(result, (e: Error | null) => (e ? reject(e) : resolve())));
  process.exit(0);
}

/** A `--reps` or `--rounds` value: a positive integer, else the script exits with 2. */
export function countFlag(script: string, flag: string, value: string | undefined): number {
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1) return n;
  console.error(`${script}: --${flag} must be a positive integer, not ${value}`);
  process.exit(2);
}

/**
 * Every runner at each of its thread counts, `rounds` times, each in a child of `script`
 * given `args`: rounds interleave the runners, so a burst of load elsewhere hits one round
 * of each rather than every round of one; each cell keeps its median round.
 */
export async function runRounds(script: string, runners: readonly RunnerSpec[], rounds: number, args: string[]): Promise<RunnerResult[]> {
  const byCell = new Map<string, RunnerResult[]>();
  for (let round = 1; round <= rounds; round++)
    for (const spec of runners)
      for (const t of spec.threads) {
        const start = performance.now();
        const r = await runChild(script, spec.name, t, args);
        const key = `${r.runner} ${r.threads}`;
        byCell.set(key, [...(byCell.get(key) ?? []), r]);
        console.error(`  round ${round}/${rounds} ${spec.name} ${t}t: ${((performance.now() - start) / 1000).toFixed(1)} s`);
      }
  return [...byCell.values()].map(medianOfRounds);
}

/** The machine, the load average before (`loadBefore`) and now, and how many runs each cell is. */
export function machineLine(loadBefore: string, reps: number, rounds: number): string {
  const per = rounds > 1 ? `${reps} timed runs per cell, the median round of ${rounds}` : `${reps} timed runs per cell`;
  return `${cpus().length} × ${cpus()[0]?.model}, node ${process.version}; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(2)} after; ${per}`;
}

/** `--json FILE`: every number of the run (no outputs, no weights), with `extra` beside them. */
export function writeJson(file: string, reps: number, rounds: number, models: readonly BenchModel[], results: readonly RunnerResult[], extra: Record<string, unknown>): void {
  const strip = results.map((r) => ({ ...r, models: r.models.map(({ outputs: _, ...m }) => m) }));
  const plain = models.map(({ weights: _, ...m }) => m);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, reps, rounds, models: plain, results: strip, ...extra }, null, 2));
}
