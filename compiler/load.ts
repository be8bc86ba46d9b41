// Loading a model file into a verified Module, with errors that say what and where.
import { readFileSync } from 'node:fs';
import { isEngineError } from '../ir/bugs.js';
import type { Module } from '../ir/module.js';
import { HloParseError, parseHlo } from './frontends/hlo/index.js';
import { NeedsConstant, OnnxError, OnnxUnsupported } from './frontends/onnx/errors.js';
import { importModel, type ImportOptions } from './frontends/onnx/import.js';
import { readModel } from './frontends/onnx/file.js';
import type { ValueInfoProto } from './frontends/onnx/proto/onnx_pb.js';
import { InputError } from './errors.js';
import { verified as verifiedModule } from './verified.js';

export { InputError } from './errors.js';

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export interface LoadOptions {
  verify?: boolean;
  /** For ONNX models: symbolic dimension bindings and weights as parameters. */
  onnx?: ImportOptions;
}

export interface LoadedModule {
  module: Module;
  /** Output names when the format has them (ONNX), in root order. */
  outputNames?: string[];
  /** ONNX: the names of the inputs (and weights made parameters) the entry's parameters are, in order. */
  inputNames?: string[];
}

/** Parse and verify a model file. */
export function loadModule(path: string, opts: LoadOptions = {}): Module {
  return loadModel(path, opts).module;
}

/** A model file as a verified Module: `.onnx` files are imported, anything else is HLO text. */
export function loadModel(path: string, opts: LoadOptions = {}): LoadedModule {
  if (path.endsWith('.onnx')) return openOnnx(path).load(opts);
  const text = readText(path);
  let m: Module;
  try {
    m = parseHlo(text, path);
  } catch (e) {
    // Only the parser's own errors are bad input; anything else is a kiln bug (exit 70), not the file's fault.
    if (e instanceof HloParseError) throw new InputError(e.message);
    throw e;
  }
  return { module: verified(m, path, opts) };
}

/** A graph input of an ONNX model: its name, and its dims where the model fixes them (undefined where symbolic or unknown). */
export interface OnnxInput {
  name: string;
  /** Undefined when the model does not give the rank. */
  dims?: (number | undefined)[];
}

/** An ONNX model read once and imported as often as asked (`kiln run` imports again with inputs bound). */
export interface OnnxFile {
  /** Graph inputs that are not initializers, in the model's order. */
  inputs: OnnxInput[];
  /** Initializer names, in the model's order (parameters after the inputs with --weights-as-params). */
  weights: string[];
  load(opts?: LoadOptions): LoadedModule;
}

export function openOnnx(path: string): OnnxFile {
  const model = onnxErrors(() => readModel(path));
  const inits = new Set(model.proto.graph?.initializer.map((t) => t.name));
  const inputs = (model.proto.graph?.input ?? []).filter((vi) => !inits.has(vi.name)).map((vi) => ({ name: vi.name, dims: declaredDims(vi) }));
  const load = (opts: LoadOptions = {}): LoadedModule => onnxErrors(() => {
    const imported = importModel(model, opts.onnx);
    return { module: verified(imported.module, path, opts), outputNames: imported.outputs, inputNames: imported.inputs };
  });
  return { inputs, weights: [...inits], load };
}

function declaredDims(vi: ValueInfoProto): (number | undefined)[] | undefined {
  const tt = vi.type?.value.case === 'tensorType' ? vi.type.value.value : undefined;
  return tt?.shape?.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : undefined));
}

/** ONNX errors as exit codes want them: bad input, except what kiln lacks (exit code 4) and inputs to bind, which stay themselves. */
function onnxErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OnnxError && !(e instanceof OnnxUnsupported) && !(e instanceof NeedsConstant)) throw new InputError(e.message);
    throw e;
  }
}

function verified(m: Module, path: string, opts: LoadOptions): Module {
  return verifiedModule(m, path, opts.verify !== false);
}

export { locate } from './verified.js';
