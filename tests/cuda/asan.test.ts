// The golden suite's CUDA C built once with AddressSanitizer (g++ -fsanitize=address against
// kiln's CPU emulation, docs/cuda-cpu.md) and every case run: outputs match the golden
// values and no run reports anything (an ASan report ends the run with an error, which
// fails the case). Catches an out-of-bounds access the shuffled emulation alone would not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../compiler/backend.js';
import { buildModels, type CpuBuildResult } from '../../compiler/cuda/cpu_backend.js';
import { loadCases, runCase } from '../golden/harness.js';
import { compileAll, noGxx } from './cuda_cases.js';

const cases = loadCases();
const cudaCpu = BACKENDS.find((b) => b.name === 'cuda-cpu')!;

describe.skipIf(noGxx)('golden suite on cuda-cpu under AddressSanitizer', () => {
  let built: CpuBuildResult;
  beforeAll(async () => {
    built = await buildModels(compileAll(cases.map((c) => c.module), 'asan'), { asan: true });
    console.log(`ASan build of ${cases.length} golden models: ${(built.ms / 1000).toFixed(1)} s`);
  }, 600_000);
  afterAll(() => built?.dispose());

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_n, c, i) => {
    const diffs = await runCase(cudaCpu, c, built.executables[i]);
    expect(diffs.filter((d) => !d.ok)).toEqual([]);
  }, 60_000);
});
