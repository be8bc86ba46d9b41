// Runs hand-built kernel-IR programs (tests/wasm/harness.ts builds them) on WebGPU: through
// targets/wgsl and runtime/webgpu in the Deno host, as the webgpu backend runs models.
import type { Program } from '../../ir/kernel/kernel.js';
import type { TypedArray } from '../../runtime/wasm/index.js';
import { loadWebGpuProgram, webgpuUnavailable } from '../../compiler/webgpu_backend.js';
import { ARRAY_OF, type NumberOutputs } from '../wasm/harness.js';

/** Why WebGPU cannot run here, or undefined: tests skip with it, never pass silently. */
export const unavailable = await webgpuUnavailable();

/** Outputs of the WebGPU target, by name, as the reference executor gives them. */
export async function runWebGpu(p: Program, inputs: Record<string, TypedArray>): Promise<NumberOutputs> {
  const loaded = await loadWebGpuProgram(p);
  try {
    const bytes = p.inputs.map((io) => { const x = inputs[io.name]; return new Uint8Array(x.buffer, x.byteOffset, x.byteLength); });
    const out = await loaded.run(bytes);
    const result: Record<string, TypedArray> = {};
    p.outputs.forEach((io, i) => { result[io.name] = new ARRAY_OF[p.buffers[io.buffer].dtype](out[i].slice().buffer); });
    return result as NumberOutputs;
  } finally {
    await loaded.dispose();
  }
}
