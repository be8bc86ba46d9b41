// The CUDA toolkit, where a machine has it: nvcc builds PTX from model.cu, ptxas assembles
// it and reports each kernel's registers, spills and shared memory. `kiln compile --target
// cuda` writes model.ptx with it, and the tests check every kernel the suites produce
// compiles with no warning and assembles with no spill. nvcc starts slowly (about a second
// per file), so many models go through one call: each model's model.cu is included into
// one translation unit inside a namespace of its own (every symbol a model exports carries
// its id, and its static helpers stay inside its namespace).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { CudaArtifact } from '../../targets/cuda/index.js';

const run = promisify(execFile);

/** Flags of every nvcc call: HLO's rounding (no contraction of a multiply into an add), all warnings as errors. */
export const NVCC_FLAGS = ['-fmad=false', '-Werror', 'all-warnings'] as const;

/** A CUDA toolkit program (`nvcc`, `ptxas`) on the PATH or in /usr/local/cuda/bin, or undefined. */
export function cudaTool(name: 'nvcc' | 'ptxas'): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/local/cuda/bin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

export class ToolchainError extends Error {
  override name = 'ToolchainError';
}

/** `art`'s model.cu compiled to PTX for its manifest's architecture (in a scratch folder, beside its model.h). */
export async function ptxOf(art: CudaArtifact): Promise<string> {
  const nvcc = cudaTool('nvcc') ?? fail('no nvcc (on the PATH or in /usr/local/cuda/bin)');
  const dir = mkdtempSync(join(tmpdir(), 'kiln-ptx-'));
  try {
    writeFileSync(join(dir, 'model.cu'), art.cu);
    writeFileSync(join(dir, 'model.h'), art.h);
    const out = join(dir, 'model.ptx');
    await compile(nvcc, ['-ptx', `-arch=${art.manifest.arch}`, ...NVCC_FLAGS, join(dir, 'model.cu'), '-o', out]);
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface KernelResources {
  readonly kernel: string;
  readonly registers: number;
  readonly spillStores: number;
  readonly spillLoads: number;
  readonly sharedBytes: number;
  readonly stackBytes: number;
}

/**
 * Models (folders holding model.cu and model.h) compiled to PTX in one nvcc call and
 * assembled by ptxas -v; returns each kernel's resources. Throws ToolchainError with the
 * compiler's message on any error or warning.
 */
export async function checkModels(dirs: readonly string[], arch = 'sm_90'): Promise<KernelResources[]> {
  const nvcc = cudaTool('nvcc') ?? fail('no nvcc (on the PATH or in /usr/local/cuda/bin)');
  const ptxas = cudaTool('ptxas') ?? fail('no ptxas (on the PATH or in /usr/local/cuda/bin)');
  const work = mkdtempSync(join(tmpdir(), 'kiln-nvcc-'));
  try {
    const unit = join(work, 'models.cu');
    writeFileSync(unit, batchUnit(dirs));
    const ptx = join(work, 'models.ptx');
    await compile(nvcc, ['-ptx', `-arch=${arch}`, ...NVCC_FLAGS, unit, '-o', ptx]);
    const { stderr } = await compile(ptxas, ['-v', `-arch=${arch}`, '-Werror', ptx, '-o', join(work, 'models.cubin')]);
    return parsePtxasReport(stderr);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * One translation unit including each folder's model.cu (or `file`) in a namespace of its
 * own, `kiln_model_<i>`, after the headers a model.cu includes (so that its own includes,
 * inside the namespace, find them already there).
 */
export function batchUnit(dirs: readonly string[], file: 'model.cu' | 'model.h' = 'model.cu'): string {
  const headers = ['cuda_runtime.h', 'cuda_fp16.h', 'cuda_bf16.h', 'stdint.h', 'stdlib.h', 'math.h', 'stddef.h'];
  return [
    ...headers.map((h) => `#include <${h}>`),
    ...dirs.map((d, i) => `namespace kiln_model_${i} {\n#include ${JSON.stringify(join(d, file))}\n}`),
    '',
  ].join('\n');
}

/** ptxas -v's report: per function, `Used N registers, used B barriers, S bytes smem` and the spill line. */
export function parsePtxasReport(text: string): KernelResources[] {
  const out: KernelResources[] = [];
  let current: { kernel: string; stack: number; spillStores: number; spillLoads: number } | undefined;
  for (const line of text.split('\n')) {
    const fn = /Compiling entry function '([^']+)'/.exec(line);
    if (fn) { current = { kernel: fn[1], stack: 0, spillStores: 0, spillLoads: 0 }; continue; }
    const frame = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line);
    if (frame && current) { current.stack = +frame[1]; current.spillStores = +frame[2]; current.spillLoads = +frame[3]; continue; }
    const used = /Used (\d+) registers(?:, used \d+ barriers)?(?:, (\d+) bytes smem)?/.exec(line);
    if (used && current) {
      out.push({ kernel: current.kernel, registers: +used[1], sharedBytes: +(used[2] ?? 0), stackBytes: current.stack, spillStores: current.spillStores, spillLoads: current.spillLoads });
      current = undefined;
    }
  }
  return out;
}

async function compile(tool: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(tool, [...args], { maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    const text = `${err.stderr ?? ''}${err.stdout ?? ''}`.trim() || err.message;
    throw new ToolchainError(`${tool.split('/').pop()} failed:\n${text.split('\n').slice(0, 40).join('\n')}`);
  }
}

function fail(msg: string): never {
  throw new ToolchainError(msg);
}
