// `kiln bench`: how long a model takes to compile, load and run. The wasm backend is
// measured through exactly what `kiln compile` ships: the artifact folder is written to
// a temporary directory and its own model.js (over its runtime/index.js) loads its
// model.wasm, as an application would. Other backends are timed through the Backend
// interface. Inputs come from --input/--random as for `kiln run`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { ARRAY_OF, type TypedArray } from '../../runtime/wasm/index.js';
import type { WasmOptimize } from '../../targets/wasm/index.js';
import type { CompiledArtifact } from '../artifact/index.js';
import type { KernelProfile } from '../profile.js';
import { findBackend, type Backend } from '../backend.js';
import { UsageError } from '../errors.js';
import { inputBytes } from '../program_io.js';
import { stats } from '../stats.js';
import { TARGETS } from '../targets.js';
import { binaryenFlag, ensureAvailable, integerFlag, one } from './flags.js';
import { modelWithInputs } from './model_inputs.js';
import { profileText } from './profile.js';
import { BENCH_DEFAULTS, type Values } from './options.js';

const { reps: DEFAULT_REPS, warmup: DEFAULT_WARMUP } = BENCH_DEFAULTS;

/** What `kiln bench --json` prints. Times in milliseconds. */
export interface BenchResult {
  file: string;
  backend: string;
  /** Threads the model ran on: the runtime falls back to 1 where the host cannot run more. */
  threads: number;
  threadsRequested: number;
  fusion: boolean;
  /** wasm: the module file that ran (model.relaxed.wasm with --relaxed-simd on an engine that has it); null for other backends. */
  module: string | null;
  /** wasm: passes, lowering and binaryen (not writing the runtime and wrapper); other backends: prepare(). */
  compileMs: number;
  /** wasm: WebAssembly compile + instantiate (+ starting worker threads); null where a backend has no load step. */
  loadMs: number | null;
  firstRunMs: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  minMs: number;
  /** Timed runs (after `warmup` untimed ones, which follow the first run). */
  reps: number;
  warmup: number;
  /** --profile: each kernel's time, from a profiled build run `warmup` + `reps` times more. */
  profile?: KernelProfile;
}

/** A model ready to time: `run()` runs it once on fixed inputs. */
interface Subject {
  compileMs: number;
  loadMs: number | null;
  threads: number;
  module: string | null;
  run(): Promise<unknown>;
  dispose(): void;
}

interface BenchOptions {
  threads: number;
  fusion: boolean;
  relaxedSimd: boolean;
  binaryen?: WasmOptimize;
  outputNames?: readonly string[];
}

/** The part of a compiled folder's model.js that bench uses (see compiler/artifact/wrapper.ts). */
interface ArtifactWrapper {
  wasmFile(): string;
  load(wasm: Uint8Array, weights?: Uint8Array, threads?: number): Promise<{
    readonly threads: number;
    run(inputs: Record<string, TypedArray>): Promise<Record<string, TypedArray>>;
    dispose(): void;
  }>;
}

/**
 * Compiles `m` as `kiln compile` does, writes the folder, and loads it through the
 * folder's own model.js. The folder is removed once loaded (everything is in memory).
 */
async function wasmSubject(m: Module, args: readonly Literal[], opts: BenchOptions): Promise<Subject> {
  const artifactOptions = { target: TARGETS.wasm.description, threads: opts.threads > 1, fusion: opts.fusion, relaxedSimd: opts.relaxedSimd, outputNames: opts.outputNames, binaryen: opts.binaryen };
  // Imported here, not at the top: compiler/artifact/ loads binaryen and TypeScript (see backend.ts).
  const { compileArtifact, packageArtifact, writeArtifact } = await import('../artifact/index.js');
  const t0 = performance.now();
  const compiled = compileArtifact(m, artifactOptions);
  const compileMs = performance.now() - t0;
  const inputs = artifactInputs(compiled, args);
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-'));
  try {
    writeArtifact(packageArtifact(m, compiled, artifactOptions), dir);
    const wrapper = (await import(pathToFileURL(join(dir, 'model.js')).href)) as ArtifactWrapper;
    const file = wrapper.wasmFile();
    const wasm = readFileSync(join(dir, file));
    const weightsPath = join(dir, 'weights.bin');
    const weights = existsSync(weightsPath) ? readFileSync(weightsPath) : undefined;
    const t1 = performance.now();
    const model = await wrapper.load(wasm, weights, opts.threads);
    const loadMs = performance.now() - t1;
    return { compileMs, loadMs, threads: model.threads, module: file, run: () => model.run(inputs), dispose: () => model.dispose() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The entry's arguments as the typed arrays the artifact's run() takes, by input name. */
function artifactInputs({ program, wasm }: CompiledArtifact, args: readonly Literal[]): Record<string, TypedArray> {
  const tensors = wasm.manifest.inputs;
  // inputBytes gives each input a fresh buffer of exactly its size.
  return Object.fromEntries(inputBytes(program, args).map(({ bytes }, i) => [tensors[i].name, new ARRAY_OF[tensors[i].dtype](bytes.buffer)]));
}

/**
 * WebGPU, through what the backend runs: compile is passes and lowering for WGSL_TARGET;
 * load is rendering the WGSL and loadModel in the Deno child (shader modules, pipelines,
 * the weights' upload); a run is runtime/webgpu's run there plus the inputs' and outputs'
 * trip through the pipe between Node and Deno (a few bytes for small models).
 */
async function webgpuSubject(m: Module, args: readonly Literal[]): Promise<Subject> {
  const { compileProgram } = await import('../compile.js');
  const { loadWebGpuProgram } = await import('../webgpu_backend.js');
  const t0 = performance.now();
  const { program } = compileProgram(m, { target: TARGETS.wgsl.description });
  const compileMs = performance.now() - t0;
  const inputs = inputBytes(program, args).map(({ bytes }) => bytes);
  const t1 = performance.now();
  const loaded = await loadWebGpuProgram(program);
  const loadMs = performance.now() - t1;
  return { compileMs, loadMs, threads: 1, module: null, run: () => loaded.run(inputs), dispose: () => void loaded.dispose() };
}

/** Any other backend: prepare() is its compile step; there is nothing to load. */
async function backendSubject(backend: Backend, m: Module, args: readonly Literal[]): Promise<Subject> {
  const t0 = performance.now();
  const exe = await backend.prepare(m);
  return { compileMs: performance.now() - t0, loadMs: null, threads: 1, module: null, run: () => exe.run(args), dispose: () => {} };
}

/** The first run, `warmup` untimed runs, then `reps` timed ones. */
async function timeRuns(s: Subject, warmup: number, reps: number): Promise<{ firstRunMs: number; samples: number[] }> {
  const t0 = performance.now();
  await s.run();
  const firstRunMs = performance.now() - t0;
  for (let i = 0; i < warmup; i++) await s.run();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await s.run();
    samples.push(performance.now() - t);
  }
  return { firstRunMs, samples };
}

/** Checks the flags against the backend; returns the backend and the run settings. */
function settings(v: Values) {
  const backend = findBackend((v.backend as string | undefined) ?? 'wasm');
  const threads = integerFlag(v, 'threads', 1, 1);
  const fusion = v['no-fusion'] !== true;
  if (backend.name !== 'wasm' && threads > 1) throw new UsageError(`--threads applies to --backend wasm only (got --backend ${backend.name})`);
  if (backend.name !== 'wasm' && !fusion) throw new UsageError(`--no-fusion applies to --backend wasm only (got --backend ${backend.name})`);
  const binaryen = binaryenFlag(v);
  if (backend.name !== 'wasm' && binaryen) throw new UsageError(`--binaryen applies to --backend wasm only (got --backend ${backend.name})`);
  const relaxedSimd = v['relaxed-simd'] === true;
  if (backend.name !== 'wasm' && relaxedSimd) throw new UsageError(`--relaxed-simd applies to --backend wasm only (got --backend ${backend.name})`);
  const profile = v.profile === true;
  if (profile && backend.name !== 'wasm') throw new UsageError(`--profile applies to --backend wasm only (got --backend ${backend.name})`);
  if (profile && threads > 1) throw new UsageError(`--profile runs on one thread (got --threads ${threads})`);
  return { backend, threads, fusion, relaxedSimd, binaryen, profile, reps: integerFlag(v, 'reps', DEFAULT_REPS, 1), warmup: integerFlag(v, 'warmup', DEFAULT_WARMUP, 0) };
}

export async function bench(file: string, v: Values): Promise<BenchResult> {
  const { backend, threads, fusion, relaxedSimd, binaryen, profile, reps, warmup } = settings(v);
  const { module: m, outputNames, args } = modelWithInputs(file, v, (line) => console.error(`kiln bench: note: ${line}`));
  await ensureAvailable(backend.name);
  const subject = backend.name === 'wasm' ? await wasmSubject(m, args, { threads, fusion, relaxedSimd, binaryen, outputNames })
    : backend.name === 'webgpu' ? await webgpuSubject(m, args) : await backendSubject(backend, m, args);
  let result: BenchResult;
  try {
    const { firstRunMs, samples } = await timeRuns(subject, warmup, reps);
    const s = stats(samples);
    result = {
      file, backend: backend.name, threads: subject.threads, threadsRequested: threads, fusion, module: subject.module,
      compileMs: round3(subject.compileMs), loadMs: subject.loadMs === null ? null : round3(subject.loadMs), firstRunMs: round3(firstRunMs),
      medianMs: round3(s.median), p10Ms: round3(s.p10), p90Ms: round3(s.p90), minMs: round3(s.min), reps, warmup,
    };
  } finally {
    subject.dispose(); // stops the runtime's worker threads, so the process can exit
  }
  if (!profile) return result;
  // Imported here, not at the top: it loads binaryen (see backend.ts).
  const { profileWasm } = await import('../profile.js');
  const { runs, totalMs, kernelsMedianMs, runMedianMs, rows } = await profileWasm(m, args, { fusion, relaxedSimd, binaryen, warmup, reps });
  const times = { totalMs: round3(totalMs), kernelsMedianMs: round3(kernelsMedianMs), runMedianMs: round3(runMedianMs) };
  return { ...result, profile: { runs, ...times, rows: rows.map((x) => ({ ...x, ms: round3(x.ms), share: Math.round(x.share * 100) / 100 })) } };
}

/** Milliseconds to the microsecond, for the JSON. */
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** What each backend's compile and load times hold, where it has more than prepare(). */
const COMPILE_NOTE: Readonly<Record<string, string>> = { wasm: 'passes, lowering, binaryen', webgpu: 'passes, lowering' };
const LOAD_NOTE: Readonly<Record<string, string>> = { wasm: 'WebAssembly compile + instantiate', webgpu: 'WGSL render, pipelines and weights in Deno' };

const ms = (x: number): string => `${x < 1 ? x.toFixed(3) : x < 100 ? x.toFixed(2) : x.toFixed(1)} ms`;

export function benchText(r: BenchResult): string {
  const threads = `${r.threads} thread${r.threads === 1 ? '' : 's'}`;
  const fellBack = r.threads < r.threadsRequested ? ` (asked for ${r.threadsRequested}: this host or build cannot run more)` : '';
  const rows: [string, string, string][] = [
    ['compile', ms(r.compileMs), COMPILE_NOTE[r.backend] ?? 'prepare'],
    ['load', r.loadMs === null ? '—' : ms(r.loadMs), r.loadMs === null ? 'nothing to load' : LOAD_NOTE[r.backend] ?? ''],
    ['first run', ms(r.firstRunMs), ''],
    ['median', ms(r.medianMs), `over ${r.reps} runs after ${r.warmup} warm-up`],
    ['p10', ms(r.p10Ms), ''],
    ['p90', ms(r.p90Ms), ''],
  ];
  const width = Math.max(...rows.map((x) => x[1].length));
  return [
    `${r.file} on ${r.backend}${r.module ? ` (${r.module})` : ''}, ${threads}${fellBack}${r.fusion ? '' : ', fusion off'}`,
    ...rows.map(([name, value, note]) => `  ${name.padEnd(10)}${value.padStart(width)}${note ? `  ${note}` : ''}`),
  ].join('\n');
}

export async function runBench(pos: string[], v: Values): Promise<number> {
  const result = await bench(one(pos, 'model file'), v);
  const profile = result.profile ? `\n\n${profileText(result.profile, result.medianMs)}` : '';
  console.log(v.json ? JSON.stringify(result) : benchText(result) + profile);
  return 0;
}
