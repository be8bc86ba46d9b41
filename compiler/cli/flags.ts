// Option values, checked: a mistake in one is a UsageError (exit code 2) that says what
// the option wants.
import type { ArrayLiteral } from '../../ir/literal.js';
import type { WasmOptimize } from '../../targets/wasm/index.js';
import { findBackend } from '../backend.js';
import { Unavailable, UsageError } from '../errors.js';
import type { LoadOptions } from '../load.js';
import { DEFAULT_TARGET, isTargetName, targetNames, type TargetName } from '../targets.js';
import { readNpyFile, splitNamed } from './inputs.js';
import type { Values } from './options.js';

export const seedOf = (v: Values): number => {
  const s = Number(v.random ?? 0);
  if (!Number.isInteger(s) || s < 0) throw new UsageError(`--random wants a non-negative integer seed, got '${v.random}'`);
  return s;
};

export const one = (positionals: string[], what: string): string => {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${positionals.length}`);
  return positionals[0];
};

/**
 * The ONNX import options of --shape, --dim, --bind and --weights-as-params. `inputs`,
 * the model's input names, let a --bind name hold `=` (see splitNamed).
 */
export function loadOptions(v: Values, inputs: readonly string[] = []): LoadOptions {
  const shapes: Record<string, number[]> = {};
  for (const spec of (v.shape as string[] | undefined) ?? []) {
    const [name, dims] = splitLast(spec, '--shape', 'NAME=D0,D1,...');
    shapes[name] = dims === '' ? [] : dims.split(',').map((d) => count(d, `--shape ${spec}`));
  }
  const dims: Record<string, number> = {};
  for (const spec of (v.dim as string[] | undefined) ?? []) {
    const [name, n] = splitLast(spec, '--dim', 'SYMBOL=N');
    dims[name] = count(n, `--dim ${spec}`);
  }
  const constants: Record<string, ArrayLiteral> = {};
  for (const spec of (v.bind as string[] | undefined) ?? []) {
    const [name, path] = splitNamed(spec, '--bind', 'NAME=PATH.npy', new Set(inputs));
    constants[name] = readNpyFile(path);
  }
  return { onnx: { shapes, dims, constants, weightsAsParameters: Boolean(v['weights-as-params']) } };
}

/** Dims and sizes never hold `=`, so the name is everything before the last one. */
function splitLast(spec: string, flag: string, form: string): [string, string] {
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

/** --target NAME: a target of compiler/targets.ts (default wasm); another name is a usage error listing them. */
export function targetFlag(v: Values): TargetName {
  const name = v.target ?? DEFAULT_TARGET;
  if (typeof name !== 'string' || !isTargetName(name)) throw new UsageError(`--target: unknown target '${String(name)}'; known: ${targetNames().join(', ')}`);
  return name;
}

/** Refuses a backend this machine cannot run (exit code 5: no WebGPU adapter, no deno), saying why. */
export async function ensureAvailable(name: string): Promise<void> {
  const why = await findBackend(name).unavailable();
  if (why) throw new Unavailable(`backend ${name} is not available here: ${why}`);
}
