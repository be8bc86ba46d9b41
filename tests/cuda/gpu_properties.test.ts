// tests/lower/gpu_properties.ts's suite on cuda-cpu: every case compiled for CUDA_TARGET
// (the GPU templates: reductions, row kernels, GEMM tiles, transposes), its CUDA C built
// once by g++ against kiln's CPU emulation and run with blocks and threads in a shuffled
// order, compared with the HLO interpreter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { buildModels, type CpuBuildResult } from '../../compiler/cuda/cpu_backend.js';
import { compileProgram } from '../../compiler/compile.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import { CUDA_TARGET } from '../../targets/cuda/target.js';
import { kernelKinds, PROPERTIES, TOLERANCE } from '../lower/gpu_properties.js';
import { compileAll, noGxx } from './cuda_cases.js';

const cases = PROPERTIES.flatMap((p) => p.cases.map((c) => ({ schedule: p.schedule, ...c })));

// Built with AddressSanitizer and UBSan's alignment check (an out-of-bounds access, or a
// float4 access kiln proved aligned that is not, which would fault on a GPU, aborts the run).
describe.skipIf(noGxx)('GPU schedules on cuda-cpu (ASan, alignment checked)', () => {
  let built: CpuBuildResult;
  beforeAll(async () => { built = await buildModels(compileAll(cases.map((c) => c.module), 'prop'), { asan: true }); }, 300_000);
  afterAll(() => built?.dispose());

  it.each(cases.map((c, i) => [`${c.schedule}: ${c.name}`, c, i] as const))('%s', async (_n, c, i) => {
    // The same templates as on WebGPU: CUDA_TARGET's schedule is WGSL's.
    expect(kernelKinds(compileProgram(c.module, { target: CUDA_TARGET }).program)).toEqual(c.kinds);
    const exe = built.executables[i];
    if (exe instanceof Error) throw exe;
    const args = randomInputs(c.module.entry.params.map((p) => p.shape), c.seed);
    expect(compareLiterals(await exe.run(args), interpret(c.module, args), TOLERANCE).filter((d) => !d.ok)).toEqual([]);
  }, 60_000);
});
