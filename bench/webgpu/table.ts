// The WebGPU bench's markdown table: per workload each engine's median ms in the page, the
// peers' ratio to kiln, each peer's output check against kiln, and kiln on Deno.
import type { Stats } from '../../compiler/stats.js';
import { TOLERANCE } from '../check.js';
import type { BenchModel } from '../runner.js';
import type { DenoResult } from './deno.js';
import type { Engine, KernelTime } from './page.js';

export interface WorkloadResult {
  model: BenchModel;
  stats: Partial<Record<Engine, Stats>>;
  /** Load + first run in the page, per engine (shader compiles happen there). */
  coldMs: Partial<Record<Engine, number>>;
  /** Why an engine has no number. */
  errors: Partial<Record<Engine, string>>;
  /** Normwise relative error of each peer's output against kiln's. */
  check: Partial<Record<Engine, number>>;
  deno?: DenoResult & { check?: number };
  kernels?: { kernels: KernelTime[]; emptyMs: number; wholeMs: number };
  compileMs: number;
  /** kiln's output in the page, which Deno's is checked against. */
  kilnOut?: Float32Array;
}

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const spread = (s: Stats) => `${ms(s.median)} (${ms(s.p10)}–${ms(s.p90)})`;

function peer(r: WorkloadResult, e: Engine): string {
  const s = r.stats[e], k = r.stats.kiln;
  if (!s) return `— (${r.errors[e] ?? 'not run'})`;
  const c = r.check[e];
  const bad = c === undefined ? ' (unchecked)' : c > TOLERANCE ? ` **WRONG: error ${c.toExponential(1)}**` : '';
  return `${spread(s)}${k ? `, **${(s.median / k.median).toFixed(2)}x**` : ''}${bad}`;
}

export function markdown(results: WorkloadResult[]): string {
  const rows = ['| workload | kiln ms | tfjs ms (tfjs/kiln) | ort ms (ort/kiln) | kiln on Deno/lavapipe ms |', '|---|---|---|---|---|'];
  for (const r of results) {
    const k = r.stats.kiln ? `${spread(r.stats.kiln)}${r.errors.kiln ? ` **${r.errors.kiln}**` : ''}` : `— (${r.errors.kiln ?? 'not run'})`;
    const d = r.deno?.stats ? `${spread(r.deno.stats)}${r.deno.check !== undefined && r.deno.check > TOLERANCE ? ` **WRONG ${r.deno.check.toExponential(1)}**` : ''}` : `— (${r.deno?.skip ?? 'not run'})`;
    rows.push(`| ${r.model.name} | ${k} | ${peer(r, 'tfjs')} | ${peer(r, 'ort')} | ${d} |`);
  }
  return rows.join('\n');
}

/** Checks and cold starts, one line per workload. */
export function details(results: WorkloadResult[]): string {
  return results.map((r) => {
    const checks = Object.entries(r.check).map(([e, c]) => `${e} ${c!.toExponential(1)}`);
    if (r.deno?.check !== undefined) checks.push(`deno ${r.deno.check.toExponential(1)}`);
    const cold = Object.entries(r.coldMs).map(([e, c]) => `${e} ${ms(c!)}`);
    if (r.deno?.coldMs !== undefined) cold.push(`deno ${ms(r.deno.coldMs)}`);
    return `- ${r.model.name}: output vs kiln's: ${checks.join(', ') || 'none'}; load + first run ms: ${cold.join(', ')}; kiln compile ${ms(r.compileMs)} ms`;
  }).join('\n');
}

/** kiln's dispatches timed one at a time (run.ts --kernels). */
export function kernelTable(r: WorkloadResult): string {
  if (!r.kernels) return '';
  const { kernels, emptyMs, wholeMs } = r.kernels;
  const sum = kernels.reduce((a, k) => a + k.ms, 0);
  const lines = [`${r.model.name}: ${kernels.length} dispatches, ${ms(sum)} ms one by one, ${ms(wholeMs)} ms in one submit (an empty submit: ${ms(emptyMs)} ms, subtracted)`];
  for (const k of [...kernels].sort((a, b) => b.ms - a.ms)) lines.push(`  ${ms(k.ms).padStart(8)} ms  ${k.file}  workgroups [${k.workgroups.join(',')}] × @workgroup_size(${k.workgroupSize.join(',')})`);
  return lines.join('\n');
}
