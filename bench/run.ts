// `npm run bench [-- --only NAME] [--reps N] [--rounds N] [--json FILE]`: builds the models,
// measures every runner at each thread count, then the native roof, and prints one table.
//
// Each runner × thread count runs in a child process of its own (this file again,
// with --child; fork.ts says why).
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureRunner, medianOfRounds, type RunnerResult } from './measure.js';
import { benchModels, writeModels } from './models.js';
import { crossCheck, report } from './report.js';
import { measureRoof } from './roof/roof.js';
import type { RunnerSpec } from './runner.js';
import { runChild, sendAndExit } from './fork.js';

/** The runners, in table order; the first one to run a model is the cross-check's reference. */
const RUNNERS: RunnerSpec[] = [
  { name: 'ort', threads: [1, 2], create: async (t) => (await import('./peers/ort.js')).createOrt(t) },
  { name: 'tfjs', threads: [1, 2], create: async (t) => (await import('./peers/tfjs.js')).createTfjs(t) },
  { name: 'kiln', threads: [1, 2], create: async (t) => (await import('./peers/kiln.js')).createKiln(t) },
  { name: 'kiln-simd128', threads: [1], create: async (t) => (await import('./peers/kiln.js')).createKiln(t, { relaxedSimd: false }) },
  { name: 'kiln-nofusion', threads: [1], create: async (t) => (await import('./peers/kiln.js')).createKiln(t, { fusion: false }) },
];
/** `--only roof` (or `openblas`) selects the native roof. */
const ROOF_NAMES = ['roof', 'openblas'];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string', multiple: true, default: [] },
    reps: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '1' },
    json: { type: 'string' },
    child: { type: 'string' },
  },
});
function count(flag: 'reps' | 'rounds'): number {
  const n = Number(opts[flag]);
  if (Number.isInteger(n) && n >= 1) return n;
  console.error(`bench: --${flag} must be a positive integer, not ${opts[flag]}`);
  process.exit(2);
}
const reps = count('reps');
const rounds = count('rounds');
// --only takes model names, families, runner names or `roof`, repeated or comma-separated.
const only = opts.only.flatMap((o) => o.split(',')).filter(Boolean);
const isRunner = (o: string) => RUNNERS.some((r) => r.name === o) || ROOF_NAMES.includes(o);
const modelFilter = only.filter((o) => !isRunner(o));
const runnerFilter = only.filter(isRunner);

if (opts.child) await child(opts.child);
else
  await main().catch((e: Error) => {
    console.error(`bench: ${e.message}`);
    process.exit(2);
  });

/** In the child: measure one runner at one thread count and send the result to the parent. */
async function child(which: string) {
  const [name, threads] = which.split(':');
  const spec = RUNNERS.find((r) => r.name === name)!;
  await sendAndExit(await measureRunner(spec, Number(threads), benchModels(modelFilter), reps));
}

async function main() {
  const models = writeModels(modelFilter);
  const runners = runnerFilter.length ? RUNNERS.filter((r) => runnerFilter.includes(r.name)) : RUNNERS;
  const withRoof = runnerFilter.length === 0 || runnerFilter.some((o) => ROOF_NAMES.includes(o));
  const load = loadavg()[0]!.toFixed(2);
  console.error(`kiln bench: ${models.length} models, ${reps} timed runs each, ${rounds} round(s); ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}`);

  // Rounds interleave the runners, so a burst of load elsewhere hits one round of each
  // rather than every round of one; medianOfRounds then takes each cell's median round.
  const byCell = new Map<string, RunnerResult[]>();
  for (let round = 1; round <= rounds; round++)
    for (const spec of runners)
      for (const t of spec.threads) {
        const start = performance.now();
        const r = await runChild(fileURLToPath(import.meta.url), spec.name, t, ['--reps', String(reps), ...modelFilter.flatMap((m) => ['--only', m])]);
        const key = `${r.runner} ${r.threads}`;
        byCell.set(key, [...(byCell.get(key) ?? []), r]);
        console.error(`  round ${round}/${rounds} ${spec.name} ${t}t: ${((performance.now() - start) / 1000).toFixed(1)} s`);
      }
  const results = [...byCell.values()].map(medianOfRounds);
  const sizes = models.filter((m) => m.family === 'matmul').map((m) => m.params.n!);
  const roof = withRoof ? measureRoof(sizes, Math.max(reps, 10), [1, 2]) : undefined;
  const checks = crossCheck(results);

  const per = rounds > 1 ? `${reps} timed runs per cell, the median round of ${rounds}` : `${reps} timed runs per cell`;
  console.log(`\n${cpus().length} × ${cpus()[0]?.model}, node ${process.version}; load average ${load} before, ${loadavg()[0]!.toFixed(2)} after; ${per}\n`);
  console.log(report(models, results, roof, checks));
  if (opts.json) {
    const strip = results.map((r) => ({ ...r, models: r.models.map(({ outputs: _, ...m }) => m) }));
    const plain = models.map(({ weights: _, ...m }) => m);
    writeFileSync(opts.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, reps, rounds, models: plain, results: strip, roof, checks }, null, 2));
  }
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}
