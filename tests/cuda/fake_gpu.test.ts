// The golden suite through runtime/cuda, on the fake driver (fake_libcuda.cpp) running the
// CUDA C kiln generates: every case compiled for CUDA, all models' model.cu built by g++
// against kiln's CPU emulation into one shared object (each in a namespace of its own, as
// nvcc.ts's batchUnit does; kernel symbols are extern "C" and carry the model's id), and
// each case loaded with its real manifest and run. What a GPU would add is the PTX (the
// fake ignores it); what this checks is the rest of the contract end to end: the
// manifest's kernels, launches, grids, arguments, while and switch steps, the weights,
// and where inputs and outputs live.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../compiler/backend.js';
import { cudaExecutable } from '../../compiler/cuda/backends.js';
import { writeFiles, type CpuModel } from '../../compiler/cuda/cpu_backend.js';
import { batchUnit } from '../../compiler/cuda/nvcc.js';
import { loadModel, type Model } from '../../runtime/cuda/index.js';
import { loadCases, runCase } from '../golden/harness.js';
import { compileAll, noGxx } from './cuda_cases.js';
import { buildFakeDriver, buildFakeKernels } from './fake_driver.js';

const cases = loadCases();
/** runCase names the backend in its messages. */
const FAKE_GPU = { name: 'cuda (fake driver)' } as Backend;
/** The fake driver keeps the image's text and ignores it: any non-empty PTX loads. */
const PTX = '// not PTX: the fake driver runs the kernels of KILN_FAKE_CUDA_KERNELS\n';

describe.skipIf(noGxx !== undefined)('the golden suite through runtime/cuda on the fake driver', () => {
  let dir = '';
  let library = '';
  const compiled = compileAll(cases.map((c) => c.module), 'golden');
  const models: Model[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-fake-gpu-'));
    const folders = compiled.flatMap((c, i) => (c instanceof Error ? [] : [join(dir, `m${i}`)]));
    compiled.forEach((c, i) => { if (!(c instanceof Error)) writeFiles(join(dir, `m${i}`), c.artifact); });
    const unit = join(dir, 'models.cu');
    writeFileSync(unit, batchUnit(folders));
    const kernels = join(dir, 'kernels.so');
    [library] = await Promise.all([buildFakeDriver(dir), buildFakeKernels([unit], kernels)]);
    process.env.KILN_FAKE_CUDA_KERNELS = kernels;
  }, 300_000);
  afterAll(() => {
    models.splice(0).forEach((m) => m.dispose());
    delete process.env.KILN_FAKE_CUDA_KERNELS;
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles every case for CUDA', () => {
    expect(compiled.filter((c) => c instanceof Error)).toEqual([]);
  });

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_n, c, i) => {
    const m = compiled[i] as CpuModel;
    const model = await loadModel(PTX, m.artifact.manifest, { library, weights: m.artifact.weights });
    models.push(model);
    for (const d of await runCase(FAKE_GPU, c, cudaExecutable(m, model)))
      expect(d, `output ${d.index} ${d.shape}: max abs ${d.maxAbs} max rel ${d.maxRel} (${c.source})`).toMatchObject({ ok: true });
  });
});
