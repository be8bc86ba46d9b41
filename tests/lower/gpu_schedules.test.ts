// The GPU schedules (passes/lower/gpu_loop.ts, gpu_reduce.ts) on the reference executor:
// lowered for WGSL_TARGET, run with shuffled workgroups and race checks, compared with the
// interpreter over sizes that are not multiples of the workgroup.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { prepareKernels } from '../../compiler/kernels_backend.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { elementwise, reduceNorm, SIZES, softmax } from './gpu_cases.js';

async function check(m: Module, seed = 1): Promise<void> {
  const args = randomInputs(m.entry.params.map((p) => p.shape), seed);
  const got = await prepareKernels(m, WGSL_TARGET).run(args);
  expect(compareLiterals(got, interpret(m, args), { atol: 1e-5, rtol: 1e-4 }).filter((d) => !d.ok)).toEqual([]);
}

const kinds = (m: Module): string[] => compileProgram(m, { target: WGSL_TARGET }).program.kernels.map((k) => (k.grid ? `grid:${k.schedule.reduceWidth ? 'reduce' : 'loop'}` : 'cpu'));

describe('GPU schedules on the kernel executor (WGSL_TARGET, races checked)', () => {
  it('elementwise fusions: one invocation per element or per vec4', async () => {
    for (const n of SIZES) for (const rows of [1, 3]) await check(elementwise(rows, n), n);
  });

  it('row reductions: a workgroup per row, a tree, the epilogue fused', async () => {
    for (const n of SIZES) for (const rows of [1, 5]) await check(reduceNorm([rows, n], [1]), n);
  });

  it('column and full reductions', async () => {
    for (const n of [1, 63, 65, 1000]) {
      await check(reduceNorm([n, 7], [0]), n);
      await check(reduceNorm([n, 3], [0, 1]), n);
    }
  });

  it('softmax', async () => {
    for (const n of [3, 64, 1000]) await check(softmax(4, n), n);
  });

  it('picks the schedules', () => {
    expect(kinds(softmax(64, 1024))).toEqual(['grid:reduce', 'grid:loop', 'grid:reduce', 'grid:loop']);
    expect(kinds(elementwise(3, 4097))).toEqual(['grid:loop']);
    // Rows shorter than a workgroup: one invocation per output, a serial loop.
    expect(kinds(reduceNorm([5, 3], [1])).every((x) => x === 'grid:loop')).toBe(true);
    expect(compileProgram(elementwise(64, 1024), { target: WGSL_TARGET }).program.kernels[0].schedule.lanes).toBe(4);
  });
});
