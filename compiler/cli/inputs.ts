// Entry inputs for `kiln run` and `kiln compare`: from .npy files by parameter name or
// index, the rest deterministic random values.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { interpreterTooLarge, TooLarge } from '../../ir/limits.js';
import { ArrayLiteral, Literal, arrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { sameDims, shapeToString } from '../../ir/shape.js';
import { UsageError } from '../backend.js';
import { leavesOf } from '../compare.js';
import { InputError } from '../load.js';
import { NpyError, readNpyFile as readNpyPath, writeNpy } from '../io/npy.js';
import { rng, randomLiteral } from '../random.js';

/** `--input NAME=PATH` pairs; NAME is a parameter's name or its number. */
export function entryInputs(m: Module, specs: readonly string[], seed: number): Literal[] {
  const params = m.entry.params;
  const given = new Map<number, string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input wants NAME=PATH.npy, got '${spec}'`);
    const key = spec.slice(0, eq);
    const index = /^\d+$/.test(key) ? Number(key) : params.findIndex((p) => p.name === key);
    if (index < 0 || index >= params.length)
      throw new UsageError(`--input ${key}: no such parameter (parameters: ${params.map((p, i) => `${i}:${p.name}`).join(', ')})`);
    given.set(index, spec.slice(eq + 1));
  }
  for (const p of params) { // inputs are interpreter values whatever the backend: refuse before making one
    const tooLarge = interpreterTooLarge(p.shape);
    if (tooLarge) throw new TooLarge(`parameter ${p.name}: ${tooLarge}`);
  }
  const next = rng(seed);
  return params.map((p, i) => {
    const random = randomLiteral(p.shape, next); // drawn for every parameter so seeds stay stable
    const path = given.get(i);
    return path === undefined ? random : loadInput(path, p.name, p.shape as ArrayLiteral['shape']);
  });
}

function loadInput(path: string, param: string, shape: ArrayLiteral['shape']): Literal {
  if (shape.kind !== 'array') throw new UsageError(`parameter ${param} is a tuple; tuple inputs cannot come from .npy`);
  const l = readNpyFile(path);
  if (!sameDims(l.shape.dims, shape.dims))
    throw new InputError(`${path} has shape [${l.shape.dims.join(',')}], parameter ${param} wants ${shapeToString(shape, { layout: false })}`);
  if (l.shape.dtype === shape.dtype) return { shape, data: l.data };
  // bf16 travels as f32 in .npy (NumPy has no bf16); rounding it is the one lossless-by-design conversion.
  if (shape.dtype === 'bf16' && l.shape.dtype === 'f32') return arrayLiteral(shape, Array.from(l.data as Float64Array));
  throw new InputError(`${path} holds ${l.shape.dtype}, parameter ${param} wants ${shape.dtype}`);
}

/**
 * Write each output leaf as `<index>.npy` (`0.npy`, or `1.0.npy` inside nested tuples),
 * or as `<name>.npy` when the model names its outputs (ONNX).
 */
export function writeOutputs(dir: string, result: Literal, names?: readonly string[]): string[] {
  mkdirSync(dir, { recursive: true });
  const leaves = leavesOf(result);
  return leaves.map(({ index, value }, k) => {
    const name = names && names.length === leaves.length ? safeFileName(names[k]) : `${index || '0'}`;
    const file = join(dir, `${name}.npy`);
    writeFileSync(file, writeNpy(value));
    return file;
  });
}

/** An output name as a file name: path separators and odd characters become '_'. */
const safeFileName = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');

/** A .npy file's array; unreadable or malformed files are InputErrors naming the path. */
export function readNpyFile(path: string): ArrayLiteral {
  try {
    return readNpyPath(path);
  } catch (e) {
    if (e instanceof NpyError) throw new InputError(e.message);
    throw e;
  }
}
