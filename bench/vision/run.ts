// `npm run bench:vision [-- --only NAME] [--reps N] [--rounds N] [--detail] [--json FILE]`:
// real vision networks and the single ops of issue 15, exported from PyTorch
// (export.py), run by kiln, onnxruntime-web (wasm) and onnxruntime-node (native CPU), each
// at 1 and 2 threads, with the main bench's harness: one child process per runner ×
// threads (../fork.ts), rounds interleaved, each cell's median round, and every runner's
// outputs checked against PyTorch's.
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countFlag, machineLine, runRounds, sendAndExit, writeJson } from '../fork.js';
import { measureRunner, type RunnerResult } from '../measure.js';
import { crossCheck, report } from '../report.js';
import type { RunnerSpec } from '../runner.js';
import { pytorchOutputs, visionDir, visionModels } from './models.js';
import { PYTORCH, visionReport } from './report.js';

const THREADS = [1, 2];
/** Table order. kiln is the relaxed-SIMD artifact, as the main bench's `kiln`. */
const RUNNERS: RunnerSpec[] = [
  { name: 'kiln', threads: THREADS, create: async (t) => (await import('../peers/kiln.js')).createKiln(t) },
  { name: 'ort', threads: THREADS, create: async (t) => (await import('../peers/ort.js')).createOrt(t) },
  { name: 'ort-node', threads: THREADS, create: async (t) => (await import('../peers/ort_node.js')).createOrtNode(t) },
];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string', multiple: true, default: [] },
    reps: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '1' },
    detail: { type: 'boolean', default: false },
    json: { type: 'string' },
    child: { type: 'string' },
    dir: { type: 'string' },
  },
});
const reps = countFlag('bench:vision', 'reps', opts.reps);
const rounds = countFlag('bench:vision', 'rounds', opts.rounds);
// --only takes case names, kinds (network, op) or runner names, repeated or comma-separated.
const only = opts.only.flatMap((o) => o.split(',')).filter(Boolean);
const runnerFilter = only.filter((o) => RUNNERS.some((r) => r.name === o));
const modelFilter = only.filter((o) => !runnerFilter.includes(o));

if (opts.child) await child(opts.child, opts.dir!);
else
  await main().catch((e: Error) => {
    console.error(`bench:vision: ${e.message}`);
    process.exit(2);
  });

/** In the child: measure one runner at one thread count over the exported models. */
async function child(which: string, dir: string) {
  const [name, threads] = which.split(':');
  const spec = RUNNERS.find((r) => r.name === name)!;
  await sendAndExit(await measureRunner(spec, Number(threads), visionModels(dir, modelFilter), reps));
}

async function main() {
  console.error('bench:vision: exporting the models from PyTorch (cached per version of export.py)');
  const dir = visionDir();
  const models = visionModels(dir, modelFilter);
  const runners = runnerFilter.length ? RUNNERS.filter((r) => runnerFilter.includes(r.name)) : RUNNERS;
  const load = loadavg()[0]!.toFixed(2);
  console.error(`bench:vision: ${models.length} models, ${reps} timed runs each, ${rounds} round(s); ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}`);

  const args = ['--dir', dir, '--reps', String(reps), ...modelFilter.flatMap((m) => ['--only', m])];
  const results = await runRounds(fileURLToPath(import.meta.url), runners, rounds, args);
  // PyTorch's outputs lead the list, so crossCheck holds every runner to them.
  const torch: RunnerResult = { runner: PYTORCH, threads: 1, models: models.map((m) => ({ model: m.name, outputs: pytorchOutputs(dir, m) })) };
  const checks = crossCheck([torch, ...results]).filter((c) => c.runner !== PYTORCH);

  console.log(`\n${machineLine(load, reps, rounds)}\n`);
  console.log(visionReport(models, results, checks, THREADS));
  if (opts.detail) console.log(`\n${report(models, results, undefined, checks)}`);
  if (opts.json) writeJson(opts.json, reps, rounds, models, results, { checks });
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}
