// What the kiln commands share: the Command shape, the options every model-reading
// command takes (ONNX import options, inputs), and checks of their values. Kept apart
// from commands.ts so that commands in files of their own (bench.ts) can use them.
import type { ParseArgsConfig } from 'node:util';
import type { ArrayLiteral } from '../../ir/literal.js';
import { findBackend, UsageError } from '../backend.js';
import type { WasmOptimize } from '../../targets/wasm/index.js';
import type { LoadOptions } from '../load.js';
import { readNpyFile } from './inputs.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code. */
  run(positionals: string[], values: Values): Promise<number>;
}

export const seedOf = (v: Values): number => {
  const s = Number(v.random ?? 0);
  if (!Number.isInteger(s) || s < 0) throw new UsageError(`--random wants a non-negative integer seed, got '${v.random}'`);
  return s;
};

export const one = (positionals: string[], what: string): string => {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${positionals.length}`);
  return positionals[0];
};

/** How ONNX models are imported: `--shape x=1,3,224,224`, `--dim batch=8`, `--weights-as-params`. */
export const modelOptions = {
  shape: { type: 'string', multiple: true },
  dim: { type: 'string', multiple: true },
  bind: { type: 'string', multiple: true },
  'weights-as-params': { type: 'boolean' },
} as const;

export const MODEL_USAGE = `  FILE is HLO text, or an ONNX model (.onnx). For ONNX: --shape NAME=D0,D1,... gives an
  input's dims, --dim SYMBOL=N binds a symbolic dimension everywhere, --bind NAME=PATH.npy
  fixes an input's values at compile time (a shape, axes or scales fed as an input),
  --weights-as-params makes float initializers trailing parameters instead of constants.`;

export function loadOptions(v: Values): LoadOptions {
  const shapes: Record<string, number[]> = {};
  for (const spec of (v.shape as string[] | undefined) ?? []) {
    const [name, dims] = splitPair(spec, '--shape', 'NAME=D0,D1,...');
    shapes[name] = dims === '' ? [] : dims.split(',').map((d) => count(d, `--shape ${spec}`));
  }
  const dims: Record<string, number> = {};
  for (const spec of (v.dim as string[] | undefined) ?? []) {
    const [name, n] = splitPair(spec, '--dim', 'SYMBOL=N');
    dims[name] = count(n, `--dim ${spec}`);
  }
  const constants: Record<string, ArrayLiteral> = {};
  for (const spec of (v.bind as string[] | undefined) ?? []) {
    const [name, path] = splitPair(spec, '--bind', 'NAME=PATH.npy');
    constants[name] = readNpyFile(path);
  }
  return { onnx: { shapes, dims, constants, weightsAsParameters: Boolean(v['weights-as-params']) } };
}

function splitPair(spec: string, flag: string, form: string): [string, string] {
  const eq = spec.lastIndexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} wants ${form}, got '${spec}'`);
  return [spec.slice(0, eq), spec.slice(eq + 1)];
}

function count(text: string, where: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`${where}: '${text}' is not a dimension size`);
  return n;
}

/** A flag's whole-number value, at least `min`; `fallback` when the flag is absent. */
export function integerFlag(v: Values, flag: string, fallback: number, min: number): number {
  const text = v[flag];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (typeof text !== 'string' || !/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${flag} wants a whole number ≥ ${min}, got '${String(text)}'`);
  return n;
}

const BINARYEN_LEVELS: readonly WasmOptimize[] = ['none', 'cleanup', 'full'];

/** --binaryen LEVEL: what binaryen does to the module (targets/wasm's WasmOptimize). */
export function binaryenFlag(v: Values): WasmOptimize | undefined {
  const text = v.binaryen;
  if (text === undefined) return undefined;
  const level = BINARYEN_LEVELS.find((l) => l === text);
  if (!level) throw new UsageError(`--binaryen wants one of ${BINARYEN_LEVELS.join(', ')}, got '${String(text)}'`);
  return level;
}

export const BINARYEN_USAGE = `  --binaryen none|cleanup|full: the binaryen passes run on the module. 'cleanup' (the
  default) runs a few cheap ones that shrink the code; 'full' runs -O3, which costs up to
  a second more and measured no faster here.`;

export const RELAXED_SIMD_USAGE = `  --relaxed-simd also builds model.relaxed.wasm: dots and convolutions with relaxed
  SIMD's fused multiply-add (f32x4.relaxed_madd), for engines that have it (Chrome 114+,
  Node 22+, Node 20 run with --experimental-wasm-relaxed-simd). The runtime's wasmFile()
  picks the module an engine can run; the two share weights.bin.`;

export const inputOptions = {
  input: { type: 'string', multiple: true },
  random: { type: 'string' },
  ...modelOptions,
} as const;

export async function ensureAvailable(name: string): Promise<void> {
  const why = await findBackend(name).unavailable();
  if (why) throw new UsageError(`backend ${name} is not available here: ${why}`);
}
