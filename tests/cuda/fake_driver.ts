// The fake CUDA driver (fake_libcuda.cpp) and kernel objects for it, built with g++ against
// kiln's CPU emulation of CUDA: the driver runs the kernels through the emulation's
// launch_params, so kernels that kiln generates run as they would on a GPU (barriers,
// __shared__ memory). The driver reads env KILN_FAKE_CUDA_KERNELS for the kernels' .so.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cpuHeadersDir } from '../../compiler/cuda/cpu_build.js';

const run = promisify(execFile);
const HERE = import.meta.dirname;

/** g++'s flags for both: the emulation's C++17, its headers, a shared object. */
// -Wno-unknown-pragmas: CUDA's `#pragma unroll` is not g++'s.
const FLAGS = ['-std=c++17', '-shared', '-fPIC', '-O1', '-fwrapv', '-Wall', '-Werror', '-Wno-unknown-pragmas', '-I', cpuHeadersDir()];

async function gxx(args: readonly string[]): Promise<void> {
  try {
    await run('g++', [...FLAGS, ...args], { maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`g++ failed: ${(err.stderr ?? err.message).split('\n').slice(0, 40).join('\n')}`);
  }
}

/** Builds the fake driver as `dir`/libcuda.so.1; returns its path. */
export async function buildFakeDriver(dir: string): Promise<string> {
  const library = join(dir, 'libcuda.so.1');
  await gxx(['-o', library, join(HERE, 'fake_libcuda.cpp'), '-ldl']);
  return library;
}

/** Builds CUDA C `sources` (files, each its own translation unit) into the shared object `out`. */
export async function buildFakeKernels(sources: readonly string[], out: string, flags: readonly string[] = []): Promise<string> {
  await gxx([...flags, '-x', 'c++', ...sources, '-o', out]);
  return out;
}
