// A model checked by the verifier, its errors as bad input naming where: shared by the
// file loader (load.ts) and the library (api/), which must not need node:fs.
import type { Module } from '../ir/module.js';
import { VerifyError, verifyModule } from '../ir/verify.js';
import { InputError } from './errors.js';

/** `m`, verified; a verifier error is an InputError naming `file:line:col` (or `where`). */
export function verified(m: Module, where: string, verify = true): Module {
  if (verify) {
    try {
      verifyModule(m);
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      throw new InputError(`${locate(m, e) ?? where}: ${e.message}`);
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
