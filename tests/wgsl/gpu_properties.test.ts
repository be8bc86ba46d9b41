// tests/lower/gpu_properties.ts's suite on WebGPU: each case run by the webgpu backend (one
// Deno child for the whole file; lavapipe here), its kernels the schedule's, compared with
// the HLO interpreter. The same cases run on the kernel executor in
// tests/lower/gpu_properties.test.ts.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { randomInputs } from '../../compiler/random.js';
import { prepareWebGpu } from '../../compiler/webgpu_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import { kindsOf, PROPERTIES, TOLERANCE, type PropertyCase } from '../lower/gpu_properties.js';
import { unavailable } from './harness.js';

async function check(c: PropertyCase): Promise<void> {
  expect(kindsOf(c.module)).toEqual(c.kinds);
  const args = randomInputs(c.module.entry.params.map((p) => p.shape), c.seed);
  const exe = await prepareWebGpu(c.module);
  try {
    expect(compareLiterals(await exe.run(args), interpret(c.module, args), TOLERANCE).filter((d) => !d.ok)).toEqual([]);
  } finally {
    await exe.program.dispose();
  }
}

describe.skipIf(unavailable).each(PROPERTIES.map((p) => [p.schedule, p.cases] as const))('GPU schedule %s on WebGPU', (_, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => { await check(c); }, 60_000);
});
