// A model and the arguments to run it on, for the commands that run one (run, compare,
// bench). With ONNX models the arrays given with --input do more than feed parameters:
// they give the dims the model leaves symbolic, and an input an op needs at compile time
// (Reshape's shape, TopK's k) is bound to its array, as --bind would, with a note.
import type { Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { NeedsConstant } from '../frontends/onnx/errors.js';
import { sanitize } from '../frontends/onnx/import.js';
import { loadModel, type LoadedModule, type LoadOptions, type OnnxFile, type OnnxInput, openOnnx } from '../load.js';
import { loadOptions, seedOf } from './flags.js';
import { entryArgs, type Given, givenInputs } from './inputs.js';
import type { Values } from './options.js';

export interface ModelWithInputs {
  module: Module;
  outputNames?: string[];
  /** One per entry parameter. */
  args: Literal[];
}

/** A model file with the import options of `v` (`opt`, `compile`, `import`: no inputs to run on). */
export function loadWithOptions(file: string, v: Values): LoadedModule {
  if (!file.endsWith('.onnx')) return loadModel(file, loadOptions(v));
  const onnx = openOnnx(file);
  return onnx.load(loadOptions(v, onnx.inputs.map((i) => i.name)));
}

/** `note` receives one line per input bound at compile time. */
export function modelWithInputs(file: string, v: Values, note: (line: string) => void): ModelWithInputs {
  const specs = (v.input as string[] | undefined) ?? [];
  if (!file.endsWith('.onnx')) {
    const { module } = loadModel(file, loadOptions(v));
    const given = givenInputs(specs, module.entry.params.map((p) => p.name));
    return { module, args: entryArgs(module, module.entry.params.map((_, i) => given.get(i)), seedOf(v)) };
  }
  const onnx = openOnnx(file);
  // With --weights-as-params the (float) weights are parameters too, after the inputs.
  const names = [...onnx.inputs.map((i) => i.name), ...(v['weights-as-params'] ? onnx.weights : [])];
  const byIndex = givenInputs(specs, names, names.map(sanitize));
  const given = new Map([...byIndex].map(([i, g]) => [names[i], g]));
  const opts = loadOptions(v, names);
  dimsFromArrays(opts, onnx.inputs, given);
  const loaded = importBinding(onnx, opts, given, note);
  const args = entryArgs(loaded.module, loaded.inputNames!.map((n) => given.get(n)), seedOf(v));
  return { module: loaded.module, outputNames: loaded.outputNames, args };
}

/**
 * Dims for --shape from the arrays given, for inputs whose dims the model leaves symbolic
 * or unknown and that have no --shape: where the array agrees with every dim the model
 * fixes. Where it does not, the parameter's check names the mismatch.
 */
function dimsFromArrays(opts: LoadOptions, inputs: readonly OnnxInput[], given: ReadonlyMap<string, Given>): void {
  const shapes = opts.onnx!.shapes as Record<string, readonly number[]>;
  for (const { name, dims } of inputs) {
    const array = given.get(name)?.array.shape.dims;
    if (!array || shapes[name] || (dims && dims.every((d) => d !== undefined))) continue;
    if (!dims || (dims.length === array.length && dims.every((d, i) => d === undefined || d === array[i]))) shapes[name] = array;
  }
}

/**
 * Imports the model; while an op needs the values of inputs that were given, binds them
 * (as --bind does) and imports again. Each round binds at least one more input, so it ends.
 */
function importBinding(onnx: OnnxFile, opts: LoadOptions, given: ReadonlyMap<string, Given>, note: (line: string) => void): LoadedModule {
  const constants = opts.onnx!.constants as Record<string, Given['array']>;
  for (;;) {
    try {
      return onnx.load(opts);
    } catch (e) {
      if (!(e instanceof NeedsConstant)) throw e;
      const names = e.inputs.filter((n) => !(n in constants));
      if (names.length === 0 || !names.every((n) => given.has(n))) throw e;
      for (const n of names) {
        const { path, array } = given.get(n)!;
        constants[n] = array;
        note(`input '${n}' is bound at compile time to ${path}, as --bind ${n}=${path} would: ${e.node} needs its values`);
      }
    }
  }
}
