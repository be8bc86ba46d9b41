// What the kiln commands accept, as tables: each option's type (for node:util's
// parseArgs) and its help line. main.ts parses with these tables and help.ts writes each
// command's help from them, so an option the parser takes is always in the help.
import type { ParseArgsConfig } from 'node:util';
import { BACKENDS } from '../backend.js';
import { DEFAULT_TARGET, TARGETS, targetNames } from '../targets.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** What the value looks like in help: `SEED`, `NAME=PATH.npy`. */
  readonly arg?: string;
  readonly help: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface Command {
  readonly summary: string;
  /** The positional arguments as help shows them: `FILE`, `[DIR]`. */
  readonly args: string;
  /** What the command does, for its help (the options have their own lines). */
  readonly about: string;
  readonly options: OptionTable;
  /** Returns the exit code. */
  run(positionals: string[], values: Values): Promise<number>;
}

/** The parseArgs options of a table. */
export function parseConfig(table: OptionTable): NonNullable<ParseArgsConfig['options']> {
  // parseArgs rejects keys it does not know, and `short: undefined`.
  const config = ({ type, multiple, short }: OptionSpec) => ({ type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}) });
  return Object.fromEntries(Object.entries(table).map(([name, o]) => [name, config(o)]));
}

/** How ONNX models are imported: `--shape x=1,3,224,224`, `--dim batch=8`, `--bind`, `--weights-as-params`. */
export const modelOptions: OptionTable = {
  shape: { type: 'string', multiple: true, arg: 'NAME=D0,D1,...', help: "an ONNX input's dims, where the model leaves them symbolic or unknown" },
  dim: { type: 'string', multiple: true, arg: 'SYMBOL=N', help: 'binds a symbolic ONNX dimension (batch) in every input that uses it' },
  bind: {
    type: 'string', multiple: true, arg: 'NAME=PATH.npy',
    help: "fixes an ONNX input's values at compile time: one that an op needs as numbers (Reshape's shape, Slice's starts, TopK's k)",
  },
  'weights-as-params': { type: 'boolean', help: 'makes float initializers trailing parameters instead of constants (to swap weights without recompiling)' },
};

/** Inputs of `run`, `compare` and `bench`, and the model options. */
export const inputOptions: OptionTable = {
  input: {
    type: 'string', multiple: true, arg: 'NAME=PATH.npy',
    help: "an input's values from a NumPy file; NAME is the input's name (an ONNX name as the model writes it, or " +
      "kiln's parameter name) or its number. An ONNX input's symbolic dims are taken from the array, and an input an op " +
      'needs at compile time is bound to it (with a note)',
  },
  random: { type: 'string', arg: 'SEED', help: 'seed of the values of inputs not given (default 0): floats in [-1,1), signed ints in [-8,8), unsigned in [0,16)' },
  ...modelOptions,
};

/** `--backend`: the names come from the backends table itself. `fallback` undefined: required. */
export const backendOption = (fallback?: string): OptionTable => ({
  backend: { type: 'string', arg: BACKENDS.map((b) => b.name).join('|'), help: `where to run (${fallback ? `default ${fallback}` : 'required'})` },
});

/** `--target`: the names and what each makes come from the targets table (compiler/targets.ts). */
export const targetOption: OptionTable = {
  target: {
    type: 'string', arg: targetNames().join('|'),
    help: `what to compile for (default ${DEFAULT_TARGET}): ${Object.entries(TARGETS).map(([name, t]) => `${name}, ${t.summary}`).join('; ')}`,
  },
};

/** How a model is compiled to wasm: `compile` and `bench`. */
export const wasmOptions: OptionTable = {
  'relaxed-simd': {
    type: 'boolean',
    help: "also builds model.relaxed.wasm, whose dots and convolutions use relaxed SIMD's fused multiply-add, for engines " +
      'that have it (Chrome 114+, Node 22+, Node 20 with --experimental-wasm-relaxed-simd); the two share weights.bin',
  },
  'no-fusion': { type: 'boolean', help: 'compiles every instruction as a kernel of its own (no fusion pass)' },
  binaryen: {
    type: 'string', arg: 'none|cleanup|full',
    help: "the binaryen passes: 'cleanup' (default) a few cheap ones that shrink the code; 'full' -O3, slower to compile and measured no faster",
  },
};

/** `kiln bench`'s timed and untimed runs when not given. */
export const BENCH_DEFAULTS = { reps: 20, warmup: 5 } as const;
