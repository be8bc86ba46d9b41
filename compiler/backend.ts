// Backends: what runs a module. The list is explicit (no import-time registration):
// a new backend is one entry in BACKENDS. Each loads its code when first prepared, so
// that this table (the CLI's help lists it) costs nothing to load: the wasm backend
// brings binaryen (15 MB of JavaScript, most of a second), the kernels backend the passes
// and lowering.
import type { Literal } from '../ir/literal.js';
import type { Module } from '../ir/module.js';
import { UsageError } from './errors.js';

export { UsageError } from './errors.js';

export interface Executable {
  /** Run with one literal per entry parameter; returns the entry's result. */
  run(args: readonly Literal[]): Promise<Literal>;
}

export interface Backend {
  readonly name: string;
  /** Why the backend cannot run here (e.g. no GPU), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  prepare(m: Module): Promise<Executable>;
  /**
   * Prepares many modules at once, where that is much cheaper than one by one (cuda-cpu:
   * one g++ call for all); an Error in the place of a module that does not compile.
   */
  prepareMany?(ms: readonly Module[]): Promise<readonly (Executable | Error)[]>;
}

export const interpreterBackend: Backend = {
  name: 'interpreter',
  unavailable: async () => undefined,
  prepare: async (m) => {
    const { checkInterpretable, interpret } = await import('../ir/interpret/index.js');
    checkInterpretable(m);
    return { run: async (args) => interpret(m, [...args]) };
  },
};

/**
 * The compiled program run by the kernel IR's reference executor: checks passes and
 * lowering (and every access's bounds) without any target.
 */
export const kernelsBackend: Backend = {
  name: 'kernels',
  unavailable: async () => undefined,
  prepare: async (m) => (await import('./kernels_backend.js')).prepareKernels(m),
};

const wasm = () => import('./wasm_backend.js').then((w) => w.wasmBackend);
const lazyWasmBackend: Backend = {
  name: 'wasm',
  unavailable: async () => (await wasm()).unavailable(),
  prepare: async (m) => (await wasm()).prepare(m),
};

// WebGPU runs in a Deno child process (compiler/webgpu/bridge.ts), started on first use.
const webgpu = () => import('./webgpu_backend.js').then((w) => w.webgpuBackend);
const lazyWebGpuBackend: Backend = {
  name: 'webgpu',
  unavailable: async () => (await webgpu()).unavailable(),
  prepare: async (m) => (await webgpu()).prepare(m),
};

// CUDA C: `cuda` on an NVIDIA GPU through runtime/cuda (the driver API), `cuda-cpu` the same
// CUDA C compiled by g++ against kiln's CPU emulation of CUDA (compiler/cuda/).
const cuda = () => import('./cuda/backends.js');
const lazyCudaBackend: Backend = {
  name: 'cuda',
  unavailable: async () => (await cuda()).cudaBackend.unavailable(),
  prepare: async (m) => (await cuda()).cudaBackend.prepare(m),
};
const lazyCudaCpuBackend: Backend = {
  name: 'cuda-cpu',
  unavailable: async () => (await cuda()).cudaCpuBackend.unavailable(),
  prepare: async (m) => (await cuda()).cudaCpuBackend.prepare(m),
  prepareMany: async (ms) => (await cuda()).cudaCpuBackend.prepareMany!(ms),
};

export const BACKENDS: readonly Backend[] = [interpreterBackend, kernelsBackend, lazyWasmBackend, lazyWebGpuBackend, lazyCudaBackend, lazyCudaCpuBackend];

export function findBackend(name: string): Backend {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b) throw new UsageError(`unknown backend '${name}' (known: ${BACKENDS.map((x) => x.name).join(', ')})`);
  return b;
}
