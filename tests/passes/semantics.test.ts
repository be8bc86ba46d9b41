// The default pipeline must not change what a module computes: on every golden case and
// on a sample of small interpretable modules of the XLA corpus, the optimised module
// verifies and the interpreter gives bit-identical results (NaN equal to NaN).
// The one exception the rules allow is the sign of a zero from x + 0 / x - (-0)
// (docs/passes.md); random inputs in [-1, 1) make a -0 reaching such an add unlikely,
// and a case where it happens is listed in ZERO_SIGN with its reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hloFiles, whyNotInterpretable } from '../../compiler/corpus.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { randomInputs } from '../../compiler/random.js';
import { InterpretError, interpret } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { verifyModule } from '../../ir/verify.js';
import { runPasses } from '../../passes/pipeline.js';
import { HLO_CORPUS, haveCorpus } from '../corpus/paths.js';
import { loadCases } from '../golden/harness.js';
import { bitDifference } from './helpers.js';

const MAX_WORK = 1e6;
const MAX_MODULES = 150;
/** Corpus files where the pipeline may flip the sign of a zero (x + 0 with x = -0), and why. */
const ZERO_SIGN: Record<string, string> = {};

/** 'same', 'skip' (the original does not run within budget), or what differs. */
let changed = 0;

function check(m: Module, file: string): string {
  const args = randomInputs(m.entry.params.map((p) => p.shape), 1);
  let before;
  try {
    before = interpret(m, args, { maxElements: MAX_WORK });
  } catch (e) {
    if (e instanceof InterpretError) return 'skip';
    throw e;
  }
  const opt = runPasses(m);
  verifyModule(opt);
  if (opt.entry.instructions.length !== m.entry.instructions.length) changed++;
  const after = interpret(opt, args, { maxElements: 4 * MAX_WORK });
  const d = bitDifference(after, before);
  return d === undefined || ZERO_SIGN[file] ? 'same' : d;
}

describe('the default pipeline keeps results bit for bit', () => {
  it.each(loadCases().map((c) => [c.name, c] as const))('golden case %s', (_n, c) => {
    expect(check(c.module, c.name)).toBe('same');
  });

  it.skipIf(!haveCorpus)(`on up to ${MAX_MODULES} small interpretable modules of the XLA corpus`, () => {
    const files = haveCorpus ? hloFiles(HLO_CORPUS) : [];
    const failures: string[] = [];
    let ran = 0;
    // Every eighth file, so the sample spans the corpus rather than its first letters.
    for (let k = 0; k < files.length && ran < MAX_MODULES; k += 8) {
      let m: Module;
      try {
        m = parseHlo(readFileSync(join(HLO_CORPUS, files[k]), 'utf8'), files[k]);
        verifyModule(m);
      } catch {
        continue;
      }
      if (whyNotInterpretable(m, MAX_WORK) !== undefined) continue;
      const r = check(m, files[k]);
      if (r === 'skip') continue;
      ran++;
      if (r !== 'same') failures.push(`${files[k]}: ${r}`);
    }
    console.log(`passes: default pipeline checked on ${ran} corpus modules (${changed} of all checked entries changed size)`);
    expect(failures).toEqual([]);
    expect(ran).toBeGreaterThanOrEqual(Math.min(MAX_MODULES, 50));
  });
});
