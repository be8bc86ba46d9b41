// A compiled backend against the interpreter over the HLO corpus: every module the
// interpreter runs is compiled and run with the same random inputs, and each lands in
// one bucket: matches, differs, not compiled (with the opcode), or failed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BudgetExceeded, interpret } from '../ir/interpret/index.js';
import type { Module } from '../ir/module.js';
import { verifyModule } from '../ir/verify.js';
import { NotCompiled } from '../passes/lower/errors.js';
import { UnsupportedType } from '../passes/lower/types.js';
import type { Backend } from './backend.js';
import { compareLiterals } from './compare.js';
import { whyNotInterpretable } from './corpus.js';
import { parseHlo } from './frontends/hlo/index.js';
import { randomInputs } from './random.js';

export type Outcome =
  | { kind: 'match' }
  | { kind: 'differs'; message: string }
  | { kind: 'notCompiled'; opcode: string; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'skipped'; message: string };

export interface BackendCorpusOptions {
  /** Modules estimated above this much work are skipped (the interpreter is the bottleneck). */
  maxWork: number;
}

/** One corpus file on `backend`, compared with the interpreter on random inputs (seed 1). */
export async function checkFileOnBackend(dir: string, file: string, backend: Backend, opts: BackendCorpusOptions): Promise<Outcome> {
  let m: Module;
  try {
    m = parseHlo(readFileSync(join(dir, file), 'utf8'), file);
    verifyModule(m);
  } catch (e) {
    return { kind: 'skipped', message: `does not parse or verify: ${firstLine(e)}` };
  }
  const why = whyNotInterpretable(m, opts.maxWork);
  if (why) return { kind: 'skipped', message: why };
  const inputs = randomInputs(m.entry.params.map((p) => p.shape), 1);
  let expected;
  try {
    expected = interpret(m, inputs, { maxElements: opts.maxWork });
  } catch (e) {
    return { kind: 'skipped', message: e instanceof BudgetExceeded ? 'runs past the work budget' : `interpreter: ${firstLine(e)}` };
  }
  try {
    const exe = await backend.prepare(m);
    const got = await exe.run(inputs);
    const bad = compareLiterals(got, expected).filter((d) => !d.ok);
    if (bad.length === 0) return { kind: 'match' };
    return { kind: 'differs', message: bad.map((d) => `output ${d.index} ${d.shape}: max abs ${d.maxAbs}, max rel ${d.maxRel}`).join('; ') };
  } catch (e) {
    if (e instanceof NotCompiled) return { kind: 'notCompiled', opcode: e.opcode, message: e.message };
    if (e instanceof UnsupportedType) return { kind: 'notCompiled', opcode: 'dtype', message: e.message };
    // A target's refusal (targets/*/errors.ts, by name so that this file loads no target):
    // a type or a loop its device cannot run, refused before anything runs.
    if ((e as Error)?.name === 'NotSupported') return { kind: 'notCompiled', opcode: targetRefusal((e as Error).message), message: (e as Error).message };
    return { kind: 'failed', message: firstLine(e) };
  }
}

/** A target refusal's class, for the counts: the type or limit it names. */
function targetRefusal(message: string): string {
  if (/WGSL has no 64-bit (types|floats)/.test(message)) return `target: ${/\b([suf]64) (buffer|values|array)/.exec(message)?.[1] ?? '64-bit'}`;
  if (/stops every loop nest after/.test(message)) return 'target: loop-length cap';
  return 'target: other';
}

const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0];
