// One runner × thread count in a child process of its own (the bench script again, with
// `--child RUNNER:THREADS`): runtimes fix their thread pools when their .wasm starts (ort
// reads numThreads once per process), cold starts should be cold, and one runner's heap
// or worker threads must not slow the next.
import { fork } from 'node:child_process';
import type { RunnerResult } from './measure.js';
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
