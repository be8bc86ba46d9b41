// `kiln check-onnx` and `kiln check-corpus`: conformance runs over folders of cases.
import { writeFileSync } from 'node:fs';
import { canonicalFiles, checkCorpus } from '../corpus.js';
import { UsageError } from '../errors.js';
import { listCases, ONNX_TESTDATA, runCase, type CaseResult } from '../onnx_backend_tests.js';
import { one } from './flags.js';
import type { Values } from './options.js';
import { conformanceTable, corpusTable } from './report.js';

export async function checkOnnx(pos: string[], v: Values): Promise<number> {
  if (pos.length > 1) throw new UsageError(`expected at most one folder, got ${pos.length}`);
  const root = pos[0] ?? ONNX_TESTDATA;
  const cases = listCases(root).filter((c) => c.includes((v.filter as string) ?? ''));
  if (cases.length === 0) throw new UsageError(`no ONNX test cases under ${root} (Debian: apt-get install libonnx-testdata)`);
  const results: CaseResult[] = [];
  for (const c of cases) results.push(await runCase(c, root));
  const text = v.json ? JSON.stringify(results, null, 1) : conformanceTable(results);
  const title = '# ONNX backend tests on the interpreter\n\nWritten by `kiln check-onnx --out FILE` from ' +
    `${root} (ONNX 1.12, Debian's libonnx-testdata); tests/onnx/conformance.test.ts holds it.\n\n`;
  if (v.out) writeFileSync(v.out as string, (v.json ? '' : title) + text + '\n');
  else console.log(text);
  return 0;
}

export async function checkCorpusFolder(pos: string[], v: Values): Promise<number> {
  const dir = one(pos, 'folder');
  const maxWork = Number(v['max-work'] ?? 1e8);
  if (!(maxWork > 0)) throw new UsageError(`--max-work wants a positive number, got '${v['max-work']}'`);
  const report = checkCorpus(dir, { maxWork, interpret: !v['no-interpret'], canonical: canonicalFiles(dir) });
  const text = v.json
    ? JSON.stringify({ total: report.total, parsed: report.parsed, roundTrip: report.roundTrip, verified: report.verified,
        interpreted: report.interpreted, interpretable: report.interpretable, canonical: report.canonical,
        skipped: report.skipped, ms: report.ms, failures: report.failures }, null, 1)
    : corpusTable(report);
  if (v.out) writeFileSync(v.out as string, text + '\n');
  else console.log(text);
  return 0;
}
