// The ONNX backend tests' models (Debian's libonnx-testdata) and the PyTorch-exported models
// compiled for CUDA, their model.cu through nvcc (-arch=sm_90, every warning an error) and
// ptxas: every model that imports compiles, with no warning, no spill and at most 48 KiB
// of static shared memory per kernel. The log gives the most registers and the largest
// shared memory (docs/cuda-conformance.md). All ONNX cases take about 95 s on two cores,
// so CI checks a fixed sample (every SAMPLE_STEP-th case by name); `npm run
// test:cuda-onnx` (KILN_CUDA_ONNX=all) checks every case, against the full floor, and
// the vision networks of tests/onnx/vision.test.ts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VISION_CASES, VISION_EXPORT_SCRIPT } from '../../bench/vision/cases.js';
import { compileForCuda, writeFiles, type CpuModel } from '../../compiler/cuda/cpu_backend.js';
import { checkModels, type KernelResources } from '../../compiler/cuda/nvcc.js';
import { importOnnxFile } from '../../compiler/frontends/onnx/file.js';
import { importCase, listCases, ONNX_TESTDATA } from '../../compiler/onnx_backend_tests.js';
import type { Module } from '../../ir/module.js';
import { exportedModels, haveTorch, pythonHas } from '../onnx/pytorch/exported.js';
import { PYTORCH_CASES } from '../onnx/pytorch_cases.js';
import { noNvcc } from './cuda_cases.js';

const SHARED_LIMIT = 48 * 1024;
/** Models per nvcc call: nvcc's start-up is shared, and a failing call still names its files. */
const CHUNK = 100;
const ALL = process.env.KILN_CUDA_ONNX === 'all';
const SAMPLE_STEP = 3;
/**
 * ONNX cases whose models compile for CUDA and pass nvcc and ptxas (every case that
 * imports, 935 of 1072; the sample's 309 of 358). A floor only goes up.
 */
const FLOORS = { all: 935, sample: 309 };

const work = mkdtempSync(join(tmpdir(), 'kiln-nvcc-conf-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Compiles each module for CUDA and writes its folder; throws on the first that does not compile. */
function writeAll(modules: readonly { name: string; module: Module }[], prefix: string): { name: string; dir: string; model: CpuModel }[] {
  return modules.map(({ name, module }, i) => {
    let model: CpuModel;
    try {
      model = compileForCuda(module, `${prefix}_${i}`);
    } catch (e) {
      throw new Error(`${name} does not compile for CUDA: ${(e as Error).message.split('\n')[0]}`);
    }
    const dir = join(work, `${prefix}_${i}`);
    writeFiles(dir, model.artifact);
    return { name, dir, model };
  });
}

/** nvcc and ptxas over the folders, CHUNK at a time (an error names the chunk's cases). */
async function checkAll(models: readonly { name: string; dir: string }[]): Promise<KernelResources[]> {
  const out: KernelResources[] = [];
  for (let i = 0; i < models.length; i += CHUNK) {
    const chunk = models.slice(i, i + CHUNK);
    try {
      out.push(...await checkModels(chunk.map((m) => m.dir)));
    } catch (e) {
      throw new Error(`${(e as Error).message}\n(cases ${chunk[0].name} to ${chunk.at(-1)!.name})`);
    }
  }
  return out;
}

/** What the kernels use, for the log (and docs/cuda-conformance.md). */
function summary(name: string, r: readonly KernelResources[]): string {
  const most = (f: (k: KernelResources) => number) => r.reduce((a, k) => (f(k) > f(a) ? k : a), r[0]);
  return `${name}: ${r.length} kernels; most registers ${most((k) => k.registers).registers} (${most((k) => k.registers).kernel}); ` +
    `most shared memory ${most((k) => k.sharedBytes).sharedBytes} bytes (${most((k) => k.sharedBytes).kernel})`;
}

function expectClean(r: readonly KernelResources[], models: readonly { model: CpuModel }[]): void {
  expect(r.length).toBe(models.reduce((n, m) => n + m.model.artifact.manifest.kernels.length, 0));
  expect(r.filter((k) => k.spillStores + k.spillLoads > 0).map((k) => k.kernel)).toEqual([]);
  expect(r.filter((k) => k.sharedBytes > SHARED_LIMIT).map((k) => k.kernel)).toEqual([]);
}

describe.skipIf(noNvcc)('nvcc and ptxas over the conformance models', () => {
  it.skipIf(!existsSync(join(ONNX_TESTDATA, 'node')))(`compile ${ALL ? 'every' : 'a sample of the'} ONNX backend test cases`, async () => {
    const cases = listCases().filter((_, i) => ALL || i % SAMPLE_STEP === 0);
    // A case that does not import is the frontend's (the ONNX conformance table lists each);
    // every one that imports must compile for CUDA.
    const imported = cases.map((n) => importCase(n, ONNX_TESTDATA)).flatMap((c) => ('imported' in c ? [{ name: c.name, module: c.imported.module }] : []));
    const models = writeAll(imported, 'onnx');
    const r = await checkAll(models);
    console.log(`${summary(`ONNX (${models.length} of ${cases.length} cases import and compile)`, r)}`);
    expectClean(r, models);
    expect(models.length).toBeGreaterThanOrEqual(ALL ? FLOORS.all : FLOORS.sample);
  }, 600_000);

  it.skipIf(!haveTorch)('compile the PyTorch-exported models', async () => {
    const dir = exportedModels();
    const modules = PYTORCH_CASES.map(({ model, opts }) => ({ name: model, module: importOnnxFile(join(dir, model, 'model.onnx'), opts).module }));
    const models = writeAll(modules, 'torch');
    const r = await checkAll(models);
    console.log(summary('PyTorch models', r));
    expectClean(r, models);
  }, 600_000);

  // About 75 s of nvcc (493 kernels): with the full run only.
  it.skipIf(!ALL || !pythonHas('torch, torchvision, onnx'))('compile the vision networks', async () => {
    const dir = exportedModels(VISION_EXPORT_SCRIPT);
    const modules = VISION_CASES.map(({ name }) => ({ name, module: importOnnxFile(join(dir, name, 'model.onnx')).module }));
    const models = writeAll(modules, 'vision');
    const r = await checkAll(models);
    console.log(summary('vision networks', r));
    expectClean(r, models);
  }, 600_000);
});
