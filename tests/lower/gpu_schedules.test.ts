// The GPU schedules (passes/lower/gpu_loop.ts, gpu_reduce.ts, gpu_row.ts) on the reference executor:
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
import { printKernel } from '../../ir/kernel/print.js';
import { elementwise, fusedNorm, reduceNorm, SIZES, softmax } from './gpu_cases.js';

async function check(m: Module, seed = 1): Promise<void> {
  const args = randomInputs(m.entry.params.map((p) => p.shape), seed);
  const got = await prepareKernels(m, WGSL_TARGET).run(args);
  expect(compareLiterals(got, interpret(m, args), { atol: 1e-5, rtol: 1e-4 }).filter((d) => !d.ok)).toEqual([]);
}

const kinds = (m: Module): string[] =>
  compileProgram(m, { target: WGSL_TARGET }).program.kernels.map((k) => (k.grid ? `grid:${k.schedule.rowWidth ? 'row' : k.schedule.reduceWidth ? 'reduce' : 'loop'}` : 'cpu'));

describe('GPU schedules on the kernel executor (WGSL_TARGET, races checked)', () => {
  it('elementwise fusions: one invocation per element or per vec4', async () => {
    for (const n of SIZES) for (const rows of [1, 3]) await check(elementwise(rows, n), n);
  });

  it('row reductions: a workgroup per row, a tree, the epilogue fused', async () => {
    for (const n of SIZES) for (const rows of [1, 5]) await check(reduceNorm([rows, n], [1]), n);
    for (const n of [64, 65, 1000]) {
      await check(fusedNorm(3, n), n);
      expect(kinds(fusedNorm(3, n))).toEqual(['grid:reduce']);
    }
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
    // Softmax is one row fusion: a workgroup per row (gpu_row.ts; tests/lower/gpu_row.test.ts).
    expect(kinds(softmax(64, 1024))).toEqual(['grid:row']);
    expect(kinds(elementwise(3, 4097))).toEqual(['grid:loop']);
    // Rows shorter than a workgroup: one invocation per output, a serial loop.
    expect(kinds(reduceNorm([5, 3], [1])).every((x) => x === 'grid:loop')).toBe(true);
    expect(compileProgram(elementwise(64, 1024), { target: WGSL_TARGET }).program.kernels[0].schedule.lanes).toBe(4);
  });

  it('prints a reduction kernel with its epilogue readably (workgroups of 4 here)', () => {
    const target = { ...WGSL_TARGET, schedule: { ...WGSL_TARGET.schedule, workgroupSize: 4 } };
    const p = compileProgram(fusedNorm(2, 8), { target }).program;
    expect(p.kernels.map(printKernel).join('\n')).toMatchInlineSnapshot(`
      "kernel k0_f(out f32[2] f, in f32[16] x) schedule(gpu=1 reduceWidth=4) {  // f
        workgroup sh: f32[4];
        let g: s32 = workgroup_id.x;
        let acc: f32 = 0.0;
        let p: f32 = x[(g * 8) + local_id.x];
        acc = p * p;
        let inv: s32 = g * 8;
        for (j = local_id.x + 4; j < 8; j += 4) {
          let p_1: f32 = x[inv + j];
          acc = acc + (p_1 * p_1);
        }
        sh[local_id.x] = acc;
        barrier();
        if (local_id.x < 2) {
          sh[local_id.x] = sh[local_id.x] + sh[local_id.x + 2];
        }
        barrier();
        if (local_id.x < 1) {
          sh[local_id.x] = sh[local_id.x] + sh[local_id.x + 1];
        }
        if (local_id.x == 0) {
          let total: f32 = 0.0 + sh[0];
          f[g] = sqrt(total + 1.0);
        }
      }"
    `);
  });
});
