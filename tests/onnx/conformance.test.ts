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
/** Cases that pass on each compiled backend (kernels, wasm) at the last count (docs/onnx-conformance.md). */
const COMPILED_FLOOR = 930;
/**
 * Cases whose test data gives an input another shape than the model declares (CastLike's
 * `like` is f32[1] in the data, f32[3,4] in the model). The interpreter never looks at
 * that input's values; a compiled model checks every input's shape and refuses.
 */
const DATA_CONTRADICTS_MODEL = new Set(['node/test_castlike_BFLOAT16_to_FLOAT', 'node/test_castlike_BFLOAT16_to_FLOAT_expanded']);

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

      // The committed table is the interpreter's. A compiled backend may stop at an op it
      // does not compile yet (counted, and held by COMPILED_FLOOR), never at a wrong answer.
      const compiled = backend.name !== 'interpreter';
      const notCompiled = (r: CaseResult): boolean =>
        compiled && (/not compiled yet/.test(r.reason ?? '') || DATA_CONTRADICTS_MODEL.has(r.name));

      it('passes every case the committed table lists as passing', () => {
        const regressed = results.filter((r) => committed.get(r.name) === 'pass' && r.status !== 'pass' && !notCompiled(r));
        expect(regressed.map((r) => `${r.name}: ${r.reason}`)).toEqual([]);
      });

      it('passes at least as many cases as the committed table', () => {
        const passing = [...committed.values()].filter((s) => s === 'pass').length;
        expect(passing).toBeGreaterThan(0);
        const passed = results.filter((r) => r.status === 'pass').length;
        if (compiled) console.log(`${backend.name}: ${passed} pass, ${results.filter(notCompiled).length} not compiled yet`);
        expect(passed).toBeGreaterThanOrEqual(compiled ? COMPILED_FLOOR : passing);
      });

      it('has every case in the committed table', () => {
        expect(cases.filter((c) => !committed.has(c))).toEqual([]);
      });
    });
  }
});
