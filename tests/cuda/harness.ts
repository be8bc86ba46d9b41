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
  const built = await buildArtifacts([compileCuda(p)]);
  try {
    const r = built.runners[0];
    if (r instanceof Error) throw r;
    const out = await r.run(p.inputs.map((io) => { const x = inputs[io.name]; return new Uint8Array(x.buffer, x.byteOffset, x.byteLength); }));
    const result: Record<string, TypedArray> = {};
    p.outputs.forEach((io, i) => { result[io.name] = new ARRAY_OF[p.buffers[io.buffer].dtype](out[i].slice().buffer); });
    return result as NumberOutputs;
  } finally {
    built.dispose();
  }
}
