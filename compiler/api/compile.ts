// compile(model, options): a model (a Module, HLO text or ONNX bytes) through the same
// path as `kiln compile` and `kiln run --backend B` (compiler/backend.ts's backends), in
// memory, as an Executable that takes and gives typed arrays. Everything of the compiler
// is imported when compile() runs, not when the library is imported, and binaryen only for
// the wasm backend. No node: module is imported here (ONNX external data aside), so the
// library bundles for a browser.
import type { Module } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { ARRAY_OF, ELEMENT_BYTES, elementCount, type DType } from '../../runtime/core/dtype.js';
import { inputBytes } from '../../runtime/core/inputs.js';
import type { Model as WasmModel } from '../../runtime/wasm/index.js';
import { InputError, Unavailable, UsageError } from '../errors.js';
import { KilnError } from './errors.js';
import type { BackendName, CompileOptions, Executable, Inputs, Output, TensorInfo, TypedArray } from './types.js';

const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'webgpu', 'interpreter', 'kernels'];

/**
 * Compiles `model` for `options.backend` (default 'wasm') and loads it. `model` is HLO
 * text (a string), an ONNX model's bytes (a Uint8Array) or a Module. A failure is a
 * KilnError whose `code` is the exit code `kiln` gives the same failure.
 */
export async function compile(model: Module | string | Uint8Array, options: CompileOptions = {}): Promise<Executable> {
  try {
    if (typeof options !== 'object' || options === null) throw new UsageError(`compile's options are an object, got ${options === null ? 'null' : typeof options}`);
    return await compileModel(model, options);
  } catch (e) {
    throw await asKilnError(e);
  }
}

/** `e` as the CLI classifies it (compiler/exit_codes.ts), loaded only when something failed. */
export async function asKilnError(e: unknown): Promise<KilnError> {
  if (e instanceof KilnError) return e;
  const { classify } = await import('../exit_codes.js');
  const f = classify(e);
  // classify gives a kiln bug's stack as its message, for the CLI to print; here the cause holds it.
  return new KilnError(f.code, f.kind, f.code === 70 ? String((e as Error)?.message ?? e) : f.message, { cause: e });
}

/** A model as a verified Module, with the names its inputs and outputs go by. */
interface Loaded {
  module: Module;
  /** ONNX: the graph's input names, one per parameter (the parameters are their sanitised forms). */
  inputNames?: readonly string[];
  outputNames?: readonly string[];
}

async function compileModel(model: Module | string | Uint8Array, options: CompileOptions): Promise<Executable> {
  const backend = options.backend ?? 'wasm';
  if (!BACKEND_NAMES.includes(backend)) throw new UsageError(`unknown backend '${String(backend)}' (known: ${BACKEND_NAMES.join(', ')})`);
  const threads = options.threads ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) throw new UsageError(`threads wants a whole number ≥ 1, got ${String(threads)}`);
  if (threads > 1 && backend !== 'wasm') throw new UsageError(`threads applies to the wasm backend only, not ${backend}`);
  // The webgpu backend drives WebGPU from Node through a Deno child process (compiler/webgpu/bridge.ts).
  if (backend === 'webgpu' && !isNode())
    throw new Unavailable('backend webgpu is not available here: it runs WebGPU through Deno from Node; a page\'s own GPUDevice is not taken yet');
  const loaded = await load(model, options);
  const io = await interfaceOf(loaded);
  if (options.aliases !== undefined) (await import('../aliases.js')).checkAliases(loaded.module, options.aliases);
  const { findBackend } = await import('../backend.js');
  const why = await findBackend(backend).unavailable();
  if (why) throw new Unavailable(`backend ${backend} is not available here: ${why}`);
  const m = loaded.module;
  const prepared = await prepare(backend, m, options, threads);
  let disposed = false;
  return {
    backend,
    inputs: Object.freeze(io.inputs),
    outputs: Object.freeze(io.outputs),
    run: async (inputs) => {
      try {
        if (disposed) throw new UsageError(`${m.name}: run() after dispose()`);
        const arrays = ordered(io, inputs).map((x, i) => checked(backend, io.inputs[i], x));
        const out = await prepared.run(arrays);
        return Object.fromEntries(io.outputs.map((t, i) => [t.name, { ...t, data: out[i] } satisfies Output]));
      } catch (e) {
        throw await asKilnError(e);
      }
    },
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await prepared.dispose();
    },
  };
}

const isNode = (): boolean => typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function load(model: Module | string | Uint8Array, options: CompileOptions): Promise<Loaded> {
  const name = options.name ?? '<model>';
  const { verified } = await import('../verified.js');
  if (typeof model === 'string') {
    const { parseHlo } = await import('../frontends/hlo/index.js');
    return { module: verified(parseHlo(model, name), name) };
  }
  if (model instanceof Uint8Array) {
    const { importOnnx } = await import('../frontends/onnx/import.js');
    const imported = importOnnx(model, name, options.onnx);
    return { module: verified(imported.module, name), inputNames: imported.inputs, outputNames: imported.outputs };
  }
  if (typeof model === 'object' && model !== null && 'entry' in model && 'computations' in model) return { module: verified(model, model.name ?? name) };
  throw new UsageError(`compile takes HLO text (a string), ONNX bytes (a Uint8Array) or a Module, got ${model === null ? 'null' : typeof model}`);
}

/** The inputs and outputs of the entry, as array leaves named as an artifact names them. */
interface Interface {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Other names an input answers to (an ONNX input's parameter name), by position. */
  aliases: string[];
  /** Every name an input answers to: made once, since each run checks the names it is given. */
  known: ReadonlySet<string>;
}

async function interfaceOf({ module: m, inputNames, outputNames }: Loaded): Promise<Interface> {
  const [{ ioNames }, { leaves }] = await Promise.all([import('../../passes/lower/io_names.js'), import('../../ir/shape.js')]);
  const names = { ...ioNames(m), inputShapes: m.entry.params.flatMap((p) => leaves(p.shape)), outputShapes: leaves(m.entry.root.shape) };
  const info = (shapes: readonly ArrayShape[], given: readonly string[] | undefined, own: readonly string[], what: string): TensorInfo[] =>
    shapes.map((s, i) => {
      const name = given?.length === shapes.length ? given[i] : own[i];
      if (!Object.hasOwn(ARRAY_OF, s.dtype))
        throw new KilnError(4, 'not compiled', `${m.name}: ${what} '${name}' is ${s.dtype}, which no typed array holds`);
      // Frozen: every run's outputs share them.
      return Object.freeze({ name, dtype: s.dtype as DType, dims: Object.freeze([...s.dims]) });
    });
  const inputs = info(names.inputShapes, inputNames, names.inputs, 'input');
  return {
    inputs,
    outputs: info(names.outputShapes, outputNames, names.outputs, 'output'),
    aliases: [...names.inputs],
    known: new Set([...inputs.map((t) => t.name), ...names.inputs]),
  };
}

/** The input names, for an error message. */
const inputList = (io: Interface): string => io.inputs.map((t) => t.name).join(', ');

/** The arrays in input order, from an array (by position) or an object (by name). */
function ordered(io: Interface, given: Inputs): unknown[] {
  if (Array.isArray(given)) {
    if (given.length !== io.inputs.length) throw new InputError(`the model takes ${io.inputs.length} inputs (${inputList(io)}), got ${given.length}`);
    return given;
  }
  if (typeof given !== 'object' || given === null || ArrayBuffer.isView(given))
    throw new InputError(`run takes an object of inputs by name or an array of them by position, got ${given === null ? 'null' : typeof given}`);
  const byName = given as Readonly<Record<string, TypedArray>>;
  for (const k of Object.keys(byName)) if (!io.known.has(k)) throw new InputError(`no input named '${k}' (inputs: ${inputList(io)})`);
  return io.inputs.map((t, i) => {
    const x = Object.hasOwn(byName, t.name) ? byName[t.name] : Object.hasOwn(byName, io.aliases[i]) ? byName[io.aliases[i]] : undefined;
    if (x === undefined) throw new InputError(`input '${t.name}' is missing (inputs: ${inputList(io)})`);
    return x;
  });
}

/** `x` checked as the runtimes check their inputs (its typed array and element count), as bad input. */
function checked(backend: string, t: TensorInfo, x: unknown): TypedArray {
  try {
    inputBytes(backend, { ...t, bytes: elementCount(t.dims) * ELEMENT_BYTES[t.dtype] }, x);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  return x as TypedArray;
}

/** A loaded model on a backend: typed arrays in input order in, output order out. */
export interface Prepared {
  run(inputs: readonly TypedArray[]): Promise<TypedArray[]>;
  dispose(): Promise<void>;
  /** wasm: the runtime's model, for staged runs over donated inputs (trace/resident.ts). */
  model?: WasmModel;
}

/** A loaded wasm model as a Prepared: the runtime takes and gives the same typed arrays, no conversion. */
export function wasmPrepared(model: WasmModel): Prepared {
  return {
    run: async (inputs) => {
      const out = await model.run(inputs);
      return model.manifest.outputs.map((t) => out[t.name]);
    },
    dispose: async () => model.dispose(),
    model,
  };
}

/** A verified module loaded on `backend`, without compile()'s naming and checks (the tracer's path). */
export async function prepare(backend: BackendName, m: Module, options: CompileOptions, threads: number): Promise<Prepared> {
  if (backend === 'wasm') {
    await (await import('./plain_binaryen.js')).loadBinaryenPlainly();
    const { prepareWasm } = await import('../wasm_backend.js');
    const { model } = await prepareWasm(m, { threads, fusion: options.fusion, relaxedSimd: options.relaxedSimd, aliases: options.aliases });
    return wasmPrepared(model);
  }
  const convert = await import('./literals.js');
  if (backend === 'webgpu') {
    const { prepareWebGpu } = await import('../webgpu_backend.js');
    const exe = await prepareWebGpu(m, { fusion: options.fusion });
    return { run: async (inputs) => convert.fromLiteral(await exe.run(convert.toLiterals(m, inputs))), dispose: () => exe.program.dispose() };
  }
  const { findBackend } = await import('../backend.js');
  const exe = await findBackend(backend).prepare(m);
  return { run: async (inputs) => convert.fromLiteral(await exe.run(convert.toLiterals(m, inputs))), dispose: async () => {} };
}
