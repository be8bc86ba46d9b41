// Arrays in and out of the CLI: `NAME=PATH.npy` arguments, entry arguments (given or
// deterministic random), and output files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ArrayLiteral, type Literal, arrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { valueRefusal } from '../../ir/interpret/util.js';
import { sameDims, shapeToString } from '../../ir/shape.js';
import { leavesOf } from '../compare.js';
import { InputError, UsageError } from '../errors.js';
import { NpyError, readNpyFile as readNpyPath, writeNpy } from '../io/npy.js';
import { randomLiteral, rng } from '../random.js';

/**
 * Splits `NAME=VALUE` where NAME may itself hold `=` (ONNX names can hold anything): at the
 * last `=` whose left side is one of `names`; with no such `=`, at the first one.
 */
export function splitNamed(spec: string, flag: string, form: string, names: ReadonlySet<string>): [string, string] {
  for (let eq = spec.lastIndexOf('='); eq > 0; eq = spec.lastIndexOf('=', eq - 1))
    if (names.has(spec.slice(0, eq))) return [spec.slice(0, eq), spec.slice(eq + 1)];
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} wants ${form}, got '${spec}'`);
  return [spec.slice(0, eq), spec.slice(eq + 1)];
}

/** An array given on the command line, and the file it came from (for messages). */
export interface Given {
  path: string;
  array: ArrayLiteral;
}

/**
 * `--input NAME=PATH` arguments by input: NAME is an input's name, one of its `aliases`
 * (kiln's parameter name of an ONNX input), or its number. Keys are indices into `names`.
 */
export function givenInputs(specs: readonly string[], names: readonly string[], aliases: readonly string[] = names): Map<number, Given> {
  const known = new Set([...names, ...aliases]);
  const given = new Map<number, Given>();
  for (const spec of specs) {
    const [key, path] = splitNamed(spec, '--input', 'NAME=PATH.npy', known);
    let index = names.indexOf(key);
    if (index < 0) index = aliases.indexOf(key);
    if (index < 0 && /^\d+$/.test(key) && Number(key) < names.length) index = Number(key);
    if (index < 0) throw new UsageError(`--input ${key}: no such parameter (parameters: ${names.map((p, i) => `${i}:${p}`).join(', ')})`);
    given.set(index, { path, array: readNpyFile(path) });
  }
  return given;
}

/**
 * One argument per entry parameter: the given array (checked against the parameter's
 * shape) or deterministic random values from `seed`.
 */
export function entryArgs(m: Module, given: readonly (Given | undefined)[], seed: number): Literal[] {
  for (const p of m.entry.params) { // inputs are interpreter values whatever the backend: refuse before making one
    const refused = valueRefusal(p.shape, `parameter ${p.name}`);
    if (refused) throw refused;
  }
  const next = rng(seed);
  return m.entry.params.map((p, i) => {
    const random = randomLiteral(p.shape, next); // drawn for every parameter so seeds stay stable
    const g = given[i];
    return g === undefined ? random : checkedInput(g, p.name, p.shape);
  });
}

function checkedInput({ path, array: l }: Given, param: string, shape: Module['entry']['params'][number]['shape']): Literal {
  if (shape.kind !== 'array') throw new UsageError(`parameter ${param} is a tuple; tuple inputs cannot come from .npy`);
  if (!sameDims(l.shape.dims, shape.dims))
    throw new InputError(`${path} has shape [${l.shape.dims.join(',')}], parameter ${param} wants ${shapeToString(shape, { layout: false })}`);
  if (l.shape.dtype === shape.dtype) return { shape, data: l.data };
  // bf16 travels as f32 in .npy (NumPy has no bf16); rounding it is the one lossless-by-design conversion.
  if (shape.dtype === 'bf16' && l.shape.dtype === 'f32') return arrayLiteral(shape, Array.from(l.data as Float64Array));
  throw new InputError(`${path} holds ${l.shape.dtype}, parameter ${param} wants ${shape.dtype}`);
}

/**
 * Write each output leaf as `<index>.npy` (`0.npy`, or `1.0.npy` inside nested tuples),
 * or as `<name>.npy` when the model names its outputs (ONNX), the name as outputFileName
 * writes it.
 */
export function writeOutputs(dir: string, result: Literal, names?: readonly string[]): string[] {
  mkdirSync(dir, { recursive: true });
  const leaves = leavesOf(result);
  return leaves.map(({ index, value }, k) => {
    const name = names && names.length === leaves.length ? outputFileName(names[k]) : `${index || '0'}`;
    const file = join(dir, `${name}.npy`);
    writeFileSync(file, writeNpy(value));
    return file;
  });
}

/**
 * An output's name as a file name: the name as the model writes it (the key of the
 * compiled model.js's outputs), with only what a file name cannot hold on Linux, macOS or
 * Windows written as `%XX`: `/ \ : * ? " < > |`, control characters, `%` itself (so the
 * mapping is one to one), a trailing dot or space, and the whole names `.` and `..`.
 * `onnx::Add_3` is written `onnx%3A%3AAdd_3.npy`.
 */
export function outputFileName(name: string): string {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  const s = name.replace(/[\x00-\x1f/\\:*?"<>|%]/g, hex);
  if (s === '.' || s === '..') return s.replace(/\./g, hex);
  return s.replace(/[. ]$/, hex);
}

/** A .npy file's array; unreadable or malformed files are InputErrors naming the path. */
export function readNpyFile(path: string): ArrayLiteral {
  try {
    return readNpyPath(path);
  } catch (e) {
    if (e instanceof NpyError) throw new InputError(e.message);
    throw e;
  }
}
