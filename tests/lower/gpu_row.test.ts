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
    expect([16, 63, 64, 255, 512, 768, 1024, 4097].map((n) => width(2, n))).toEqual([4, 16, 16, 64, 64, 64, 128, 256]);
    expect(width(64, 1024)).toBe(128);
    expect(width(4096, 1024)).toBe(64);
    const [k] = kernels(chain(1024, 768));
    expect(k.schedule).toMatchObject({ gpu: 1, rowWidth: 64, passes: 5, lanes: 4 });
    expect(k.grid).toEqual({ size: [64, 1, 1], workgroups: [1024, 1, 1] });
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
});
