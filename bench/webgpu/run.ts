// `npm run bench:webgpu -- [--reps N] [--rounds R] [--round-ms T] [--warmup W] [--only NAME] [--kernels N] [--engines kiln,tfjs,ort] [--schedule JSON] [--no-deno] [--json FILE]`
//
// kiln's WebGPU artifact against TensorFlow.js's webgpu backend and onnxruntime-web's WebGPU
// EP, side by side in one headless chromium page on one adapter (SwiftShader here), on the
// bench's workloads (models.ts); then kiln alone on Deno's WebGPU (lavapipe here). Per
// workload: every engine loads and runs once (cold), `--warmup` untimed runs each, then
// `--rounds` rounds in which each engine in turn does `--reps` timed runs, and more until
// `--round-ms` have passed (the order rotates per round), so load elsewhere hits every engine alike; each engine's median over all its
// samples. Peers' outputs are checked against kiln's (normwise 1e-3): a wrong setup cannot
// look fast. `--kernels N` also times each of kiln's dispatches alone (median of N).
// `--schedule '{"dot":{"tileK":32}}'` compiles kiln with WGSL_TARGET's schedule knobs
// changed, for experiments (on Deno too).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { stats } from '../../compiler/stats.js';
import { relError } from '../check.js';
import { openPage } from './browser.js';
import { buildPage, scheduleTarget, type ScheduleOverride } from './build.js';
import { denoAdapter, timeOnDeno } from './deno.js';
import type { Engine } from './page.js';
import { details, kernelTable, markdown, type WorkloadResult } from './table.js';

/** The issue's four workloads; --only picks others from models.ts. */
const DEFAULT = ['lenet-b64', 'mlp-b64', 'matmul-1024', 'chain-8x128x768'];
const ENGINES: Engine[] = ['kiln', 'tfjs', 'ort'];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string', multiple: true, default: [] },
    engines: { type: 'string', default: ENGINES.join(',') },
    reps: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    'round-ms': { type: 'string', default: '2000' },
    kernels: { type: 'string', default: '0' },
    schedule: { type: 'string' },
    'no-deno': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const int = (flag: 'reps' | 'rounds' | 'warmup' | 'kernels' | 'round-ms', min: number) => {
  const n = Number(opts[flag]);
  if (Number.isInteger(n) && n >= min) return n;
  console.error(`bench:webgpu: --${flag} must be an integer ≥ ${min}, not ${opts[flag]}`);
  process.exit(2);
};
const reps = int('reps', 1), rounds = int('rounds', 1), warmup = int('warmup', 0), kernelReps = int('kernels', 0), roundMs = int('round-ms', 0);
const only = opts.only.flatMap((o) => o.split(',')).filter(Boolean);
const engines = opts.engines.split(',').filter((e): e is Engine => (ENGINES as string[]).includes(e));
const log = (s: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

const load0 = loadavg()[0]!.toFixed(2);
log(`building ${(only.length ? only : DEFAULT).join(', ')}`);
const schedule = opts.schedule ? (JSON.parse(opts.schedule) as ScheduleOverride) : undefined;
const built = await buildPage(only.length ? only : DEFAULT, schedule);
if (schedule) log(`kiln compiled with WGSL_TARGET's schedule changed: ${JSON.stringify(schedule)}`);
const page = await openPage();
log(`adapters: ${JSON.stringify(page.adapters)}`);
const results: WorkloadResult[] = [];
try {
  for (const b of built) {
    const name = b.model.name;
    const l = await page.load(name, engines);
    if (l.ort) page.adapters.ort = l.ort;
    log(`${name}: loaded ${l.loaded.join(', ')} (first run ms ${JSON.stringify(l.ms, (_, v) => (typeof v === 'number' ? Math.round(v) : v))})${Object.keys(l.errors).length ? `; errors ${JSON.stringify(l.errors)}` : ''}`);
    for (const e of l.loaded) if (warmup) await page.time(e, warmup);
    const samples = new Map<Engine, number[]>(l.loaded.map((e) => [e, []]));
    for (let r = 0; r < rounds; r++) {
      const order = l.loaded.map((_, i) => l.loaded[(i + r) % l.loaded.length]!);
      for (const e of order) samples.get(e)!.push(...(await page.time(e, reps, roundMs)));
      log(`${name}: round ${r + 1}/${rounds}: ${order.map((e) => `${e} ${samples.get(e)!.length} runs`).join(', ')}`);
    }
    const c = await page.check();
    if (!(c.scale > 0)) l.errors.kiln = `kiln's output is all zeros or not finite (max |y| = ${c.scale}): the check means nothing`;
    const kernels = kernelReps && l.loaded.includes('kiln') ? await page.kernels(name, kernelReps) : undefined;
    results.push({
      model: b.model, compileMs: b.compileMs, coldMs: l.ms, errors: l.errors, check: c.errors, kernels,
      stats: Object.fromEntries([...samples].map(([e, s]) => [e, stats(s)])),
      kilnOut: c.kiln,
    });
    if (kernels) console.error(kernelTable(results.at(-1)!));
  }
} finally {
  if (page.errors.length) log(`page errors: ${page.errors.slice(0, 5).join(' | ')}`);
  await page.close();
}

if (!opts['no-deno']) {
  const { adapter, skip } = await denoAdapter();
  log(`deno: ${adapter ?? skip}`);
  for (const r of results) {
    if (skip) { r.deno = { skip }; continue; }
    const d = await timeOnDeno(r.model, warmup, reps * rounds, roundMs * rounds, schedule && scheduleTarget(schedule));
    const ref = r.kilnOut;
    r.deno = { ...d, check: d.output && ref ? relError([d.output], [ref]) : undefined };
    log(`${r.model.name} on deno: ${d.stats ? `median ${d.stats.median.toFixed(1)} ms` : d.skip}`);
  }
} else for (const r of results) r.deno = { skip: '--no-deno' };

console.log(`\n${cpus().length} × ${cpus()[0]?.model}; load average ${load0} before, ${loadavg()[0]!.toFixed(2)} after; ${warmup} warm-up run(s), then ${rounds} round(s) per engine, interleaved, each ≥ ${reps} timed run(s) and ≥ ${roundMs} ms`);
console.log(`page adapters: ${Object.entries(page.adapters).map(([e, a]) => `${e}: ${a}`).join('; ')}\n`);
console.log(markdown(results));
console.log(`\nms: median (p10–p90) of one run each, inputs uploaded and outputs read back to the CPU; ratio = peer / kiln, above 1 means kiln is faster.`);
console.log(details(results));
for (const r of results) if (r.kernels) console.log(`\n${kernelTable(r)}`);
if (opts.json) writeFileSync(opts.json, JSON.stringify(results.map(({ model, deno, kilnOut: _, ...r }) => ({ ...r, model: model.name, deno: deno && { ...deno, output: undefined } })), null, 2));
const wrong = results.some((r) => Object.values(r.check).some((c) => c! > 1e-3) || (r.deno?.check ?? 0) > 1e-3);
if (wrong) process.exitCode = 1;
process.exit();
