// The two CUDA backends (compiler/backend.ts lists them, loading this file when first used):
// `cuda` runs the generated code on an NVIDIA GPU through runtime/cuda, exactly as a CUDA
// artifact runs (PTX built by nvcc here, loaded by the driver API); `cuda-cpu` compiles
// the same CUDA C with g++ against kiln's CPU emulation (cpu_backend.ts).
import type { Module } from '../../ir/module.js';
import { cudaUnavailable, loadModel, type Model } from '../../runtime/cuda/index.js';
import type { Backend, Executable } from '../backend.js';
import { inputBytes, readOutput, resultLiteral } from '../program_io.js';
import { buildModels, compileEach, compileForCuda, cudaCpuUnavailable, type CpuModel } from './cpu_backend.js';
import { cudaTool, ptxOf } from './nvcc.js';
import { ARRAY_OF, type DType, type TypedArray } from '../../runtime/core/dtype.js';

let models = 0;
/** The id of the `n`th model this process compiles: unique, since models link into one executable in a batch. */
export const cudaModelId = (m: Module, n: number): string => `${m.name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_${n}`;
const nextId = (m: Module): string => cudaModelId(m, models++);

export const cudaCpuBackend: Backend = {
  name: 'cuda-cpu',
  unavailable: cudaCpuUnavailable,
  prepare: async (m) => {
    const [exe] = await cudaCpuBackend.prepareMany!([m]);
    if (exe instanceof Error) throw exe;
    return exe;
  },
  prepareMany: async (ms) => {
    return (await buildModels(compileEach(ms, nextId))).executables;
  },
};

/**
 * The driver library the cuda backend loads: libcuda.so.1 unless env KILN_CUDA_DRIVER names
 * another. For testing: tests/cuda's fake driver runs `kiln run --backend cuda` on the CPU.
 */
const driverLibrary = (): string | undefined => process.env.KILN_CUDA_DRIVER || undefined;

/** Why CUDA cannot run here: no nvcc to build PTX, or no driver and device. */
async function gpuUnavailable(): Promise<string | undefined> {
  if (!cudaTool('nvcc')) return 'no nvcc (on the PATH or in /usr/local/cuda/bin) to build PTX';
  return cudaUnavailable(driverLibrary());
}

export const cudaBackend: Backend = {
  name: 'cuda',
  unavailable: gpuUnavailable,
  prepare: async (m) => {
    const why = await gpuUnavailable();
    if (why) throw new Error(`cuda: ${why}`);
    const compiled = compileForCuda(m, nextId(m));
    const { artifact } = compiled;
    const model = await loadModel(await ptxOf(artifact), artifact.manifest, { weights: artifact.weights, library: driverLibrary() });
    return cudaExecutable(compiled, model);
  },
};

/** An Executable over a model runtime/cuda loaded: literals in, the module's result out. */
export function cudaExecutable({ module: m, program, artifact }: CpuModel, model: Model): Executable {
  return {
    run: async (args) => {
      const inputs = inputBytes(program, args).map(({ bytes }, i) => bytesToTyped(bytes, artifact.manifest.inputs[i].dtype));
      const out = await model.run(inputs);
      return resultLiteral(m.entry.root.shape, artifact.manifest.outputs.map((t, i) => readOutput(program, i, typedToBytes(out[t.name]), 0)));
    },
  };
}

/** Little-endian bytes as the typed array of `dtype` (a copy, aligned). */
const bytesToTyped = (bytes: Uint8Array, dtype: DType): TypedArray => {
  const Ctor = ARRAY_OF[dtype];
  return new Ctor(bytes.slice().buffer, 0, bytes.length / Ctor.BYTES_PER_ELEMENT);
};

const typedToBytes = (t: TypedArray): Uint8Array => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
