// Loading a model file into a verified Module, with errors that say what and where.
import { readFileSync } from 'node:fs';
import type { Module } from '../ir/module.js';
import { VerifyError, verifyModule } from '../ir/verify.js';
import { parseHlo } from './frontends/hlo/index.js';

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

/** Parse and verify a model file. Formats are chosen by extension; HLO text is the default. */
export function loadModule(path: string, opts: { verify?: boolean } = {}): Module {
  const text = readText(path);
  let m: Module;
  try {
    m = parseHlo(text, path);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  if (opts.verify !== false) {
    try {
      verifyModule(m);
    } catch (e) {
      throw new InputError(`${locate(m, e as Error) ?? path}: ${(e as Error).message}`);
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
