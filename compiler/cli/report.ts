// The check-corpus summary table.
import type { CorpusReport } from '../corpus.js';
import { outOfScope, RATED_SUITES, type CaseResult } from '../onnx_backend_tests.js';

const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);

/** A message's first line, fit for a markdown table cell. */
const cell = (msg: string): string => {
  const line = msg.split('\n')[0].replace(/\|/g, '\\|');
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
};

export function corpusTable(r: CorpusReport): string {
  const rows: [string, number, number][] = [
    ['parsed', r.parsed, r.total],
    ['round-trip (print is a fixed point)', r.roundTrip, r.parsed],
    ['verified', r.verified, r.parsed],
    ['canonical text printed byte-identical', r.canonical.identical, r.canonical.total],
    ['interpreted (of interpretable)', r.interpreted, r.interpretable],
    ['interpreted (of all)', r.interpreted, r.total],
  ];
  const lines = [`| stage | count | of | rate |`, `|---|---:|---:|---:|`];
  for (const [name, n, d] of rows) lines.push(`| ${name} | ${n} | ${d} | ${pct(n, d)} |`);
  const byStage = new Map<string, number>();
  for (const f of r.failures) byStage.set(f.stage, (byStage.get(f.stage) ?? 0) + 1);
  lines.push('', `files: ${r.total}, time: ${r.ms} ms`);
  if (r.failures.length) lines.push(`failures by stage: ${[...byStage].map(([s, n]) => `${s} ${n}`).join(', ')}`);
  const skipped = Object.entries(r.skipped).sort((a, b) => b[1] - a[1]);
  if (skipped.length) lines.push(`not interpreted: ${skipped.map(([why, n]) => `${why} (${n})`).join(', ')}`);
  if (r.failures.length) {
    lines.push('', '| file | stage | reason |', '|---|---|---|');
    for (const f of r.failures) lines.push(`| ${f.file} | ${f.stage} | ${cell(f.message)} |`);
  }
  return lines.join('\n');
}

/**
 * The ONNX conformance table: a summary per suite, then every case with its status
 * and, when it does not pass, why.
 */
export function conformanceTable(results: readonly CaseResult[]): string {
  const suites = [...new Set(results.map((r) => r.name.split('/')[0]))];
  const lines = ['| suite | pass | fail | unsupported | total |', '|---|---:|---:|---:|---:|'];
  const row = (name: string, rs: readonly CaseResult[]) => {
    const n = (s: string) => rs.filter((r) => r.status === s).length;
    lines.push(`| ${name} | ${n('pass')} | ${n('fail')} | ${n('unsupported')} | ${rs.length} |`);
  };
  for (const s of suites) row(s, results.filter((r) => r.name.startsWith(`${s}/`)));
  row('all', results);
  const rated = results.filter((r) => RATED_SUITES.includes(r.name.split('/')[0]) && !outOfScope(r));
  const passed = rated.filter((r) => r.status === 'pass').length;
  lines.push('', `pass rate over ${RATED_SUITES.join(', ')} without out-of-scope cases (string, complex, sequence, training): ` +
    `${passed} of ${rated.length} (${pct(passed, rated.length)})`);
  lines.push('', '| case | status | reason |', '|---|---|---|');
  for (const r of results) lines.push(`| ${r.name} | ${r.status} | ${r.reason ? cell(r.reason) : ''} |`);
  return lines.join('\n');
}
