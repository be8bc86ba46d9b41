// The GPU schedules on WebGPU (Deno, lavapipe here): the cases of tests/lower/gpu_cases.ts
// compiled for WGSL_TARGET and run by the webgpu backend, compared with the interpreter.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { randomInputs } from '../../compiler/random.js';
import { prepareWebGpu } from '../../compiler/webgpu_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { elementwise, reduceNorm, SIZES, softmax } from '../lower/gpu_cases.js';
import { unavailable } from './harness.js';

async function check(m: Module, seed = 1): Promise<void> {
  const args = randomInputs(m.entry.params.map((p) => p.shape), seed);
  const got = await (await prepareWebGpu(m)).run(args);
  expect(compareLiterals(got, interpret(m, args), { atol: 1e-5, rtol: 1e-4 }).filter((d) => !d.ok)).toEqual([]);
}

describe.skipIf(unavailable)('GPU schedules on WebGPU', () => {
  it('elementwise fusions', async () => {
    for (const n of SIZES) await check(elementwise(3, n), n);
    // 2^20 elements: 4096 workgroups of vec4 invocations (no loop nest for lavapipe to cut).
    await check(elementwise(256, 4096));
  }, 120_000);

  it('row, column and full reductions', async () => {
    for (const n of SIZES) await check(reduceNorm([5, n], [1]), n);
    for (const n of [1, 65, 1000]) await check(reduceNorm([n, 7], [0]), n);
    await check(reduceNorm([70000, 2], [0, 1]));
  }, 120_000);

  it('softmax', async () => {
    for (const n of [3, 65, 1024]) await check(softmax(64, n), n);
  }, 120_000);
});
