// Builds generated CUDA C for the CPU: g++ compiles the .cu text against kiln's stand-in
// CUDA headers (targets/cuda/cpu/include), which run every thread of a block as a fiber
// (docs/cuda-cpu.md). All sources go to one g++ call: start-up is most of a small model's cost.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file to compile: its name under `dir` and its text. */
export interface CpuSource {
  readonly file: string;
  readonly text: string;
}

export interface CpuBuildOptions {
  /** CUDA C translation units (each model's .cu), compiled as C++17. */
  readonly sources: readonly CpuSource[];
  /** The program's main(), compiled with the same flags. */
  readonly driver?: CpuSource;
  /** AddressSanitizer build: out-of-bounds device accesses abort with a report. */
  readonly asan?: boolean;
  /** Folder the sources are written to (created if missing). */
  readonly dir: string;
  /** The executable's path (a relative one is under `dir`). */
  readonly exe: string;
  /** Extra g++ arguments (e.g. -D, -O2), placed before the sources. */
  readonly flags?: readonly string[];
}

export interface CpuBuild {
  readonly exe: string;
  /** Wall time of the g++ call, in milliseconds. */
  readonly ms: number;
}

/** The folder holding kiln's package.json, from the sources or from the dist/ bundle. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`kiln: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** targets/cuda/cpu/include: the stand-in cuda_runtime.h, cuda_fp16.h, cuda_bf16.h. */
export function cpuHeadersDir(): string {
  return join(packageRoot(), 'targets', 'cuda', 'cpu', 'include');
}

let gxx: boolean | undefined;

/** Whether g++ runs here (checked once per process). */
export function gxxAvailable(): boolean {
  if (gxx === undefined) {
    try {
      execFileSync('g++', ['--version'], { stdio: 'ignore' });
      gxx = true;
    } catch {
      gxx = false;
    }
  }
  return gxx;
}

/** g++'s arguments: C++17, light optimisation, wrapping signed overflow as CUDA's code expects. */
function gxxArgs(o: CpuBuildOptions, files: string[], exe: string): string[] {
  // With ASan, UBSan's alignment check too: a float4 access CUDA would fault on aborts here.
  const sanitize = o.asan ? ['-fsanitize=address,alignment', '-fno-sanitize-recover=alignment', '-fno-omit-frame-pointer'] : [];
  return ['-std=c++17', '-O1', '-g', '-fwrapv', ...sanitize, '-I', cpuHeadersDir(), ...(o.flags ?? []), '-x', 'c++', ...files, '-o', exe];
}

/** Writes the sources to `dir` and compiles them (and the driver) with one g++ call. */
export async function buildCpu(o: CpuBuildOptions): Promise<CpuBuild> {
  mkdirSync(o.dir, { recursive: true });
  const all = o.driver ? [...o.sources, o.driver] : [...o.sources];
  const files = all.map((s) => {
    const path = join(o.dir, s.file);
    writeFileSync(path, s.text);
    return path;
  });
  const exe = resolve(o.dir, o.exe);
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    execFile('g++', gxxArgs(o, files, exe), { maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const head = String(stderr).split('\n').slice(0, 20).join('\n');
      reject(new Error(`kiln: g++ failed to build ${exe}${o.asan ? ' (ASan)' : ''}:\n${head || err.message}`));
    });
  });
  return { exe, ms: performance.now() - start };
}
