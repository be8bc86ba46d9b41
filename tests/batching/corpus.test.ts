// vmap over modules kiln did not write: a sample of the XLA HLO corpus, every array
// parameter batched (at 0, then at its last axis for every other one), each checked
// against per-example runs. A refusal (NotBatchableError) or a module past the work budget
// is fine; a wrong value or a crash is not. The whole corpus passed when this was written
// (STEP=1: about 1,800 checks, none failing).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { hloFiles, whyNotInterpretable } from '../../compiler/corpus.js';
import { BudgetExceeded } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { verifyModule } from '../../ir/verify.js';
import { NotBatchableError } from '../../passes/batching/index.js';
import { HLO_CORPUS, haveCorpus } from '../corpus/paths.js';
import { checkVmap } from './harness.js';

const STEP = Number(process.env.KILN_VMAP_CORPUS_STEP ?? 24);

function parsed(file: string): Module | undefined {
  try {
    const m = parseHlo(readFileSync(join(HLO_CORPUS, file), 'utf8'), file);
    verifyModule(m);
    return whyNotInterpretable(m, 2e5) === undefined && m.entry.params.length > 0 ? m : undefined;
  } catch {
    return undefined;
  }
}

describe.skipIf(!haveCorpus)('vmap over the XLA HLO corpus', () => {
  it(`batches a sample (every ${STEP}th module) to the per-example results`, () => {
    const failures: string[] = [];
    let ok = 0;
    for (const file of hloFiles(HLO_CORPUS).filter((_, i) => i % STEP === 0)) {
      const m = parsed(file);
      if (!m) continue;
      const ranks = m.entry.params.map((p) => (p.shape.kind === 'array' ? p.shape.dims.length : -1));
      const variants = [ranks.map((r) => (r < 0 ? null : 0)), ranks.map((r, k) => (r < 0 || k % 2 ? null : r))];
      for (const axes of variants.filter((v) => v.some((a) => a !== null)))
        try {
          checkVmap(m, axes, 2, undefined, { seed: 3, maxElements: 2e6 });
          ok++;
        } catch (e) {
          if (!(e instanceof NotBatchableError || e instanceof BudgetExceeded)) failures.push(`${file} [${axes}]: ${(e as Error).message.split('\n')[0]}`);
        }
    }
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(1500 / STEP);
  });
});
