// The cuda-cpu backend: the CUDA C kiln generates, run on the CPU. Each module compiles for
// CUDA_TARGET and renders with targets/cuda; g++ builds model.cu against kiln's stand-in
// CUDA headers (cpu_build.ts, docs/cuda-cpu.md), which run every block's threads as fibers
// in a shuffled order, so a missing barrier gives a wrong answer; an ASan build catches
// out-of-bounds accesses. Slow, and for correctness only.
//
// g++ costs about half a second per translation unit, so many modules build into one
// executable: each model.cu is included in a namespace of its own in one unit (its exported
// symbols carry its id; its static helpers stay inside the namespace), and a driver picks
// the model by index. One process per run: `exe INDEX WEIGHTS INPUTS OUTPUTS` reads the
// inputs (their bytes, in order, concatenated) and writes the outputs the same way.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Program } from '../../ir/kernel/kernel.js';
import type { Module } from '../../ir/module.js';
import { compileCuda, type CudaArtifact } from '../../targets/cuda/index.js';
import { CUDA_TARGET } from '../../targets/cuda/target.js';
import type { Executable } from '../backend.js';
import { compileProgram, type CompileOptions } from '../compile.js';
import { inputBytes, readOutput, resultLiteral } from '../program_io.js';
import { buildCpu, gxxAvailable } from './cpu_build.js';
import { batchUnit } from './nvcc.js';

export interface CpuModel {
  readonly module: Module;
  readonly program: Program;
  readonly artifact: CudaArtifact;
}

export interface CpuBuildResult {
  /** Per module: its executable, or why it did not compile. */
  readonly executables: readonly (Executable | Error)[];
  /** Milliseconds g++ took. */
  readonly ms: number;
  /** Removes the build folder. */
  dispose(): void;
}

/** `m` compiled for CUDA, its symbols prefixed with `id` (made a C identifier). */
export function compileForCuda(m: Module, id: string, opts: Omit<CompileOptions, 'target'> = {}): CpuModel {
  const { program } = compileProgram(m, { ...opts, target: CUDA_TARGET });
  return { module: m, program, artifact: compileCuda(program, { id }) };
}

/** Each module compiled for CUDA, with the id `id` gives it; an Error in the place of one that does not compile. */
export function compileEach(ms: readonly Module[], id: (m: Module, i: number) => string): (CpuModel | Error)[] {
  return ms.map((m, i) => {
    try {
      return compileForCuda(m, id(m, i));
    } catch (e) {
      return e as Error;
    }
  });
}

export interface CpuRunOptions {
  readonly asan?: boolean;
  /** KILN_CUDA_CPU_SEED for the runs (the shuffle's seed). */
  readonly seed?: number;
}

/** A built program: each run takes its inputs' bytes in order and gives its outputs'. */
export interface ProgramRunner {
  run(inputs: readonly Uint8Array[]): Promise<Uint8Array[]>;
}

export interface ArtifactBuild {
  readonly runners: readonly (ProgramRunner | Error)[];
  readonly ms: number;
  dispose(): void;
}

/** Builds every artifact into one executable (one g++ call); an Error stays in its place. */
export async function buildArtifacts(artifacts: readonly (CudaArtifact | Error)[], o: CpuRunOptions = {}): Promise<ArtifactBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-cuda-cpu-'));
  const built = artifacts.flatMap((a, i) => (a instanceof Error ? [] : [{ a, i }]));
  const folders = built.map(({ a }, j) => {
    const folder = join(dir, `m${j}`);
    writeFiles(folder, a);
    return folder;
  });
  const exe = join(dir, o.asan ? 'models_asan' : 'models');
  const driver = driverText(built.map(({ a }, j) => ({ dir: folders[j], artifact: a })));
  const { ms } = built.length ? await buildCpu({ sources: [{ file: 'models.cu', text: driver }], asan: o.asan, dir, exe }) : { ms: 0 };
  const index = new Map(built.map(({ i }, j) => [i, j]));
  const runners = artifacts.map((a, i) => (a instanceof Error ? a : runner(a, exe, index.get(i)!, folders[index.get(i)!], o)));
  return { runners, ms, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds every compiled module into one executable; returns an Executable per module. */
export async function buildModels(models: readonly (CpuModel | Error)[], o: CpuRunOptions = {}): Promise<CpuBuildResult> {
  const b = await buildArtifacts(models.map((m) => (m instanceof Error ? m : m.artifact)), o);
  const executables = models.map((m, i) => {
    const r = b.runners[i];
    return m instanceof Error || r instanceof Error ? (r as Error) : executable(m, r);
  });
  return { executables, ms: b.ms, dispose: b.dispose };
}

export function writeFiles(folder: string, a: CudaArtifact): void {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'model.cu'), a.cu);
  writeFileSync(join(folder, 'model.h'), a.h);
  writeFileSync(join(folder, 'weights.bin'), a.weights ?? new Uint8Array(0));
}

function executable(m: CpuModel, r: ProgramRunner): Executable {
  const p = m.program;
  return {
    run: async (args) => {
      const out = await r.run(inputBytes(p, args).map(({ bytes }) => bytes));
      return resultLiteral(m.module.entry.root.shape, out.map((bytes, i) => readOutput(p, i, bytes, 0)));
    },
  };
}

let runs = 0;

function runner(a: CudaArtifact, exe: string, index: number, folder: string, o: CpuRunOptions): ProgramRunner {
  return {
    run: async (inputs) => {
      const n = runs++;
      const inPath = join(folder, `inputs_${n}.bin`), outPath = join(folder, `outputs_${n}.bin`);
      writeFileSync(inPath, concatBytes(inputs));
      try {
        await runExe(exe, [String(index), join(folder, 'weights.bin'), inPath, outPath], o);
        const out = readFileSync(outPath);
        let at = 0;
        return a.manifest.outputs.map((t) => {
          const bytes = new Uint8Array(out.buffer, out.byteOffset + at, t.bytes);
          at += t.bytes;
          return bytes;
        });
      } finally {
        rmSync(inPath, { force: true });
        rmSync(outPath, { force: true });
      }
    },
  };
}

function runExe(exe: string, args: readonly string[], o: CpuRunOptions): Promise<void> {
  const env = { ...process.env, ...(o.seed !== undefined ? { KILN_CUDA_CPU_SEED: String(o.seed) } : {}), ASAN_OPTIONS: 'detect_leaks=0' };
  return new Promise((resolve, reject) => {
    execFile(exe, [...args], { env, maxBuffer: 16 << 20 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const text = String(stderr).trim().split('\n').slice(0, 30).join('\n');
      reject(new Error(`cuda-cpu: the model's run failed${o.asan ? ' (ASan build)' : ''}: ${text || err.message}`));
    });
  });
}

/**
 * The driver: every model in a namespace of its own, a table of their C API, and main().
 * `header: true` includes each model.h instead of model.cu: every symbol a model exports is
 * `extern "C"` and carries its id, so each model.cu can then be its own translation unit,
 * compiled in parallel and linked with the driver (bench/cuda/device.sh).
 */
export function driverText(models: readonly { dir: string; artifact: CudaArtifact }[], o: { header?: boolean } = {}): string {
  const entries = models.map(({ artifact: a }, i) => {
    const id = a.manifest.id;
    const sizes = (ts: readonly { bytes: number }[]) => `{ ${ts.map((t) => t.bytes).join(', ') || '0'} }`;
    return `  { reinterpret_cast<CreateFn>(kiln_model_${i}::kiln_${id}_create), reinterpret_cast<RunFn>(kiln_model_${i}::kiln_${id}_run_buffers), ` +
      `reinterpret_cast<DestroyFn>(kiln_model_${i}::kiln_${id}_destroy), ${a.manifest.inputs.length}, ${a.manifest.outputs.length}, ${sizes(a.manifest.inputs)}, ${sizes(a.manifest.outputs)} },`;
  });
  const most = (f: (a: CudaArtifact) => number) => Math.max(1, ...models.map((m) => f(m.artifact)));
  const unit = batchUnit(models.map((m) => m.dir), o.header ? 'model.h' : 'model.cu');
  return `// kiln cuda-cpu: ${models.length} models and a driver (compiler/cuda/cpu_backend.ts).
${unit}#include <stdio.h>

typedef cudaError_t (*CreateFn)(void**, const void*, size_t);
typedef cudaError_t (*RunFn)(void*, cudaStream_t, const void* const*, void* const*);
typedef void (*DestroyFn)(void*);
struct Entry { CreateFn create; RunFn run; DestroyFn destroy; int inputs, outputs; size_t in_bytes[${most((a) => a.manifest.inputs.length)}], out_bytes[${most((a) => a.manifest.outputs.length)}]; };
static const Entry MODELS[] = {
${entries.join('\n')}
};

static void* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cannot open %s\\n", path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void* data = malloc(n > 0 ? (size_t)n : 1);
  if (n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\\n", path); exit(2); }
  fclose(f);
  *size = (size_t)n;
  return data;
}

#define CHECK(call) do { cudaError_t err_ = (call); if (err_ != cudaSuccess) { fprintf(stderr, "%s: %s\\n", #call, cudaGetErrorString(err_)); return 1; } } while (0)

int main(int argc, char** argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s MODEL WEIGHTS INPUTS OUTPUTS\\n", argv[0]); return 2; }
  const Entry& e = MODELS[atoi(argv[1])];
  size_t weights_bytes = 0, input_bytes = 0;
  void* weights = read_file(argv[2], &weights_bytes);
  char* inputs = (char*)read_file(argv[3], &input_bytes);
  void* model = NULL;
  CHECK(e.create(&model, weights_bytes ? weights : NULL, weights_bytes));
  const void* ins[${most((a) => a.manifest.inputs.length)}];
  void* outs[${most((a) => a.manifest.outputs.length)}];
  size_t at = 0;
  for (int i = 0; i < e.inputs; i++) {
    void* d = NULL;
    CHECK(cudaMalloc(&d, e.in_bytes[i]));
    if (at + e.in_bytes[i] > input_bytes) { fprintf(stderr, "inputs too short\\n"); return 2; }
    CHECK(cudaMemcpy(d, inputs + at, e.in_bytes[i], cudaMemcpyHostToDevice));
    at += e.in_bytes[i];
    ins[i] = d;
  }
  for (int i = 0; i < e.outputs; i++) CHECK(cudaMalloc(&outs[i], e.out_bytes[i]));
  CHECK(e.run(model, 0, ins, outs));
  CHECK(cudaStreamSynchronize(0));
  FILE* f = fopen(argv[4], "wb");
  if (!f) { fprintf(stderr, "cannot write %s\\n", argv[4]); return 2; }
  for (int i = 0; i < e.outputs; i++) {
    char* host = (char*)malloc(e.out_bytes[i] ? e.out_bytes[i] : 1);
    CHECK(cudaMemcpy(host, outs[i], e.out_bytes[i], cudaMemcpyDeviceToHost));
    fwrite(host, 1, e.out_bytes[i], f);
    free(host);
  }
  fclose(f);
  for (int i = 0; i < e.inputs; i++) cudaFree((void*)ins[i]);
  for (int i = 0; i < e.outputs; i++) cudaFree(outs[i]);
  e.destroy(model);
  free(weights);
  free(inputs);
  return 0;
}
`;
}

/** The parts' bytes one after another (a run's inputs file). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export const cudaCpuUnavailable = async (): Promise<string | undefined> => (gxxAvailable() ? undefined : 'no g++ (the cuda-cpu backend compiles the generated CUDA C with it)');
