// The webgpu backend: compile (passes, lowering, targets/wgsl) and run through the runtime
// an artifact ships (runtime/webgpu), on Deno's WebGPU in a child process (Node has none):
// compiler/webgpu/bridge.ts. Unavailable where there is no deno binary or no adapter.
import type { Literal } from '../ir/literal.js';
import type { Module } from '../ir/module.js';
import { launchesOf, type Program } from '../ir/kernel/kernel.js';
import { compileWgsl, NotSupported } from '../targets/wgsl/index.js';
import { WGSL_TARGET } from '../targets/wgsl/target.js';
import { loopNestIterations } from '../targets/wgsl/schedule.js';
import type { Backend, Executable } from './backend.js';
import { compileProgram, type CompileOptions } from './compile.js';
import { inputBytes, readOutput, resultLiteral } from './program_io.js';
import { bridge, denoBinary } from './webgpu/bridge.js';
import { splitBlobs } from './webgpu/protocol.js';

let availability: Promise<string | undefined> | undefined;
/** The adapter the Deno host found (its description), once probed. */
let adapter: string | undefined;

/** The adapter's description, once webgpuUnavailable() found one. */
export const webgpuAdapter = (): string | undefined => adapter;

/**
 * Mesa's llvmpipe (lavapipe, the CPU Vulkan driver: this backend's device where there is
 * no GPU) leaves every loop nest after 65535 iterations without a word (gallivm's
 * LP_MAX_TGSI_LOOP_ITERATIONS), which would return wrong results: such kernels are
 * refused there instead.
 */
export const LLVMPIPE_LOOP_LIMIT = 65535;

function checkLoopLimit(program: Program): void {
  if (!adapter || !/llvmpipe/i.test(adapter)) return;
  for (const l of launchesOf(program.steps)) {
    const k = program.kernels[l.kernel];
    const n = k ? loopNestIterations(k) : 0;
    if (n > LLVMPIPE_LOOP_LIMIT)
      throw new NotSupported(`${k.name}: a loop nest of ${n} iterations per invocation; ${adapter} stops every loop nest after ${LLVMPIPE_LOOP_LIMIT}, silently`);
  }
}

/** Why WebGPU cannot run here (checked once: a deno binary, then an adapter), or undefined. */
export function webgpuUnavailable(): Promise<string | undefined> {
  return (availability ??= (async () => {
    if (!denoBinary()) return `no deno binary (the deno devDependency, or $KILN_DENO${process.env.KILN_DENO ? `: ${process.env.KILN_DENO} does not exist` : ''})`;
    try {
      const b = bridge();
      adapter = (await b.request({ id: b.id(), op: 'probe' })).reply.adapter;
      return undefined;
    } catch (e) {
      return `no WebGPU adapter in Deno: ${(e as Error).message}`;
    }
  })());
}

/** A program loaded in the Deno host: run with each input's bytes in order, get each output's bytes. */
export interface WebGpuProgram {
  readonly wgsl: ReadonlyMap<string, string>;
  run(inputs: readonly Uint8Array[]): Promise<Uint8Array[]>;
  dispose(): Promise<void>;
}

/** Renders `program` with targets/wgsl and loads it with runtime/webgpu in the Deno host. */
export async function loadWebGpuProgram(program: Program): Promise<WebGpuProgram> {
  const art = compileWgsl(program);
  const why = await webgpuUnavailable();
  if (why) throw new Error(`webgpu: ${why}`);
  checkLoopLimit(program);
  const b = bridge();
  const loaded = await b.request(
    { id: b.id(), op: 'load', manifest: art.manifest, shaders: Object.fromEntries(art.shaders) },
    art.weights ? [art.weights] : [],
  );
  const model = loaded.reply.model!;
  return {
    wgsl: art.shaders,
    run: async (inputs) => {
      const r = await b.request({ id: b.id(), op: 'run', model, inputs: inputs.map((x) => x.byteLength) }, inputs);
      return splitBlobs(r.payload, r.reply.outputs ?? []);
    },
    dispose: async () => { await b.request({ id: b.id(), op: 'dispose', model }); },
  };
}

/** Compiles `m` and loads it in the Deno host; inputs and outputs by position. */
export async function prepareWebGpu(m: Module, opts: CompileOptions = {}): Promise<Executable & { program: WebGpuProgram }> {
  const { program } = compileProgram(m, { target: WGSL_TARGET, ...opts });
  const loaded = await loadWebGpuProgram(program);
  return {
    program: loaded,
    run: async (args: readonly Literal[]) => {
      const outputs = await loaded.run(inputBytes(program, args).map(({ bytes }) => bytes));
      return resultLiteral(m.entry.root.shape, outputs.map((bytes, i) => readOutput(program, i, bytes, 0)));
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
