// `npm run bench [-- --only NAME] [--reps N] [--rounds N] [--json FILE]`: builds the models,
// measures every runner at each thread count, then the native roof, and prints one table.
//
// Each runner × thread count runs in a child process of its own (this file again,
// with --child; fork.ts says why).
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureRunner } from './measure.js';
import { benchModels, writeModels } from './models.js';
import { crossCheck, report } from './report.js';
import { measureRoof } from './roof/roof.js';
import type { RunnerSpec } from './runner.js';
import { countFlag, machineLine, runRounds, sendAndExit, writeJson } from './fork.js';

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
const reps = countFlag('bench', 'reps', opts.reps);
const rounds = countFlag('bench', 'rounds', opts.rounds);
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

  const results = await runRounds(fileURLToPath(import.meta.url), runners, rounds, ['--reps', String(reps), ...modelFilter.flatMap((m) => ['--only', m])]);
  const sizes = models.filter((m) => m.family === 'matmul').map((m) => m.params.n!);
  const roof = withRoof ? measureRoof(sizes, Math.max(reps, 10), [1, 2]) : undefined;
  const checks = crossCheck(results);

  console.log(`\n${machineLine(load, reps, rounds)}\n`);
  console.log(report(models, results, roof, checks));
  if (opts.json) writeJson(opts.json, reps, rounds, models, results, { roof, checks });
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}
