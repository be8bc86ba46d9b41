// Loading a model file into a verified Module, with errors that say what and where.
import { readFileSync } from 'node:fs';
import type { Module } from '../ir/module.js';
import { VerifyError, verifyModule } from '../ir/verify.js';
import { HloParseError, parseHlo } from './frontends/hlo/index.js';
import { OnnxError } from './frontends/onnx/errors.js';
import { importOnnxFile, type ImportOptions } from './frontends/onnx/import.js';

/** Bad input (exit code 3): unreadable, malformed or invalid model files. */
export class InputError extends Error {
  override name = 'InputError';
}

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
}

/** Parse and verify a model file. */
export function loadModule(path: string, opts: LoadOptions = {}): Module {
  return loadModel(path, opts).module;
}

/** A model file as a verified Module: `.onnx` files are imported, anything else is HLO text. */
export function loadModel(path: string, opts: LoadOptions = {}): LoadedModule {
  if (path.endsWith('.onnx')) {
    try {
      const imported = importOnnxFile(path, opts.onnx);
      return { module: verified(imported.module, path, opts), outputNames: imported.outputs };
    } catch (e) {
      if (e instanceof OnnxError) throw new InputError(e.message);
      throw e;
    }
  }
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

function verified(m: Module, path: string, opts: LoadOptions): Module {
  if (opts.verify !== false) {
    try {
      verifyModule(m);
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      throw new InputError(`${locate(m, e) ?? path}: ${e.message}`);
    }
  }
  return m;
}

/** `file:line:col` of the instruction a verifier error names, when the text gave it. */
export function locate(m: Module, e: Error): string | undefined {
  if (!(e instanceof VerifyError) || !e.instruction) return undefined;
  const comp = m.computations.find((c) => c.name === e.computation);
  const loc = comp?.instructions.find((i) => i.name === e.instruction)?.loc;
  return loc && `${loc.file}:${loc.line}:${loc.column}`;
}
