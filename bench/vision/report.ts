// The vision bench's tables: each runner's median per case, then the ratios to kiln and
// kiln's ratio to native ONNX Runtime, and every runner's outputs checked against PyTorch's.
import type { RunnerResult } from '../measure.js';
import type { Check } from '../report.js';
import { TOLERANCE } from '../report.js';
import type { BenchModel } from '../runner.js';

export const PYTORCH = 'pytorch';
const KILN = 'kiln';
const NATIVE = 'ort-node';

export const TFJS_NOTE =
  'tfjs: not run. TensorFlow.js cannot load ONNX, and its converter (tfjs-converter) needs TensorFlow, which Debian does not package; rebuilding seven networks by hand in tfjs ops would measure the rebuild.';

const ms = (x: number | undefined) => (x === undefined ? '—' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const times = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}x`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function median(results: RunnerResult[], runner: string, threads: number, model: string): number | undefined {
  return results.find((r) => r.runner === runner && r.threads === threads)?.models.find((m) => m.model === model)?.stats?.median;
}

/** Medians: one row per case, one column per runner × threads (a skip shows as its reason below). */
function mediansTable(models: BenchModel[], results: RunnerResult[]): string {
  const cells = results.filter((r) => !r.skip);
  const rows = [['median ms', ...cells.map((r) => `${r.runner} ${r.threads}t`)]];
  for (const m of models) rows.push([m.name, ...cells.map((r) => ms(median(results, r.runner, r.threads, m.name)))]);
  return table(rows);
}

/** Ratios at the same thread count: each peer over kiln (> 1: kiln is faster), and kiln over native ort. */
function ratiosTable(models: BenchModel[], results: RunnerResult[], threads: number[]): string {
  const peers = [...new Set(results.filter((r) => !r.skip && r.runner !== KILN).map((r) => r.runner))];
  const cols = [
    ...peers.flatMap((p) => threads.map((t) => ({ head: `${p}/kiln ${t}t`, num: p, den: KILN, t }))),
    ...(peers.includes(NATIVE) ? threads.map((t) => ({ head: `kiln/${NATIVE} ${t}t`, num: KILN, den: NATIVE, t })) : []),
  ];
  const rows = [['ratio', ...cols.map((c) => c.head)]];
  for (const m of models) rows.push([m.name, ...cols.map((c) => times(median(results, c.num, c.t, m.name), median(results, c.den, c.t, m.name)))]);
  return table(rows);
}

/** One line when every output agrees with PyTorch's, else a line per disagreement. */
function checkLines(checks: Check[]): string[] {
  const judged = checks.filter((c) => c.relError !== undefined);
  const bad = judged.filter((c) => !c.ok);
  const worst = judged.reduce<Check | undefined>((w, c) => (w && w.relError! >= c.relError! ? w : c), undefined);
  const head = `check: every runner's outputs against PyTorch's, normwise max|y − torch| / max|torch| ≤ ${TOLERANCE}`;
  if (!bad.length) return [`${head}: all ${judged.length} ok${worst ? ` (worst ${worst.relError!.toExponential(1)}, ${worst.runner} ${worst.threads}t on ${worst.model})` : ''}`];
  return [`${head}: ${bad.length} FAIL`, ...bad.map((c) => `  FAIL ${c.model} ${c.runner} ${c.threads}t: ${c.relError!.toExponential(2)}`)];
}

export function visionReport(models: BenchModel[], results: RunnerResult[], checks: Check[], threads: number[]): string {
  const out = [mediansTable(models, results), '', ratiosTable(models, results, threads), ''];
  out.push('peer/kiln: the peer\'s median over kiln\'s at the same thread count (> 1: kiln is faster); kiln/ort-node: how far kiln is from native ONNX Runtime.');
  out.push(...checkLines(checks), '');
  for (const r of results) {
    if (r.skip) out.push(`  ${r.runner} ${r.threads}t: skipped: ${r.skip}`);
    for (const m of r.models) if (m.skip) out.push(`  ${r.runner} ${r.threads}t ${m.model}: ${m.skip}`);
  }
  const notes = new Map(results.filter((r) => r.note).map((r) => [r.runner, r.note!]));
  for (const [runner, note] of notes) out.push(`  ${runner}: ${note}`);
  out.push(`  ${TFJS_NOTE}`);
  return out.join('\n');
}
