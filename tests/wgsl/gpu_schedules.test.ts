// The GPU schedules on WebGPU (Deno, lavapipe here) at sizes too large for the property suite
// (gpu_properties.test.ts): grids of thousands of workgroups, and past 65535 of them, compared
// with the interpreter.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { randomInputs } from '../../compiler/random.js';
import { prepareWebGpu } from '../../compiler/webgpu_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { elementwise, reduceNorm, rowFusion, softmax } from '../lower/gpu_cases.js';
import { TOLERANCE } from '../lower/gpu_properties.js';
import { unavailable } from './harness.js';

async function check(m: Module, seed = 1): Promise<void> {
  const args = randomInputs(m.entry.params.map((p) => p.shape), seed);
  const exe = await prepareWebGpu(m);
  try {
    expect(compareLiterals(await exe.run(args), interpret(m, args), TOLERANCE).filter((d) => !d.ok)).toEqual([]);
  } finally {
    await exe.program.dispose();
  }
}

describe.skipIf(unavailable)('GPU schedules on WebGPU, large grids', () => {
  it('a loop fusion of 2^20 elements: 4096 workgroups of vec4 invocations, no loop nest for lavapipe to cut', async () => {
    await check(elementwise(256, 4096));
  }, 120_000);

  it('a full reduction of 140000 elements: one workgroup, about 2200 elements per invocation', async () => {
    await check(reduceNorm([70000, 2], [0, 1]));
  }, 120_000);

  it('past 65535 workgroups: a 2-D grid', async () => {
    // 65600 rows of 64: a workgroup per row, 65535 × 2 workgroups, the last ones guarded.
    await check(reduceNorm([65600, 64], [1]));
  }, 300_000);

  it('row fusions past 65535 rows: a 2-D grid of a workgroup per row', async () => {
    await check(softmax(70000, 16));
    await check(rowFusion(70000, 3));
  }, 300_000);
});
