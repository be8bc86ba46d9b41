// The GPU row kernel (passes/lower/gpu_row.ts) on the reference executor: kRow fusions
// lowered for WGSL_TARGET (a workgroup per row), run with shuffled workgroups and
// invocations, race and barrier checks, compared with the interpreter. Each case also
// checks the schedule it was lowered with, so a fallback cannot pass for it.
import { describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { prepareKernels } from '../../compiler/kernels_backend.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Kernel } from '../../ir/kernel/kernel.js';
import type { Module } from '../../ir/module.js';
import type { GpuSchedule, TargetDescription } from '../../ir/target.js';
import { printKernel } from '../../ir/kernel/print.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { chain, layerNorm, rowFusion, softmax } from './gpu_cases.js';

/** Rows around the workgroup (64), past it, and past the 16 KiB that keeps two chain rows in workgroup memory. */
const ROWS = [1, 3, 63, 64, 65, 768, 1000, 4097];

/** Workgroups of at most 4: the 2-D grid's cases stay affordable on the executor. */
const SMALL: TargetDescription = {
  ...WGSL_TARGET,
  schedule: { ...(WGSL_TARGET.schedule as GpuSchedule), workgroupSize: 4 },
  limits: { ...WGSL_TARGET.limits, maxWorkgroupInvocations: 4 },
};

const kernels = (m: Module, target = WGSL_TARGET): readonly Kernel[] => compileProgram(m, { target }).program.kernels;
const kind = (k: Kernel): string => (k.grid ? (k.schedule.rowWidth ? 'row' : k.schedule.reduceWidth ? 'reduce' : 'loop') : 'cpu');

async function check(m: Module, target = WGSL_TARGET, seed = 1): Promise<void> {
  const args = randomInputs(m.entry.params.map((p) => p.shape), seed);
  const got = await prepareKernels(m, target).run(args);
  expect(compareLiterals(got, interpret(m, args), { atol: 1e-5, rtol: 1e-4 }).filter((d) => !d.ok), m.name).toEqual([]);
}

/** `m` lowers to one row kernel with a workgroup per row, and matches the interpreter. */
async function rowKernel(m: Module, rows: number, target = WGSL_TARGET): Promise<Kernel> {
  const ks = kernels(m, target);
  expect(ks.map(kind), m.name).toEqual(['row']);
  expect(ks[0].grid!.workgroups[0] * ks[0].grid!.workgroups[1]).toBeGreaterThanOrEqual(rows);
  await check(m, target);
  return ks[0];
}

describe('the GPU row kernel on the kernel executor (a workgroup per row, races checked)', () => {
  it('softmax, LayerNorm and the LayerNorm → GELU → softmax chain', async () => {
    for (const n of ROWS)
      for (const rows of [1, 5]) {
        // The fusion pass forms row fusions of rows of 16 or more; shorter ones keep the reduce and loop schedules.
        const made = n >= 16 ? (m: Module) => rowKernel(m, rows) : check;
        await made(softmax(rows, n));
        await made(layerNorm(rows, n));
        await made(chain(rows, n));
      }
  }, 300_000);

  it('picks the workgroup width from the row, the rows and the schedule', () => {
    const width = (rows: number, n: number) => kernels(softmax(rows, n))[0].schedule.rowWidth;
    // A vector per invocation for short rows; two or more for long ones, while the launch is small.
    expect([16, 63, 64, 255, 512, 768, 1024, 4097].map((n) => width(2, n))).toEqual([4, 16, 16, 32, 64, 64, 128, 256]);
    expect(width(64, 1024)).toBe(128);
    expect(width(4096, 1024)).toBe(16);
    const [k] = kernels(chain(1024, 768));
    expect(k.schedule).toMatchObject({ gpu: 1, rowWidth: 16, passes: 5, lanes: 4 });
    expect(k.grid).toEqual({ size: [16, 1, 1], workgroups: [1024, 1, 1] });
  });

  it('keeps rows in workgroup memory where they fit, then in private memory, and recomputes them past that', async () => {
    const arrays = (n: number, target = WGSL_TARGET) => {
      const body = kernels(chain(2, n), target)[0].body;
      const count = (scope: string) => body.filter((s) => s.k === 'array' && s.scope === scope && !s.name.startsWith('sh_')).length;
      return [count('workgroup'), count('private')];
    };
    // Two kept rows of 1000 f32 fit beside five trees of 64; of rows of 2000 one does, and
    // of 4097 none: the others are each invocation's share (17 elements of 4097 with 256 invocations).
    expect(arrays(1000)).toEqual([2, 0]);
    expect(arrays(2000)).toEqual([1, 1]);
    expect(arrays(4097)).toEqual([0, 2]);
    // Four invocations would each keep 1025 elements of 4097: more than their 1 KiB, so recomputed.
    expect(arrays(4097, SMALL)).toEqual([0, 0]);
    await rowKernel(chain(3, 2000), 3);
    await rowKernel(chain(2, 4097), 2, SMALL);
  }, 120_000);

  it('narrows the workgroup until its trees fit the workgroup memory', async () => {
    const tight: TargetDescription = { ...WGSL_TARGET, limits: { ...WGSL_TARGET.limits, workgroupMemoryBytes: 64 } };
    // Two reductions of 8 invocations: 64 bytes of trees; the kept exp row goes to private memory.
    const [k] = kernels(softmax(2, 1024), tight);
    expect(k.schedule.rowWidth).toBe(8);
    expect(k.body.filter((s) => s.k === 'array').map((s) => (s as { scope: string }).scope).sort()).toEqual(['private', 'workgroup', 'workgroup']);
    await rowKernel(softmax(2, 1024), 2, tight);
  }, 60_000);

  it('a multi-output row fusion: full rows read back from an output, row values from invocation 0', async () => {
    for (const n of [1, 3, 63, 64, 65, 1000]) for (const rows of [1, 7]) await rowKernel(rowFusion(rows, n), rows);
  }, 60_000);

  it('past 65535 rows: a 2-D grid of workgroups, the last ones idle', async () => {
    for (const m of [rowFusion(70000, 3), softmax(65537, 16)]) {
      const rows = m.entry.params[0].shape.kind === 'array' ? m.entry.params[0].shape.dims[0] : 0;
      const k = await rowKernel(m, rows, SMALL);
      expect(k.grid!.workgroups.slice(0, 2)).toEqual([65535, 2]);
    }
  }, 300_000);

  it('many rows of one workgroup each', async () => {
    for (const rows of [2, 64, 1000]) await rowKernel(softmax(rows, 20), rows);
  }, 60_000);

  it('prints softmax over rows of 18 readably: eight invocations, vec4s then the tail, a tree per reduction, exp kept in workgroup memory', () => {
    expect(kernels(softmax(2, 18)).map(printKernel).join('\n')).toMatchInlineSnapshot(`
      "kernel k0_fusion(out f32[36] fusion, in f32[36] x) schedule(gpu=1 rowWidth=8 rows=2 passes=3 lanes=4) {  // fusion
        workgroup row_e: f32[18];
        workgroup sh_mx: f32[8];
        workgroup sh_sm: f32[8];
        let g: s32 = workgroup_id.x;
        let base: s32 = g * 18;
        let vacc_mx: f32x4 = f32x4(-inf);
        let tacc_mx: f32 = -inf;
        let inv: s32 = g * 18;
        for (j = local_id.x * 4; j < 16; j += 32) {
          let param_0: f32x4 = x.v4[inv + j];
          vacc_mx = maximum(vacc_mx, param_0);
        }
        let inv_1: s32 = g * 18;
        for (j_1 = local_id.x + 16; j_1 < 18; j_1 += 8) {
          let param_0_1: f32 = x[inv_1 + j_1];
          tacc_mx = maximum(tacc_mx, param_0_1);
        }
        sh_mx[local_id.x] = maximum(maximum(maximum(vacc_mx.x, vacc_mx.y), maximum(vacc_mx.z, vacc_mx.w)), tacc_mx);
        barrier();
        if (local_id.x < 4) {
          sh_mx[local_id.x] = maximum(sh_mx[local_id.x], sh_mx[local_id.x + 4]);
        }
        barrier();
        if (local_id.x < 2) {
          sh_mx[local_id.x] = maximum(sh_mx[local_id.x], sh_mx[local_id.x + 2]);
        }
        barrier();
        if (local_id.x < 1) {
          sh_mx[local_id.x] = maximum(sh_mx[local_id.x], sh_mx[local_id.x + 1]);
        }
        barrier();
        let row_mx: f32 = maximum(-inf, sh_mx[0]);
        let vacc_sm: f32x4 = f32x4(-0.0);
        let tacc_sm: f32 = -0.0;
        let inv_2: s32 = g * 18;
        for (j_2 = local_id.x * 4; j_2 < 16; j_2 += 32) {
          let param_0_2: f32x4 = x.v4[inv_2 + j_2];
          let e: f32x4 = exponential(param_0_2 - f32x4(row_mx));
          row_e.v4[j_2] = e;
          vacc_sm = vacc_sm + e;
        }
        let inv_3: s32 = g * 18;
        for (j_3 = local_id.x + 16; j_3 < 18; j_3 += 8) {
          let param_0_3: f32 = x[inv_3 + j_3];
          let e_1: f32 = exponential(param_0_3 - row_mx);
          row_e[j_3] = e_1;
          tacc_sm = tacc_sm + e_1;
        }
        sh_sm[local_id.x] = ((vacc_sm.x + vacc_sm.y) + (vacc_sm.z + vacc_sm.w)) + tacc_sm;
        barrier();
        if (local_id.x < 4) {
          sh_sm[local_id.x] = sh_sm[local_id.x] + sh_sm[local_id.x + 4];
        }
        barrier();
        if (local_id.x < 2) {
          sh_sm[local_id.x] = sh_sm[local_id.x] + sh_sm[local_id.x + 2];
        }
        barrier();
        if (local_id.x < 1) {
          sh_sm[local_id.x] = sh_sm[local_id.x] + sh_sm[local_id.x + 1];
        }
        barrier();
        let row_sm: f32 = 0.0 + sh_sm[0];
        for (j_4 = local_id.x * 4; j_4 < 16; j_4 += 32) {
          let e_2: f32x4 = row_e.v4[j_4];
          fusion.v4[base + j_4] = e_2 / f32x4(row_sm);
        }
        for (j_5 = local_id.x + 16; j_5 < 18; j_5 += 8) {
          let e_3: f32 = row_e[j_5];
          fusion[base + j_5] = e_3 / row_sm;
        }
      }"
    `);
  });
});
