// `npm run bench:train [-- --model cnn|softmax|both] [--rounds R] [--only PEERS] [--baseline PEER]`:
// one train step (forward, backward, optimizer update) of TensorFlow's two MNIST models,
// kiln against TensorFlow.js (wasm), jax-js (wasm) and PyTorch (CPU), all on one thread,
// on the same batches and initial weights (fixtures.ts, written once per run).
//
// Every peer runs in a fresh child process per round (peer.ts has the protocol): runtimes
// fix their threads and heaps per process, and tfjs and jax-js must not share one. Rounds
// interleave the peers, so a burst of load elsewhere hits one round of each, not every
// round of one; each peer's number is its median round.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hasRelaxedSimd } from '../../runtime/wasm/index.js';
import { MODEL_NAMES, writeFixtures, type ModelName } from './fixtures.js';
import { RESULT_PREFIX, type StepResult, type TimingPlan } from './peer.js';

interface PeerSpec {
  name: string;
  /** In bench/train/; a peer whose file is absent is skipped. */
  file: string;
  python?: boolean;
}
/** Table order; kiln is the baseline of the ratios when it is here. */
const PEERS: PeerSpec[] = [
  { name: 'kiln', file: 'kiln.ts' },
  { name: 'tfjs', file: 'tfjs.ts' },
  { name: 'jax-js', file: 'jaxjs.ts' },
  { name: 'pytorch', file: 'pytorch.py', python: true },
];
const PYTHON = '/usr/bin/python3';
/**
 * Steps per round: the CNN's peers take ~0.2–1 s a step, so a round is 2 untimed steps
 * (the first one traces and compiles) and 2 timed; the softmax step is 0.1–3 ms, timed
 * in samples of 20 steps.
 */
const PLANS: Record<ModelName, TimingPlan> = {
  cnn: { warmup: 2, samples: 2, steps: 1 },
  softmax: { warmup: 20, samples: 5, steps: 20 },
};
/** The step-1 losses (same weights, same batch) must agree this closely; later ones drift with rounding. */
const LOSS_TOLERANCE = 1e-4;
/** As bench/run.ts: every Node peer runs with relaxed SIMD, as browsers and Node 22+ ship it. */
const NODE_ARGV = hasRelaxedSimd() ? process.execArgv : [...process.execArgv, '--experimental-wasm-relaxed-simd'];

const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '3' },
    samples: { type: 'string' },
    only: { type: 'string' },
    baseline: { type: 'string' },
  },
});
function fail(message: string): never {
  console.error(`bench:train: ${message}`);
  process.exit(2);
}
const models: ModelName[] = opts.model === 'both' ? MODEL_NAMES : MODEL_NAMES.includes(opts.model as ModelName) ? [opts.model as ModelName] : fail(`--model is cnn, softmax or both, not ${opts.model}`);
const rounds = Number(opts.rounds);
if (!Number.isInteger(rounds) || rounds < 1) fail(`--rounds must be a positive integer, not ${opts.rounds}`);
const only = opts.only?.split(',').filter(Boolean);
for (const o of only ?? []) if (!PEERS.some((p) => p.name === o)) fail(`no peer ${o} (${PEERS.map((p) => p.name).join(', ')})`);

const present = PEERS.filter((p) => !only || only.includes(p.name));
const skipped = new Map<string, string>();
for (const p of present) if (!existsSync(join(import.meta.dirname, p.file))) skipped.set(p.name, `no bench/train/${p.file}`);
const peers = present.filter((p) => !skipped.has(p.name));
if (peers.length === 0) fail('no peer to run');
const baseline = opts.baseline ?? (peers.some((p) => p.name === 'kiln') ? 'kiln' : peers.some((p) => p.name === 'pytorch') ? 'pytorch' : peers[0]!.name);
if (!peers.some((p) => p.name === baseline)) fail(`baseline ${baseline} is not among the peers run`);

/** Runs one peer once; resolves to its result or to why there is none. */
function runPeer(peer: PeerSpec, fixtures: string, model: ModelName, plan: TimingPlan): Promise<StepResult | { error: string }> {
  const file = join(import.meta.dirname, peer.file);
  const args = ['--fixtures', fixtures, '--model', model, '--warmup', String(plan.warmup), '--samples', String(plan.samples), '--steps', String(plan.steps)];
  const [cmd, argv] = peer.python ? [PYTHON, [file, ...args]] : [process.execPath, [...NODE_ARGV, join(import.meta.dirname, 'child.ts'), '--peer', file, ...args]];
  // One thread everywhere, whatever a library would pick by itself.
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const proc = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve) =>
    proc.on('close', (code, signal) => {
      const lines = out.split('\n');
      for (const l of lines) if (l && !l.startsWith(RESULT_PREFIX)) process.stderr.write(`  [${peer.name}] ${l}\n`);
      const line = lines.find((l) => l.startsWith(RESULT_PREFIX));
      resolve(line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as StepResult) : { error: `exited without a result (${signal ?? `exit ${code}`})` });
    }),
  );
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

interface Cell {
  results: StepResult[];
  error?: string;
}

function table(model: ModelName, cells: Map<string, Cell>): { text: string; ok: boolean } {
  const plan = PLANS[model];
  const timed = plan.samples * plan.steps;
  const stepMs = (c: Cell) => median(c.results.map((r) => median(r.samples)));
  const base = cells.get(baseline)!;
  const baseMs = base.results.length ? stepMs(base) : NaN;
  const ref = base.results[0]?.losses;
  let ok = true;
  const rows = [
    `| peer | ms/step (median round) | rounds: min–max | ${baseline === 'kiln' ? 'peer / kiln' : `peer / ${baseline}`} | step-1 loss | Δ vs ${baseline} | loss at step ${plan.warmup + timed} | setup + first step ms |`,
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const p of present) {
    const c = cells.get(p.name);
    if (!c || c.error) {
      rows.push(`| ${p.name} | skipped: ${skipped.get(p.name) ?? c?.error} | | | | | | |`);
      continue;
    }
    const perRound = c.results.map((r) => median(r.samples));
    const losses = c.results[0]!.losses;
    const d = ref ? Math.abs(losses[0]! - ref[0]!) : NaN;
    if (!(d <= LOSS_TOLERANCE)) ok = false;
    const first = median(c.results.map((r) => r.setupMs + r.firstStepMs));
    rows.push(
      `| ${p.name} | ${ms(stepMs(c))} | ${ms(Math.min(...perRound))}–${ms(Math.max(...perRound))} | ${(stepMs(c) / baseMs).toFixed(2)}x | ${losses[0]!.toFixed(6)} | ${d.toExponential(1)}${d <= LOSS_TOLERANCE ? '' : ' **FAIL**'} | ${losses.at(-1)!.toFixed(5)} | ${ms(first)} |`,
    );
  }
  const notes = present.filter((p) => cells.get(p.name)?.results.length).map((p) => `- ${p.name}: ${cells.get(p.name)!.results[0]!.note}`);
  const title = model === 'cnn' ? 'CNN (Deep MNIST, no dropout), batch 64, Adam' : 'softmax regression, batch 100, SGD';
  const how = `${plan.warmup} untimed + ${timed} timed steps per round (${plan.samples} samples of ${plan.steps})`;
  return { text: [`### ${title}: ${how}`, '', ...rows, '', ...notes].join('\n'), ok };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-train-'));
  const load = loadavg()[0]!.toFixed(2);
  try {
    writeFixtures(dir);
    if (opts.samples) for (const m of models) PLANS[m].samples = Number(opts.samples);
    console.error(`bench:train: ${models.join(', ')}; ${peers.map((p) => p.name).join(', ')}; ${rounds} round(s); ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}`);
    const out: string[] = [];
    let ok = true;
    for (const model of models) {
      const cells = new Map<string, Cell>(peers.map((p) => [p.name, { results: [] }]));
      for (let round = 1; round <= rounds; round++)
        for (const p of peers) {
          const cell = cells.get(p.name)!;
          if (cell.error) continue;
          const t = performance.now();
          const r = await runPeer(p, dir, model, PLANS[model]);
          if ('error' in r) cell.error = r.error;
          else cell.results.push(r);
          const took = ((performance.now() - t) / 1000).toFixed(1);
          console.error(`  ${model} round ${round}/${rounds} ${p.name}: ${'error' in r ? r.error : `${ms(median(r.samples))} ms/step`} (${took} s)`);
        }
      const t = table(model, cells);
      out.push(t.text);
      ok &&= t.ok;
    }
    console.log(`\n${cpus().length} × ${cpus()[0]?.model}, node ${process.version}; load average ${load} before, ${loadavg()[0]!.toFixed(2)} after; ${rounds} round(s), each peer in a fresh process per round\n`);
    console.log(out.join('\n\n'));
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main().catch((e: Error) => fail(e.message));
