// Turning measurements into the table: rates from each model's FLOPs or bytes, the
// ratio to kiln, and the cross-check of every runner's outputs against a reference.
import { basename, dirname, relative } from 'node:path';
import type { RunnerResult } from './measure.js';
import type { RoofResult } from './roof/roof.js';
import type { BenchModel } from './runner.js';
import { relError, TOLERANCE } from './check.js';

export { relError, TOLERANCE } from './check.js';

/** The runner the ratio column divides by (same thread count). */
const KILN = 'kiln';

export interface Check {
  model: string;
  runner: string;
  threads: number;
  /** Absent for the reference itself. */
  relError?: number;
  ok: boolean;
}

/** The reference for each model is the first runner (in list order) that produced outputs. */
export function crossCheck(results: RunnerResult[]): Check[] {
  const refs = new Map<string, Float32Array[]>();
  const checks: Check[] = [];
  for (const r of results) {
    for (const m of r.models) {
      if (!m.outputs) continue;
      const ref = refs.get(m.model);
      if (!ref) {
        refs.set(m.model, m.outputs);
        checks.push({ model: m.model, runner: r.runner, threads: r.threads, ok: true });
        continue;
      }
      const e = relError(m.outputs, ref);
      checks.push({ model: m.model, runner: r.runner, threads: r.threads, relError: e, ok: e <= TOLERANCE });
    }
  }
  return checks;
}

const ms = (x: number | undefined) => (x === undefined ? '—' : x < 10 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1));
const bytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** File lists, short: grouped by folder, a folder of many files as a count. */
function files(paths: string[]): string {
  const byDir = new Map<string, string[]>();
  for (const p of paths) {
    const rel = relative('node_modules', relative(process.cwd(), p));
    const dir = dirname(rel);
    byDir.set(dir, [...(byDir.get(dir) ?? []), basename(rel)]);
  }
  return [...byDir].map(([dir, names]) => (names.length > 4 ? `${dir}/ (${names.length} files)` : `${dir}/{${names.join(', ')}}`)).join(', ');
}

function rate(model: BenchModel, medianMs: number): string {
  if (model.flops) return `${(model.flops / medianMs / 1e6).toFixed(1)} GFLOP/s`;
  if (model.bytes) return `${(model.bytes / medianMs / 1e6).toFixed(2)} GB/s`;
  return '—';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function report(models: BenchModel[], results: RunnerResult[], roof: RoofResult | undefined, checks: Check[]): string {
  const kilnMs = (model: string, threads: number) =>
    results.find((r) => r.runner === KILN && r.threads === threads)?.models.find((m) => m.model === model)?.stats?.median;
  const ratio = (model: string, threads: number, median: number) => {
    const k = kilnMs(model, threads);
    return k === undefined ? 'n/a' : `${(median / k).toFixed(2)}x`;
  };

  const rows = [['workload', 'runner', 'median ms', 'p10–p90 ms', 'rate', 'vs kiln', 'cold ms', 'code', 'check']];
  for (const model of models) {
    let first = true;
    const name = () => (first ? ((first = false), model.name) : '');
    for (const r of results) {
      if (r.skip) continue;
      const m = r.models.find((x) => x.model === model.name);
      if (!m) continue;
      const who = `${r.runner} ${r.threads}t`;
      if (!m.stats) {
        rows.push([name(), who, m.skip ?? 'skipped', '', '', '', '', '', '']);
        continue;
      }
      const c = checks.find((x) => x.model === model.name && x.runner === r.runner && x.threads === r.threads);
      const check = !c ? '—' : c.relError === undefined ? 'ref' : `${c.ok ? 'ok' : 'FAIL'} ${c.relError.toExponential(1)}`;
      const s = m.stats;
      const cold = m.compileMs === undefined ? ms(m.coldMs) : `${ms(m.coldMs)} (+${ms(m.compileMs)} compile)`;
      const code = m.codeBytes === undefined ? '—' : bytes(m.codeBytes);
      rows.push([name(), who, ms(s.median), `${ms(s.p10)}–${ms(s.p90)}`, rate(model, s.median), ratio(model.name, r.threads, s.median), cold, code, check]);
    }
    // The native roof sits under the matmuls it bounds.
    for (const g of roof?.gemm ?? []) {
      const p = g.points.find((x) => model.family === 'matmul' && x.n === model.params.n);
      if (p) rows.push([name(), `openblas ${g.threads}t (native)`, ms(p.medianMs), `min ${ms(p.minMs)}`, rate(model, p.medianMs), ratio(model.name, g.threads, p.medianMs), '—', '—', '—']);
    }
  }

  const rt = [['runner', 'threads', 'init ms', '.wasm', '.js']];
  const notes = new Map<string, string>();
  for (const r of results) {
    if (r.skip) {
      rt.push([r.runner, String(r.threads), '—', '—', '—']);
      notes.set(`${r.runner} ${r.threads}t`, `skipped: ${r.skip}`);
      continue;
    }
    // '—' where a runtime loads no file of the kind (kiln's runtime has no .wasm of its own).
    const size = (re: RegExp) => {
      const fs = (r.runtime ?? []).filter((f) => re.test(f.file));
      return fs.length ? bytes(fs.reduce((a, f) => a + f.bytes, 0)) : '—';
    };
    rt.push([r.runner, String(r.threads), ms(r.initMs), size(/\.wasm$/), size(/\.m?js$/)]);
    notes.set(r.runner, `${r.note ?? ''}; loads ${files(r.runtime!.map((f) => f.file))}`);
  }

  const out = [table(rows), '', 'rate: GFLOP/s from the dots and convolutions; GB/s = (input + output bytes) / time for the memory-bound chain.'];
  out.push(`vs kiln: this runner's median / kiln's at the same thread count.`);
  out.push(`cold: prepare + first run (a compiler's ahead-of-time compile shown apart); code: what a compiled artifact ships without weights`);
  out.push(`  (kiln: model.wasm and model.relaxed.wasm less their constants, plus runtime/*.js and model.js), where a runner generates code.`);
  out.push(`check: normwise relative error max|y − ref| / max|ref| against the first runner listed (tolerance ${TOLERANCE}).`);
  if (results.length) out.push('', table(rt), 'init: importing the runtime and starting its .wasm, once per process (not part of cold ms).');
  for (const [who, note] of notes) out.push(`  ${who}: ${note}`);
  if (roof) {
    out.push('', 'native roof (cc -O3 -march=native, this machine)');
    if (roof.peak) out.push(`  SIMD peak, one core: ${roof.peak.fma256Gflops} GFLOP/s with 256-bit FMA; ${roof.peak.muladd128Gflops} GFLOP/s with 128-bit mul + add (plain wasm SIMD's shape; relaxed SIMD's madd is a 128-bit FMA)`);
    for (const g of roof.gemm) out.push(`  OpenBLAS sgemm ${g.threads}t: ${g.points.map((p) => `n=${p.n} ${p.gflops} GFLOP/s`).join(', ')}`);
    for (const s of roof.skipped) out.push(`  skipped: ${s}`);
  }
  return out.join('\n');
}
