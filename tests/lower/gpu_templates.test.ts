// What the GPU templates (passes/lower/gpu_dot.ts, gpu_transpose.ts, gpu_conv.ts) leave to
// the plain loop kernel still computes the right thing: compiled for WGSL_TARGET, no
// template in the program, run on the kernel IR executor (workgroups and invocations
// shuffled, races reported) and compared with the HLO interpreter. The templates
// themselves are property-tested over random shapes in gpu_properties.ts.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { prepareKernels } from '../../compiler/kernels_backend.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { convModule, NCHW, transposeModule } from './gpu_cases.js';
import { kernelKinds, TOLERANCE } from './gpu_properties.js';

describe('GPU templates on the kernel executor', () => {
  it.each([
    ['grouped convolution', convModule([1, 4, 6, 6], [6, 2, 3, 3], [1, 6, 4, 4], `window={size=3x3}, feature_group_count=2, ${NCHW}`)],
    ['transpose keeping the minor dim', transposeModule([3, 4, 5], [1, 0, 2])],
  ])('%s falls back to the plain loop kernel', async (_, m: Module) => {
    expect(kernelKinds(compileProgram(m, { target: WGSL_TARGET }).program)).toEqual(['loop']);
    const args = randomInputs(m.entry.params.map((p) => p.shape), 1);
    expect(compareLiterals(await prepareKernels(m, WGSL_TARGET).run(args), interpret(m, args), TOLERANCE).filter((d) => !d.ok)).toEqual([]);
  });
});
