// The webgpu backend: compile (passes, lowering, targets/wgsl) and run through the runtime
// an artifact ships (runtime/webgpu), on Deno's WebGPU in a child process (Node has none):
// compiler/webgpu/bridge.ts. Unavailable where there is no deno binary or no adapter.
import type { Literal } from '../ir/literal.js';
import type { Module } from '../ir/module.js';
import { compileWgsl } from '../targets/wgsl/index.js';
import type { Backend, Executable } from './backend.js';
import { compileProgram, type CompileOptions } from './compile.js';
import { inputBytes, readOutput, resultLiteral } from './program_io.js';
import { bridge, denoBinary } from './webgpu/bridge.js';
import { splitBlobs } from './webgpu/protocol.js';

let availability: Promise<string | undefined> | undefined;

/** Why WebGPU cannot run here (checked once: a deno binary, then an adapter), or undefined. */
export function webgpuUnavailable(): Promise<string | undefined> {
  return (availability ??= (async () => {
    if (!denoBinary()) return 'no deno binary (the deno devDependency, or $KILN_DENO)';
    try {
      const b = bridge();
      await b.request({ id: b.id(), op: 'probe' });
      return undefined;
    } catch (e) {
      return `no WebGPU adapter in Deno: ${(e as Error).message}`;
    }
  })());
}

/** Compiles `m` and loads it in the Deno host; inputs and outputs by position. */
export async function prepareWebGpu(m: Module, opts: CompileOptions = {}): Promise<Executable & { wgsl: Map<string, string> }> {
  const { program } = compileProgram(m, opts);
  const art = compileWgsl(program);
  const b = bridge();
  const loaded = await b.request(
    { id: b.id(), op: 'load', manifest: art.manifest, shaders: Object.fromEntries(art.shaders) },
    art.weights ? [art.weights] : [],
  );
  const model = loaded.reply.model!;
  return {
    wgsl: art.shaders,
    run: async (args: readonly Literal[]) => {
      const inputs = inputBytes(program, args).map(({ bytes }) => bytes);
      const r = await b.request({ id: b.id(), op: 'run', model, inputs: inputs.map((x) => x.byteLength) }, inputs);
      const blobs = splitBlobs(r.payload, r.reply.outputs ?? []);
      return resultLiteral(m.entry.root.shape, blobs.map((bytes, i) => readOutput(program, i, bytes, 0)));
    },
  };
}

export const webgpuBackend: Backend = {
  name: 'webgpu',
  unavailable: webgpuUnavailable,
  prepare: async (m) => {
    const exe = await prepareWebGpu(m);
    return { run: (args) => exe.run(args) };
  },
};
