// The webgpu backend: compile (passes, lowering, targets/wgsl) and run through the runtime
// an artifact ships (runtime/webgpu), on Deno's WebGPU in a child process (Node has none):
// compiler/webgpu/bridge.ts. Unavailable where there is no deno binary or no adapter.
import type { ArrayLiteral, Literal } from '../ir/literal.js';
import type { ArrayShape } from '../ir/shape.js';
import type { TargetDescription } from '../ir/target.js';
import { narrowInterface, type NarrowedInterface, saturateToNarrow, widenFromNarrow } from '../passes/narrow_int64_interface.js';
import { pipelineFor, runPasses } from '../passes/pipeline.js';
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
  const target = opts.target ?? WGSL_TARGET;
  const narrowed = target.capabilities.int64 ? { module: m, results: [] } : narrowedInterface(m, target);
  const { program } = compileProgram(narrowed.module, { target, ...opts });
  const loaded = await loadWebGpuProgram(program);
  const io = boundaryConversions(narrowed);
  return {
    program: loaded,
    run: async (args: readonly Literal[]) => {
      const outputs = await loaded.run(inputBytes(program, io.upload(args)).map(({ bytes }) => bytes));
      return resultLiteral(m.entry.root.shape, outputs.map((bytes, i) => io.readBack(i, readOutput(program, i, bytes, 0))));
    },
  };
}

/**
 * `m` with its saturated int64 parameters and narrowed int64 results moved to 32 bits
 * (passes/narrow_int64_interface.ts), so that no 64-bit convert at the boundary lands in a
 * kernel. narrow-int64 reads ranges best after inlining and folding, so the passes before
 * fusion run first; compileProgram then runs the whole pipeline again, which finds little
 * left to do (the 64-bit values that remain are those no range proof could narrow).
 */
function narrowedInterface(m: Module, target: TargetDescription): NarrowedInterface {
  const pipeline = pipelineFor(target);
  return narrowInterface(runPasses(m, pipeline.slice(0, pipeline.indexOf('narrow-int64') + 1)));
}

/**
 * The host's side of narrowedInterface: a parameter the device takes in 32 bits is
 * saturated into it, an output it gives in 32 bits is widened back, so callers see `m`'s
 * interface, bit for bit.
 */
function boundaryConversions({ module: device, results }: NarrowedInterface) {
  const paramDtype = (i: number): string | undefined => (device.entry.params[i]?.shape.kind === 'array' ? (device.entry.params[i].shape as ArrayShape).dtype : undefined);
  return {
    upload: (args: readonly Literal[]): Literal[] => args.map((a, i) => {
      const d = paramDtype(i);
      return 'data' in a && a.shape.dtype !== d && (d === 's32' || d === 'u32') ? saturateToNarrow(a, d) : a;
    }),
    readBack: (i: number, x: ArrayLiteral): ArrayLiteral => (results[i] ? widenFromNarrow(x, results[i]) : x),
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
