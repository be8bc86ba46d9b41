// The shuffled-order execution of cuda-cpu catches a missing barrier: a GPU reduction
// (a tree in shared memory), a row kernel and a GEMM tile (staging A and B through shared
// memory), each built twice — as lowered, and with every __syncthreads() of its template
// kernel deleted — run the same inputs. The first matches the interpreter; the second
// reads shared memory another thread has not written yet (or overwrote) and does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareLiterals } from '../../compiler/compare.js';
import { buildModels, type CpuBuildResult, type CpuModel } from '../../compiler/cuda/cpu_backend.js';
import { compileProgram } from '../../compiler/compile.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Kernel, Program, Stmt } from '../../ir/kernel/kernel.js';
import type { Module } from '../../ir/module.js';
import { compileCuda } from '../../targets/cuda/index.js';
import { CUDA_TARGET } from '../../targets/cuda/target.js';
import { TOLERANCE } from '../lower/gpu_properties.js';
import { dotModule, MATMUL, reduceNorm, softmax } from '../lower/gpu_cases.js';
import { noGxx } from './cuda_cases.js';

const CASES: readonly { name: string; module: Module }[] = [
  { name: 'reduction', module: reduceNorm([4, 1024], [1]) },
  { name: 'row kernel (softmax)', module: softmax(4, 1024) },
  { name: 'GEMM tile', module: dotModule([64, 96], [96, 64], [64, 64], MATMUL) },
];

const withoutBarriers = (body: readonly Stmt[]): Stmt[] => body.filter((s) => s.k !== 'barrier').map((s) => {
  if (s.k === 'loop') return { ...s, loop: { ...s.loop, body: withoutBarriers(s.loop.body) } };
  if (s.k === 'if') return { ...s, then: withoutBarriers(s.then), else: withoutBarriers(s.else) };
  return s;
});

const barriers = (k: Kernel): number => JSON.stringify(k.body).split('"barrier"').length - 1;

/** `p` with the barriers of its kernels deleted. */
const stripped = (p: Program): Program => ({ ...p, kernels: p.kernels.map((k) => ({ ...k, body: withoutBarriers(k.body) })) });

describe.skipIf(noGxx)('a deleted barrier gives a wrong answer on cuda-cpu', () => {
  let built: CpuBuildResult;
  const models: CpuModel[] = [];
  beforeAll(async () => {
    CASES.forEach(({ module }, i) => {
      const { program } = compileProgram(module, { target: CUDA_TARGET });
      models.push({ module, program, artifact: compileCuda(program, { id: `intact_${i}` }) });
      const broken = stripped(program);
      models.push({ module, program: broken, artifact: compileCuda(broken, { id: `broken_${i}` }) });
    });
    built = await buildModels(models);
  }, 300_000);
  afterAll(() => built?.dispose());

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_n, c, i) => {
    const intact = models[2 * i];
    expect(intact.program.kernels.reduce((n, k) => n + barriers(k), 0), 'the template has barriers to delete').toBeGreaterThan(0);
    expect(intact.artifact.cu).toContain('__syncthreads();');
    expect(models[2 * i + 1].artifact.cu.match(/__syncthreads\(\);/g)?.length ?? 0).toBeLessThan(intact.artifact.cu.match(/__syncthreads\(\);/g)!.length);
    const args = randomInputs(c.module.entry.params.map((p) => p.shape), 7);
    const want = interpret(c.module, args);
    const run = async (j: number) => {
      const exe = built.executables[j];
      if (exe instanceof Error) throw exe;
      return compareLiterals(await exe.run(args), want, TOLERANCE).filter((d) => !d.ok);
    };
    expect(await run(2 * i)).toEqual([]);
    expect((await run(2 * i + 1)).length, 'without its barriers the kernel must go wrong').toBeGreaterThan(0);
  }, 60_000);
});
