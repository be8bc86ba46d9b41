// The GPU schedules on WebGPU (Deno, lavapipe here): the cases of tests/lower/gpu_cases.ts
// compiled for WGSL_TARGET and run by the webgpu backend, compared with the interpreter.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { randomInputs } from '../../compiler/random.js';
import { prepareWebGpu } from '../../compiler/webgpu_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { chain, elementwise, fusedNorm, layerNorm, reduceNorm, rowFusion, SIZES, softmax } from '../lower/gpu_cases.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { unavailable } from './harness.js';

async function check(m: Module, seed = 1): Promise<void> {
  const args = randomInputs(m.entry.params.map((p) => p.shape), seed);
  const got = await (await prepareWebGpu(m)).run(args);
  expect(compareLiterals(got, interpret(m, args), { atol: 1e-5, rtol: 1e-4 }).filter((d) => !d.ok), m.name).toEqual([]);
}

/** `m` runs as one row kernel (gpu_row.ts: a workgroup per row), and matches the interpreter. */
async function rowKernel(m: Module): Promise<void> {
  const { kernels } = compileProgram(m, { target: WGSL_TARGET }).program;
  expect(kernels.filter((k) => k.grid && k.schedule.rowWidth), m.name).toHaveLength(1);
  await check(m);
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
    for (const n of [64, 1000]) await check(fusedNorm(3, n), n);
  }, 120_000);

  it('past 65535 workgroups: a 2-D grid', async () => {
    // 65600 rows of 64: a workgroup per row, 65535 × 2 workgroups, the last ones guarded.
    await check(reduceNorm([65600, 64], [1]));
  }, 300_000);

  it('softmax', async () => {
    for (const n of [3, 65, 1024]) await check(softmax(64, n), n);
  }, 120_000);

  it('row fusions: softmax, LayerNorm, the LayerNorm → GELU → softmax chain, a workgroup per row', async () => {
    for (const n of [16, 63, 64, 65, 768, 1000, 4097]) {
      await rowKernel(softmax(5, n));
      await rowKernel(layerNorm(5, n));
      await rowKernel(chain(5, n));
    }
    for (const n of [1, 3, 64, 1000]) await rowKernel(rowFusion(7, n));
  }, 300_000);

  it('row fusions past 65535 rows: a 2-D grid', async () => {
    await rowKernel(softmax(70000, 16));
    await rowKernel(rowFusion(70000, 3));
  }, 300_000);
});
