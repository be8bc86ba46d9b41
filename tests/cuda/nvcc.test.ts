// Every kernel the golden suite and the GPU schedules' property suite produce for CUDA,
// compiled by nvcc (-arch=sm_90, every warning an error) and assembled by ptxas: no spill,
// at most 48 KiB of static shared memory. Many models go through one nvcc call
// (compiler/cuda/nvcc.ts). Skipped with a message where the CUDA toolkit is absent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFiles, type CpuModel } from '../../compiler/cuda/cpu_backend.js';
import { checkModels, type KernelResources } from '../../compiler/cuda/nvcc.js';
import type { Module } from '../../ir/module.js';
import { loadCases } from '../golden/harness.js';
import { PROPERTIES } from '../lower/gpu_properties.js';
import { compileAll, noNvcc } from './cuda_cases.js';

const SHARED_LIMIT = 48 * 1024;
const work = mkdtempSync(join(tmpdir(), 'kiln-nvcc-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Writes each model's files and checks them all with one nvcc call. */
export async function checkAll(models: readonly CpuModel[], name: string): Promise<KernelResources[]> {
  const dirs = models.map((m, i) => {
    const d = join(work, `${name}_${i}`);
    writeFiles(d, m.artifact);
    return d;
  });
  return checkModels(dirs);
}

/** What the kernels use, for the test's log (and the report). */
function summary(name: string, r: readonly KernelResources[]): string {
  const most = (f: (k: KernelResources) => number) => r.reduce((a, k) => (f(k) > f(a) ? k : a), r[0]);
  return `${name}: ${r.length} kernels; most registers ${most((k) => k.registers).registers} (${most((k) => k.registers).kernel}); ` +
    `most shared memory ${most((k) => k.sharedBytes).sharedBytes} bytes (${most((k) => k.sharedBytes).kernel})`;
}

function expectClean(r: readonly KernelResources[], kernels: number): void {
  expect(r.length).toBe(kernels);
  expect(r.filter((k) => k.spillStores + k.spillLoads > 0).map((k) => k.kernel)).toEqual([]);
  expect(r.filter((k) => k.sharedBytes > SHARED_LIMIT).map((k) => k.kernel)).toEqual([]);
}

const compiled = (modules: readonly Module[], prefix: string): CpuModel[] => compileAll(modules, prefix).map((m) => {
  if (m instanceof Error) throw m;
  return m;
});

const kernelCount = (ms: readonly CpuModel[]): number => ms.reduce((n, m) => n + m.artifact.manifest.kernels.length, 0);

describe.skipIf(noNvcc)('nvcc and ptxas', () => {
  it('compile every golden case\'s kernels with no warning and no spill', async () => {
    const models = compiled(loadCases().map((c) => c.module), 'golden');
    const r = await checkAll(models, 'golden');
    console.log(summary('golden', r));
    expectClean(r, kernelCount(models));
  }, 300_000);

  it('compile the GPU schedules\' property suite the same way', async () => {
    const models = compiled(PROPERTIES.flatMap((p) => p.cases.map((c) => c.module)), 'prop');
    const r = await checkAll(models, 'prop');
    console.log(summary('GPU properties', r));
    expectClean(r, kernelCount(models));
  }, 300_000);
});
