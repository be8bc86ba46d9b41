// `kiln bench`: the JSON it prints, threads, and clear errors for bad calls.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnHere } from './in_process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const KILN = join(ROOT, 'bin', 'kiln.mjs');

/** Runs the real CLI in a process of its own, so a worker left running would show as a hang. */
function kiln(...args: string[]) {
  return spawnSync(process.execPath, [KILN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 100_000 });
}



function expectTimings(r: Record<string, unknown>) {
  for (const k of ['compileMs', 'loadMs', 'firstRunMs', 'medianMs', 'p10Ms', 'p90Ms']) {
    expect(typeof r[k], k).toBe('number');
    expect(r[k] as number, k).toBeGreaterThan(0);
  }
  expect(r.p10Ms as number).toBeLessThanOrEqual(r.medianMs as number);
  expect(r.medianMs as number).toBeLessThanOrEqual(r.p90Ms as number);
}

describe('kiln bench', () => {
  it('prints one JSON object with the timings of the compiled artifact and exits', () => {
    const r = kiln('bench', 'examples/mlp.hlo', '--backend', 'wasm', '--random', '1', '--reps', '3', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expectTimings(json);
    expect(json).toMatchObject({ file: 'examples/mlp.hlo', backend: 'wasm', threads: 1, reps: 3 });
  });

  it('runs on two threads through the artifact runtime', async () => {
    const r = await kilnHere('bench', 'examples/mlp.hlo', '--threads', '2', '--reps', '3', '--warmup', '1', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expectTimings(json);
    expect(json).toMatchObject({ threads: 2, threadsRequested: 2, warmup: 1 });
  });

  it('times the interpreter through the Backend interface, with no load step', async () => {
    const r = await kilnHere('bench', 'examples/mlp.hlo', '--backend', 'interpreter', '--reps', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/on interpreter, 1 thread\n {2}compile/);
    expect(r.stdout).toMatch(/median .* over 2 runs after 5 warm-up/);
  });

  it.each([
    [['--backend', 'gpu'], 2, /unknown backend 'gpu' \(known: interpreter, kernels, wasm, webgpu, cuda, cuda-cpu\)/],
    [['--threads', '2', '--backend', 'webgpu'], 2, /--threads applies to --backend wasm only/],
    [['--reps', '0'], 2, /--reps wants a whole number ≥ 1, got '0'/],
    [['--threads', '2', '--backend', 'interpreter'], 2, /--threads applies to --backend wasm only/],
    [['--input', 'nope=x.npy'], 2, /--input nope: no such parameter \(parameters: 0:x/],
    [['--frobnicate'], 2, /Unknown option '--frobnicate'/],
  ])('rejects %j with a clear message', async (extra, code, message) => {
    const r = await kilnHere('bench', 'examples/mlp.hlo', ...extra);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('names a missing file (exit code 3)', async () => {
    const r = await kilnHere('bench', 'examples/missing.hlo');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read examples\/missing\.hlo: ENOENT/);
  });
});
