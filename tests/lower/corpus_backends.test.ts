// Every small interpreter-runnable module of the XLA corpus, compiled (passes + lowering)
// and run on each compiled backend (the kernel IR executor, wasm), must match the
// interpreter or say which op it does not compile yet. Nothing may differ or crash, and
// the count that matches may not fall.
import { describe, expect, it } from 'vitest';
import { kernelsBackend } from '../../compiler/backend.js';
import { wasmBackend } from '../../compiler/wasm_backend.js';
import { hloFiles } from '../../compiler/corpus.js';
import { checkFileOnBackend, type Outcome } from '../../compiler/corpus_backend.js';
import { HLO_CORPUS, haveCorpus } from '../corpus/paths.js';

/** Matches at the last count (docs/lowering.md); raise it when more compile. */
const MATCH_FLOOR = 1227;
/** The kernel IR executor and the interpreter are slow: larger modules are left out. */
const MAX_WORK = 1e5;

describe.skipIf(!haveCorpus).each([kernelsBackend, wasmBackend].map((b) => [b.name, b] as const))('XLA corpus on %s', (name, backend) => {
  const SHARDS = 8;
  const files = haveCorpus ? hloFiles(HLO_CORPUS) : [];
  const outcomes = new Map<string, Outcome>();
  for (let s = 0; s < SHARDS; s++)
    it(`runs shard ${s + 1} of ${SHARDS}`, async () => {
      for (const f of files.filter((_, i) => i % SHARDS === s)) {
        outcomes.set(f, await checkFileOnBackend(HLO_CORPUS, f, backend, { maxWork: MAX_WORK }));
        await new Promise((resolve) => setImmediate(resolve));
      }
    });

  it('matches the interpreter wherever it compiles, and names the op where it does not', () => {
    const bad = [...outcomes].filter(([, o]) => o.kind === 'differs' || o.kind === 'failed').map(([f, o]) => `${f}: ${JSON.stringify(o)}`);
    expect(bad).toEqual([]);
    const count = (kind: Outcome['kind']) => [...outcomes.values()].filter((o) => o.kind === kind).length;
    const notCompiled: Record<string, number> = {};
    for (const o of outcomes.values()) if (o.kind === 'notCompiled') notCompiled[o.opcode] = (notCompiled[o.opcode] ?? 0) + 1;
    console.log(`${name}: ${count('match')} match, ${count('notCompiled')} not compiled ${JSON.stringify(notCompiled)}, ${count('skipped')} skipped`);
    expect(count('match')).toBeGreaterThanOrEqual(MATCH_FLOOR);
  });
});
