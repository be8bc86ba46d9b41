// Runs hand-built kernel-IR programs (tests/wasm/harness.ts builds them) as CUDA C on the
// CPU: targets/cuda renders them, g++ builds them against kiln's emulation headers, and
// the cuda-cpu driver runs them (compiler/cuda/cpu_backend.ts), as the cuda-cpu backend
// runs models.
import type { Program } from '../../ir/kernel/kernel.js';
import type { TypedArray } from '../../runtime/core/dtype.js';
import { buildArtifacts } from '../../compiler/cuda/cpu_backend.js';
import { compileCuda } from '../../targets/cuda/index.js';
import { ARRAY_OF, type NumberOutputs } from '../wasm/harness.js';
import { noGxx } from './cuda_cases.js';

export const unavailable = noGxx;

/** Outputs of the CUDA target on cuda-cpu, by name, as the reference executor gives them. */
export async function runCudaCpu(p: Program, inputs: Record<string, TypedArray>): Promise<NumberOutputs> {
  return (await runCudaCpuMany([{ program: p, inputs }]))[0] as NumberOutputs;
}

/** Several programs built by one g++ call, each run on its inputs. */
export async function runCudaCpuMany(runs: readonly { program: Program; inputs: Record<string, TypedArray> }[]): Promise<Record<string, TypedArray>[]> {
  const built = await buildArtifacts(runs.map((r) => compileCuda(r.program)));
  try {
    return await Promise.all(runs.map(async ({ program: p, inputs }, i) => {
      const r = built.runners[i];
      if (r instanceof Error) throw r;
      const out = await r.run(p.inputs.map((io) => { const x = inputs[io.name]; return new Uint8Array(x.buffer, x.byteOffset, x.byteLength); }));
      const result: Record<string, TypedArray> = {};
      p.outputs.forEach((io, j) => { result[io.name] = new ARRAY_OF[p.buffers[io.buffer].dtype](out[j].slice().buffer); });
      return result;
    }));
  } finally {
    built.dispose();
  }
}
