// Fixed facts of the GPU schedules (passes/lower/gpu_loop.ts, gpu_reduce.ts) that
// gpu_properties.ts's random shapes do not pin: where the loop kernel vectorises, and how a
// reduction kernel reads when printed.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { printKernel } from '../../ir/kernel/print.js';
import { elementwise, fusedNorm } from './gpu_cases.js';

describe('GPU schedules (WGSL_TARGET)', () => {
  it('a loop fusion whose rows split into vec4s runs an invocation per vec4', () => {
    const lanes = (rows: number, n: number): number[] => compileProgram(elementwise(rows, n), { target: WGSL_TARGET }).program.kernels.map((k) => k.schedule.lanes);
    expect(lanes(64, 1024)).toEqual([4]);
    expect(lanes(3, 4097)).toEqual([1]);
  });

  it('prints a reduction kernel with its epilogue readably (workgroups of 4 here)', () => {
    const target = { ...WGSL_TARGET, schedule: { ...WGSL_TARGET.schedule, rowWidth: 4 } };
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
