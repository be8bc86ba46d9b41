// ONNX's own backend tests (Debian's libonnx-testdata, ONNX 1.12) on every backend,
// held to the committed table docs/onnx-conformance.md (written by `kiln check-onnx
// --out docs/onnx-conformance.md`): no case the table lists as passing may stop passing,
// and no backend's pass count may fall below its floor (FLOORS).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../compiler/backend.js';
import { listCases, ONNX_TESTDATA, refusal, runCase, runCases, type CaseResult } from '../../compiler/onnx_backend_tests.js';

const COMMITTED = join(import.meta.dirname, '..', '..', 'docs', 'onnx-conformance.md');
const haveTestdata = existsSync(join(ONNX_TESTDATA, 'node'));
/**
 * Cases each backend passes at the last count (docs/onnx-conformance.md; webgpu's in
 * docs/webgpu.md, "Conformance"). A floor only goes up: raise it when a backend passes more.
 * webgpu's is on Mesa lavapipe, where a loop-length cap refuses two more cases than a GPU would.
 * cuda-cpu (the CUDA C on g++ and kiln's CPU emulation, docs/cuda-conformance.md) passes
 * what wasm passes; cuda (a real GPU, not here) is held to the same.
 */
const FLOORS: Readonly<Record<string, number>> = { interpreter: 932, kernels: 930, wasm: 930, webgpu: 887, cuda: 930, 'cuda-cpu': 930 };

/**
 * cuda-cpu builds every case with g++ (about 3 minutes of the suite's two cores), so CI runs
 * a fixed sample, every 3rd case by name, held to its own floor; `npm run test:cuda-onnx`
 * (KILN_CUDA_ONNX=all) runs them all against FLOORS.
 */
const ALL_CUDA = process.env.KILN_CUDA_ONNX === 'all';
const SAMPLED: Readonly<Record<string, { every: number; floor: number }>> = ALL_CUDA ? {} : { 'cuda-cpu': { every: 3, floor: 308 } };

/** case name → status, from the committed table's `| suite/case | status | reason |` rows. */
function committedStatus(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readFileSync(COMMITTED, 'utf8').matchAll(/^\| ([\w.-]+\/[\w.-]+) \| (pass|fail|unsupported) \|/gm))
    out.set(m[1], m[2]);
  return out;
}

describe.skipIf(!haveTestdata)("ONNX backend tests (libonnx-testdata)", () => {
  const allCases = haveTestdata ? listCases() : [];
  const committed = committedStatus();

  for (const backend of BACKENDS) {
    const sample = SAMPLED[backend.name];
    const cases = sample ? allCases.filter((_, i) => i % sample.every === 0) : allCases;
    const floor = sample?.floor ?? FLOORS[backend.name];
    describe(sample ? `${backend.name} (1 case in ${sample.every})` : backend.name, () => {
      const results: CaseResult[] = [];
      let unavailable: string | undefined;
      const SHARDS = 8;
      for (let s = 0; s < SHARDS; s++)
        it(`runs shard ${s + 1} of ${SHARDS}`, async (ctx) => {
          unavailable = await backend.unavailable();
          if (unavailable) return ctx.skip(); // webgpu without Deno or an adapter
          const shard = cases.filter((_, i) => i % SHARDS === s);
          // cuda-cpu builds a chunk of models per g++ call (one per case would take an hour).
          if (backend.prepareMany) results.push(...await runCases(shard, ONNX_TESTDATA, backend, { chunk: 72, parallel: 2 }));
          else for (const c of shard) {
            results.push(await runCase(c, ONNX_TESTDATA, backend));
            await new Promise((resolve) => setImmediate(resolve)); // keep the worker answering
          }
        }, 600_000);

      it('never crashes on import', () => {
        expect(results.filter((r) => r.reason?.startsWith('import crashed'))).toEqual([]);
      });

      // The committed table is the interpreter's. A compiled backend may refuse a case for a
      // reason REFUSALS lists (an op it does not compile yet, a type its target lacks, ...),
      // never give a wrong answer.
      it('passes every case the committed table lists as passing, or refuses it for a known reason', (ctx) => {
        if (unavailable) return ctx.skip();
        const regressed = results.filter((r) => committed.get(r.name) === 'pass' && r.status !== 'pass' && !refusal(backend.name, r));
        expect(regressed.map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
      });

      it(`passes at least ${floor} cases`, (ctx) => {
        if (unavailable) return ctx.skip();
        expect(results.length).toBe(cases.length);
        const passed = results.filter((r) => r.status === 'pass').length;
        const counts = new Map<string, number>();
        for (const r of results) {
          const why = committed.get(r.name) === 'pass' ? refusal(backend.name, r) : undefined;
          if (why) counts.set(why, (counts.get(why) ?? 0) + 1);
        }
        console.log(`${backend.name}: ${passed} pass; refused: ${[...counts].map(([k, n]) => `${n} ${k}`).join('; ') || 'none'}`);
        expect(passed).toBeGreaterThanOrEqual(floor);
      });

      it('has every case in the committed table', () => {
        expect(allCases.filter((c) => !committed.has(c))).toEqual([]);
      });
    });
  }
});
