// ONNX's own backend tests (Debian's libonnx-testdata, ONNX 1.12) on every backend,
// held to the committed table docs/onnx-conformance.md (written by `kiln check-onnx
// --out docs/onnx-conformance.md`): no case the table lists as passing may stop passing,
// and the pass count may not fall below it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../compiler/backend.js';
import { listCases, ONNX_TESTDATA, runCase, type CaseResult } from '../../compiler/onnx_backend_tests.js';

const COMMITTED = join(import.meta.dirname, '..', '..', 'docs', 'onnx-conformance.md');
const haveTestdata = existsSync(join(ONNX_TESTDATA, 'node'));

/** case name → status, from the committed table's `| suite/case | status | reason |` rows. */
function committedStatus(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of readFileSync(COMMITTED, 'utf8').matchAll(/^\| ([\w.-]+\/[\w.-]+) \| (pass|fail|unsupported) \|/gm))
    out.set(m[1], m[2]);
  return out;
}

describe.skipIf(!haveTestdata)("ONNX backend tests (libonnx-testdata)", () => {
  const cases = haveTestdata ? listCases() : [];
  const committed = committedStatus();

  for (const backend of BACKENDS) {
    describe(backend.name, () => {
      const results: CaseResult[] = [];
      const SHARDS = 8;
      for (let s = 0; s < SHARDS; s++)
        it(`runs shard ${s + 1} of ${SHARDS}`, async () => {
          for (const c of cases.filter((_, i) => i % SHARDS === s)) {
            results.push(await runCase(c, ONNX_TESTDATA, backend));
            await new Promise((resolve) => setImmediate(resolve)); // keep the worker answering
          }
        });

      it('never crashes on import', () => {
        expect(results.filter((r) => r.reason?.startsWith('import crashed'))).toEqual([]);
      });

      it('passes every case the committed table lists as passing', () => {
        const regressed = results.filter((r) => committed.get(r.name) === 'pass' && r.status !== 'pass');
        expect(regressed.map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
      });

      it('passes at least as many cases as the committed table', () => {
        const passing = [...committed.values()].filter((s) => s === 'pass').length;
        expect(passing).toBeGreaterThan(0);
        expect(results.filter((r) => r.status === 'pass').length).toBeGreaterThanOrEqual(passing);
      });

      it('has every case in the committed table', () => {
        expect(cases.filter((c) => !committed.has(c))).toEqual([]);
      });
    });
  }
});
