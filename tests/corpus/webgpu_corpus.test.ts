// The XLA corpus on webgpu (WGSL on Deno's WebGPU; lavapipe where there is no GPU): every
// small interpreter-runnable module compiled for WGSL_TARGET must match the interpreter or
// be refused with a reason (an op not compiled yet, f64, which WGSL lacks, lavapipe's
// loop-length cap): nothing may differ or crash, and the count that matches may not fall.
// The same random inputs and the same modules as tests/lower/corpus_backends.test.ts (the
// whole corpus: about 100 s on lavapipe on two shared cores).
import { describe, expect, it } from 'vitest';
import { hloFiles } from '../../compiler/corpus.js';
import { checkFileOnBackend, type Outcome } from '../../compiler/corpus_backend.js';
import { webgpuBackend } from '../../compiler/webgpu_backend.js';
import { HLO_CORPUS, haveCorpus } from './paths.js';

/** Matches at the last count (docs/webgpu.md, "Conformance"), on lavapipe; raise it when more run. */
const MATCH_FLOOR = 1196;
/** As on kernels and wasm: the interpreter computes the expected results, and is slow. */
const MAX_WORK = 1e5;

describe.skipIf(!haveCorpus)('XLA corpus on webgpu', () => {
  const SHARDS = 8;
  const files = haveCorpus ? hloFiles(HLO_CORPUS) : [];
  const outcomes = new Map<string, Outcome>();
  let unavailable: string | undefined;
  for (let s = 0; s < SHARDS; s++)
    it(`runs shard ${s + 1} of ${SHARDS}`, async (ctx) => {
      unavailable = await webgpuBackend.unavailable();
      if (unavailable) return ctx.skip(); // no Deno or no adapter
      for (const f of files.filter((_, i) => i % SHARDS === s)) {
        outcomes.set(f, await checkFileOnBackend(HLO_CORPUS, f, webgpuBackend, { maxWork: MAX_WORK }));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }, 600_000);

  it('matches the interpreter wherever it runs, and says why where it does not', (ctx) => {
    if (unavailable) return ctx.skip();
    const bad = [...outcomes].filter(([f, o]) => (o.kind === 'differs' || o.kind === 'failed')).map(([f, o]) => `${f}: ${JSON.stringify(o)}`);
    expect(bad).toEqual([]);
    const count = (kind: Outcome['kind']) => [...outcomes.values()].filter((o) => o.kind === kind).length;
    const refused: Record<string, number> = {};
    for (const o of outcomes.values()) if (o.kind === 'notCompiled') refused[o.opcode] = (refused[o.opcode] ?? 0) + 1;
    console.log(`webgpu: ${count('match')} match, ${count('notCompiled')} refused ${JSON.stringify(refused)}, ${count('skipped')} skipped`);
    expect(count('match')).toBeGreaterThanOrEqual(MATCH_FLOOR);
  });
});
