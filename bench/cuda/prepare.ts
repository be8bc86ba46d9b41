// Prepares bench/cuda/pack/: everything bench/cuda/device.sh needs on a GPU machine that has
// no node (and no internet): the golden cases and the PyTorch-exported models compiled for
// CUDA (model.cu + model.h + weights.bin + inputs.bin per model, one driver), the GPU bench's
// models with a timing driver, the cuBLAS program and the PyTorch bench. Nothing in the pack
// needs kiln to run: the device builds it with nvcc (or, KILN_DEVICE_DRY=1, with g++ against
// kiln's CUDA emulation headers). See bench/cuda/README.md.
//
//   node --import ./bin/register.mjs bench/cuda/prepare.ts        (npm run bench:cuda:prepare)
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileForCuda, concatBytes, driverText, writeFiles } from '../../compiler/cuda/cpu_backend.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { importOnnxFile } from '../../compiler/frontends/onnx/file.js';
import { readNpy } from '../../compiler/io/npy.js';
import { inputBytes } from '../../compiler/program_io.js';
import type { Program } from '../../ir/kernel/kernel.js';
import type { Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { literalBytes } from '../../ir/scalar/elements.js';
import { verifyModule } from '../../ir/verify.js';
import type { CudaArtifact } from '../../targets/cuda/index.js';
import { loadCases } from '../../tests/golden/harness.js';
import { exportedModels, haveTorch } from '../../tests/onnx/pytorch/exported.js';
import { gpuOnnxModels } from '../models.js';

export const PACK_DIR = join(import.meta.dirname, 'pack');

/** The golden cases compute-sanitizer runs over (reductions, GEMMs, convolutions, a sort, control flow). */
export const SANITIZER_SAMPLE = ['reduce_sum_max', 'softmax', 'matmul', 'batch_dot', 'conv_grouped_g2', 'conv_transposed_3x3_s2_outpad',
  'maxpool', 'sort_stable', 'transpose', 'gather_clamp', 'while_dot'];

/** The PyTorch models of tests/onnx/pytorch.test.ts, with their dim bindings. */
export const PYTORCH_MODELS: { model: string; dims?: Record<string, number> }[] = [
  { model: 'softmax_regression' }, { model: 'mlp' }, { model: 'lenet5_b1' }, { model: 'lenet5_b64' },
  { model: 'resnet_folded' }, { model: 'resnet_batchnorm' }, { model: 'mobilenet_block' },
  { model: 'transformer_layer' }, { model: 'gru' }, { model: 'mlp_dynamic_batch', dims: { batch: 5 } },
];

export interface TensorLayout {
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly bytes: number;
}

/** One model of a suite, as manifest.json lists it (paths relative to the suite's folder). */
export interface PackModel {
  readonly name: string;
  /** Index in the suite's driver (models.cu); -1 when it did not compile. */
  readonly index: number;
  readonly dir: string;
  readonly id: string;
  /** weights.bin to pass (possibly another model's identical file); '-' when none. */
  readonly weights: string;
  readonly inputs: readonly TensorLayout[];
  readonly outputs: readonly TensorLayout[];
  /** Why it did not compile for CUDA. */
  readonly error?: string;
}

export interface SuiteManifest {
  readonly suite: 'golden' | 'pytorch';
  readonly models: readonly PackModel[];
  /** Names compute-sanitizer runs over, built into sample.cu's driver (index = position here). */
  readonly sample: readonly string[];
}

const layout = (p: Program, ios: Program['inputs']): TensorLayout[] =>
  ios.map((io) => { const b = p.buffers[io.buffer]; return { dtype: b.dtype, dims: [...b.dims], bytes: b.bytes }; });

/**
 * Writes one suite: per model m<i>/ (model.cu, model.h, weights.bin, inputs.bin,
 * expected.bin where given), models.cu and sample.cu (drivers including each model.h: each
 * model.cu is its own translation unit), manifest.json and cases.tsv (what device.sh reads:
 * index, name, folder, weights, inputs; one line per compiled model).
 */
function writeSuite(pack: string, suite: 'golden' | 'pytorch', items: { name: string; module: () => Module; inputs: () => Literal[]; expected?: () => Uint8Array }[], sample: readonly string[]): SuiteManifest {
  const root = join(pack, suite);
  mkdirSync(root, { recursive: true });
  const seen = new Map<string, string>();
  const built: { dir: string; artifact: CudaArtifact; name: string }[] = [];
  const models: PackModel[] = items.map((item, i) => {
    const dir = `m${i}`;
    // compileCuda makes the name a C identifier; the manifest's id is what the symbols carry.
    let id = `${suite === 'golden' ? 'g' : 't'}_${item.name}`;
    try {
      const { program, artifact } = compileForCuda(item.module(), id);
      id = artifact.manifest.id;
      writeFiles(join(root, dir), artifact);
      writeFileSync(join(root, dir, 'inputs.bin'), concatBytes(inputBytes(program, item.inputs()).map((b) => b.bytes)));
      if (item.expected) writeFileSync(join(root, dir, 'expected.bin'), item.expected());
      let weights = '-';
      if (artifact.weights?.length) {
        const hash = createHash('sha256').update(artifact.weights).digest('hex');
        weights = seen.get(hash) ?? `${dir}/weights.bin`;
        seen.set(hash, weights);
        if (weights !== `${dir}/weights.bin`) rmSync(join(root, dir, 'weights.bin'));
      } else rmSync(join(root, dir, 'weights.bin'));
      built.push({ dir, artifact, name: item.name });
      return { name: item.name, index: built.length - 1, dir, id, weights, inputs: layout(program, program.inputs), outputs: layout(program, program.outputs) };
    } catch (e) {
      return { name: item.name, index: -1, dir, id, weights: '-', inputs: [], outputs: [], error: (e as Error).message.split('\n')[0] };
    }
  });
  writeFileSync(join(root, 'models.cu'), driverText(built, { header: true }));
  const sampled = built.filter((b) => sample.includes(b.name));
  writeFileSync(join(root, 'sample.cu'), driverText(sampled, { header: true }));
  const manifest: SuiteManifest = { suite, models, sample: sampled.map((b) => b.name) };
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest, null, 1));
  const row = (m: PackModel, index: number) => [index, m.name, m.dir, m.weights === '-' ? '-' : m.weights, `${m.dir}/inputs.bin`].join('\t');
  writeFileSync(join(root, 'cases.tsv'), models.filter((m) => m.index >= 0).map((m) => row(m, m.index)).join('\n') + '\n');
  writeFileSync(join(root, 'sample.tsv'), sampled.map((b, j) => row(models.find((m) => m.name === b.name)!, j)).join('\n') + '\n');
  return manifest;
}

/** matmul 4096 in f16: f16 operands and result; kiln accumulates in f32 (as cublasGemmEx with CUBLAS_COMPUTE_32F). */
const MATMUL_F16_HLO = `HloModule matmul_f16_4096

ENTRY %main (a: f16[4096,4096], b: f16[4096,4096]) -> f16[4096,4096] {
  %a = f16[4096,4096]{1,0} parameter(0)
  %b = f16[4096,4096]{1,0} parameter(1)
  ROOT %dot = f16[4096,4096]{1,0} dot(f16[4096,4096]{1,0} %a, f16[4096,4096]{1,0} %b), lhs_contracting_dims={1}, rhs_contracting_dims={0}
}
`;

export interface BenchEntry {
  name: string;
  dir: string;
  id: string;
  weights: string;
  inputs: TensorLayout[];
  outputs: TensorLayout[];
  flops: number;
  bytes: number;
  kernels: number;
}

/** The bench models and bench.cu, the driver that times kiln_<id>_run_buffers with CUDA events. */
function writeBench(pack: string): BenchEntry[] {
  const root = join(pack, 'bench');
  mkdirSync(root, { recursive: true });
  const defs: { name: string; module: Module; fusion: boolean; flops: number; bytes: number }[] = [];
  for (const { model, bytes } of gpuOnnxModels()) {
    const module = importOnnx(bytes, `${model.name}.onnx`).module;
    defs.push({ name: model.name, module, fusion: true, flops: model.flops ?? 0, bytes: model.bytes ?? 0 });
    if (model.family === 'chain') defs.push({ name: `${model.name}-unfused`, module, fusion: false, flops: 0, bytes: model.bytes ?? 0 });
    if (model.family === 'matmul') {
      const f16 = parseHlo(MATMUL_F16_HLO, 'matmul_f16_4096.hlo');
      verifyModule(f16);
      defs.push({ name: 'matmul-4096-f16', module: f16, fusion: true, flops: model.flops ?? 0, bytes: 0 });
    }
  }
  const entries = defs.map((d, i): BenchEntry => {
    const dir = `m${i}`;
    const { program, artifact } = compileForCuda(d.module, `b_${d.name}`, { fusion: d.fusion });
    const id = artifact.manifest.id;
    writeFiles(join(root, dir), artifact);
    const hasWeights = !!artifact.weights?.length;
    if (!hasWeights) rmSync(join(root, dir, 'weights.bin'));
    const kernels = artifact.manifest.kernels.length;
    return { name: d.name, dir, id, weights: hasWeights ? `${dir}/weights.bin` : '-', inputs: layout(program, program.inputs), outputs: layout(program, program.outputs), flops: d.flops, bytes: d.bytes, kernels };
  });
  writeFileSync(join(root, 'bench.cu'), benchDriver(entries));
  writeFileSync(join(root, 'manifest.json'), JSON.stringify(entries, null, 1));
  writeFileSync(join(root, 'models.txt'), entries.map((e) => e.dir).join('\n') + '\n');
  return entries;
}

function benchDriver(entries: readonly BenchEntry[]): string {
  const most = (f: (e: BenchEntry) => number) => Math.max(1, ...entries.map(f));
  const list = (xs: readonly (number | string)[]) => `{ ${xs.join(', ') || '0'} }`;
  const rows = entries.map((e, i) =>
    `  { ${JSON.stringify(e.name)}, ${JSON.stringify(e.weights)}, reinterpret_cast<CreateFn>(kiln_model_${i}::kiln_${e.id}_create), ` +
    `reinterpret_cast<RunFn>(kiln_model_${i}::kiln_${e.id}_run_buffers), reinterpret_cast<DestroyFn>(kiln_model_${i}::kiln_${e.id}_destroy), ` +
    `${e.inputs.length}, ${e.outputs.length}, ${list(e.inputs.map((t) => t.bytes))}, ${list(e.inputs.map((t) => (t.dtype === 'f16' ? 1 : 0)))}, ` +
    `${list(e.outputs.map((t) => t.bytes))}, ${list(e.outputs.map((t) => (t.dtype === 'f16' ? 1 : 0)))}, ${e.flops}.0, ${e.bytes}.0, ${e.kernels} },`);
  return `// kiln GPU bench (bench/cuda/prepare.ts): times kiln_<id>_run_buffers with CUDA events.
// usage: bench PACK_BENCH_DIR [ONLY]  -- one line per model:
//   BENCH kiln NAME median_ms=M min_ms=M reps=N rate=R UNIT kernels=K checksum=S
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <stddef.h>
#include <algorithm>
#include <vector>
#include "bench_common.h"
${entries.map((e, i) => `namespace kiln_model_${i} {\n#include ${JSON.stringify(`${e.dir}/model.h`)}\n}`).join('\n')}

typedef cudaError_t (*CreateFn)(void**, const void*, size_t);
typedef cudaError_t (*RunFn)(void*, cudaStream_t, const void* const*, void* const*);
typedef void (*DestroyFn)(void*);
struct Entry {
  const char* name; const char* weights; CreateFn create; RunFn run; DestroyFn destroy; int inputs, outputs;
  size_t in_bytes[${most((e) => e.inputs.length)}]; int in_f16[${most((e) => e.inputs.length)}];
  size_t out_bytes[${most((e) => e.outputs.length)}]; int out_f16[${most((e) => e.outputs.length)}];
  double flops, bytes; int kernels;
};
static const Entry MODELS[] = {
${rows.join('\n')}
};

static int bench_one(const Entry& e, const char* dir) {
  size_t wbytes = 0;
  void* w = NULL;
  if (strcmp(e.weights, "-") != 0) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e.weights);
    w = bench_read_file(path, &wbytes);
    if (!w) return 1;
  }
  void* model = NULL;
  BENCH_CHECK(e.create(&model, w, wbytes));
  free(w);
  const void* ins[${most((e) => e.inputs.length)}];
  void* outs[${most((e) => e.outputs.length)}];
  for (int i = 0; i < e.inputs; i++) {
    void* d = NULL;
    BENCH_CHECK(cudaMalloc(&d, e.in_bytes[i]));
    BENCH_CHECK(bench_fill(d, e.in_bytes[i], e.in_f16[i], 1234u + 17u * (unsigned)i));
    ins[i] = d;
  }
  for (int i = 0; i < e.outputs; i++) BENCH_CHECK(cudaMalloc(&outs[i], e.out_bytes[i]));
  cudaStream_t s;
  BENCH_CHECK(cudaStreamCreate(&s));
  BenchTimes t;
  BENCH_CHECK(bench_time([&]() { return e.run(model, s, ins, outs); }, s, &t));
  double sum = 0;
  for (int i = 0; i < e.outputs; i++) { double x = 0; BENCH_CHECK(bench_checksum(outs[i], e.out_bytes[i], e.out_f16[i], &x)); sum += x; }
  bench_print("kiln", e.name, t, e.flops, e.bytes, e.kernels, sum);
  for (int i = 0; i < e.inputs; i++) cudaFree((void*)ins[i]);
  for (int i = 0; i < e.outputs; i++) cudaFree(outs[i]);
  cudaStreamDestroy(s);
  e.destroy(model);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s PACK_BENCH_DIR [ONLY]\\n", argv[0]); return 2; }
  int failed = 0;
  for (const Entry& e : MODELS) {
    if (argc > 2 && strstr(e.name, argv[2]) == NULL) continue;
    if (bench_one(e, argv[1]) != 0) { printf("BENCH kiln %s FAILED\\n", e.name); fflush(stdout); failed++; }
  }
  return failed ? 1 : 0;
}
`;
}

function exportPytorch(): { name: string; module: () => Module; inputs: () => Literal[]; expected: () => Uint8Array }[] {
  if (!haveTorch) {
    console.warn('prepare: no /usr/bin/python3 with torch and onnx: the pytorch suite is left out of the pack');
    return [];
  }
  const dir = exportedModels();
  return PYTORCH_MODELS.map(({ model, dims }) => ({
    name: model,
    module: () => importOnnxFile(join(dir, model, 'model.onnx'), dims ? { dims } : {}).module,
    inputs: () => [readNpy(readFileSync(join(dir, model, 'input_0.npy')))],
    // The exported output as f32 bytes (check.ts compares with 1e-4 relative, as the test does).
    expected: () => { const want = readNpy(readFileSync(join(dir, model, 'output_0.npy'))); return literalBytes(want); },
  }));
}

function sizeOf(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, d) => n + (d.isDirectory() ? sizeOf(join(dir, d.name)) : statSync(join(dir, d.name)).size), 0);
}

export interface PrepareOptions {
  /** Write the bench models and bench.cu (default true; the dry-run test leaves them out). */
  readonly bench?: boolean;
  /** Export and write the PyTorch models (default true, when python3-torch is there). */
  readonly pytorch?: boolean;
  /** Leave these PyTorch models out (the dry-run test leaves out LeNet-5 batch 64: 7 s on the emulation). */
  readonly skipPytorch?: readonly string[];
}

/** Writes the pack into `pack` (emptied first); returns the suites' manifests and the bench entries. */
export function preparePack(pack = PACK_DIR, o: PrepareOptions = {}): { golden: SuiteManifest; pytorch: SuiteManifest; bench: BenchEntry[] } {
  rmSync(pack, { recursive: true, force: true });
  mkdirSync(pack, { recursive: true });
  const golden = writeSuite(pack, 'golden', loadCases().map((c) => ({ name: c.name, module: () => c.module, inputs: () => c.inputs })), SANITIZER_SAMPLE);
  const pytorch = writeSuite(pack, 'pytorch', o.pytorch === false ? [] : exportPytorch().filter((m) => !o.skipPytorch?.includes(m.name)), []);
  const bench = o.bench === false ? [] : writeBench(pack);
  for (const f of ['bench_common.h', 'cublas.cu', 'torch_bench.py']) copyFileSync(join(import.meta.dirname, f), join(pack, f));
  if (bench.length) copyFileSync(join(import.meta.dirname, 'bench_common.h'), join(pack, 'bench', 'bench_common.h'));
  return { golden, pytorch, bench };
}

function main(): void {
  const t0 = performance.now();
  const { golden, pytorch, bench } = preparePack();
  const summary = (m: SuiteManifest) => `${m.models.filter((x) => x.index >= 0).length} compiled` +
    (m.models.some((x) => x.index < 0) ? `, not compiled: ${m.models.filter((x) => x.index < 0).map((x) => `${x.name} (${x.error})`).join('; ')}` : '');
  console.log(`golden: ${summary(golden)}; sanitizer sample: ${golden.sample.join(', ')}`);
  console.log(`pytorch: ${summary(pytorch)}`);
  console.log(`bench: ${bench.map((b) => `${b.name} (${b.kernels} kernels)`).join(', ')}`);
  console.log(`${relative(process.cwd(), PACK_DIR)}: ${(sizeOf(PACK_DIR) / 2 ** 20).toFixed(1)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
