// Time per run of the webgpu backend on a softmax of [64, 1024], the bench's LayerNorm →
// GELU → softmax chain, and large elementwise and reduction fusions (docs/webgpu.md,
// "Speed"). A measurement, not a check: it runs only with KILN_BENCH=1 and prints
// milliseconds per run (median of a few), on whatever adapter Deno finds (lavapipe, a CPU, here).
import { describe, it } from 'vitest';
import { randomInputs } from '../../compiler/random.js';
import { prepareWebGpu } from '../../compiler/webgpu_backend.js';
import type { Module } from '../../ir/module.js';
import { chain, elementwise, reduceNorm, softmax } from '../lower/gpu_cases.js';
import { unavailable } from './harness.js';

async function msPerRun(m: Module, reps = 9): Promise<number> {
  const exe = await prepareWebGpu(m);
  const args = randomInputs(m.entry.params.map((p) => p.shape), 1);
  await exe.run(args);
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await exe.run(args);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

describe.skipIf(unavailable || !process.env.KILN_BENCH)('webgpu speed', () => {
  it('softmax [64, 1024], the chain [1024, 768], elementwise [1024, 1024]', async () => {
    const cases: [string, Module][] = [['softmax f32[64,1024]', softmax(64, 1024)], ['exp(x)*y+x f32[1024,1024]', elementwise(1024, 1024)], ['sqrt(Σx²+1) rows of f32[16,16384]', reduceNorm([16, 16384], [1])], ['exp(x)*y+x f32[1,262144]', elementwise(1, 262144)], ['LayerNorm→GELU→softmax f32[1024,768]', chain(1024, 768)]];
    for (const [name, m] of cases) {
      const ms = await msPerRun(m).then((t) => `${t.toFixed(1)} ms/run`, (e: Error) => `refused: ${e.message}`);
      console.log(`BENCH ${name}: ${ms}`);
    }
  }, 600_000);
});
