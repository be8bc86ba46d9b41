// A kernel profile: where a wasm run's time goes, kernel by kernel (`kiln bench --profile`).
// The program is built once more as a profiled module (targets/wasm/profile.ts), which
// calls out to a clock here at the start of each run and after each launch; the time
// between two ticks is the launch's. The module is loaded by runtime/wasm as an artifact's
// would be, on one thread (the tick is a host function, and worker threads cannot be sent
// one), and runs on the bench's inputs.
//
// What a launch's time holds: its kernel, and whatever ran between the tick before and it
// (a while's predicate read, a switch's br_table): nanoseconds beside any kernel. The first
// launch's time starts inside the module, so copying inputs in is no kernel's.
import type { Kernel, Program } from '../ir/kernel/kernel.js';
import type { Literal } from '../ir/literal.js';
import { calledComputations, type Instruction, type Module } from '../ir/module.js';
import { shapeToString } from '../ir/shape.js';
import { ARRAY_OF, hasRelaxedSimd, loadModel, type TypedArray } from '../runtime/wasm/index.js';
import { compileWasm, PROFILE_START, PROFILE_TICK, type WasmOptimize } from '../targets/wasm/index.js';
import { compileProgram } from './compile.js';
import { inputBytes } from './program_io.js';
import { stats } from './stats.js';
import { TARGETS } from './targets.js';

/** One kernel's share of a run. Times in milliseconds per run, averaged over the profiled runs. */
export interface ProfileRow {
  /** The kernel's name (Kernel.name), as lowering gave it. */
  kernel: string;
  /** Its schedule, `key=value` pairs (tiles, lanes); '' when it has none. */
  schedule: string;
  /** The HLO instruction it came from, on one line: name, shape, opcode (a fusion's fused opcodes). */
  source: string;
  ms: number;
  /** Launches per run (more than 1 in a while body, fewer in a switch branch not always taken). */
  calls: number;
  /** Percent of the kernels' total. */
  share: number;
}

/** What `kiln bench --profile` adds, heaviest kernel first. */
export interface KernelProfile {
  /** The profiled runs (after the warm-up ones). */
  runs: number;
  /** The kernels' total per run, the mean (the rows' sum): the profiled module's run less its entry and the input and output copies. */
  totalMs: number;
  /** The kernels' total per run, the median over the runs: steadier than the mean on a busy machine. */
  kernelsMedianMs: number;
  /** The profiled runs' median, whole: entry, kernels, ticks, and the input and output copies. */
  runMedianMs: number;
  rows: ProfileRow[];
}

export interface ProfileOptions {
  fusion: boolean;
  relaxedSimd: boolean;
  binaryen?: WasmOptimize;
  warmup: number;
  reps: number;
}

/** Sum of time and count of ticks per launch site, since the last reset. */
class SiteClock {
  readonly ms: Float64Array;
  readonly calls: Float64Array;
  /** All sites' time since the last reset. */
  total = 0;
  private last = 0;
  constructor(sites: number) {
    this.ms = new Float64Array(sites);
    this.calls = new Float64Array(sites);
  }
  /** The module's import: the time since the last tick is `site`'s. */
  readonly tick = (site: number): void => {
    const now = performance.now();
    if (site !== PROFILE_START) {
      this.ms[site] += now - this.last;
      this.total += now - this.last;
      this.calls[site]++;
    }
    this.last = now;
  };
  reset(): void {
    this.ms.fill(0);
    this.calls.fill(0);
    this.total = 0;
  }
}

/** Profiles `m` on `args`; `outputs` are the last run's, by output name, to check against an unprofiled build. */
export async function profileWasm(m: Module, args: readonly Literal[], opts: ProfileOptions): Promise<KernelProfile & { outputs: Record<string, TypedArray> }> {
  const { optimized, program } = compileProgram(m, { target: TARGETS.wasm.description, fusion: opts.fusion });
  const art = compileWasm(program, { profile: true, optimize: opts.binaryen, relaxedSimd: opts.relaxedSimd && hasRelaxedSimd() });
  const sites = art.profileSites ?? [];
  const clock = new SiteClock(sites.length);
  const model = await loadModel(art.wasm, art.manifest, { weights: art.weights, imports: { [PROFILE_TICK]: clock.tick } });
  try {
    const tensors = art.manifest.inputs;
    const inputs = inputBytes(program, args).map(({ bytes }, i) => new ARRAY_OF[tensors[i].dtype](bytes.buffer));
    for (let i = 0; i < opts.warmup; i++) await model.run(inputs);
    clock.reset();
    let outputs: Record<string, TypedArray> = {};
    const runs: number[] = [], kernels: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      const t = performance.now(), before = clock.total;
      outputs = await model.run(inputs);
      runs.push(performance.now() - t);
      kernels.push(clock.total - before);
    }
    return { ...kernelRows(program, optimized, sites, clock, opts.reps), kernelsMedianMs: stats(kernels).median, runMedianMs: stats(runs).median, outputs };
  } finally {
    model.dispose();
  }
}

/** The sites' times summed per kernel (a kernel may have several sites), heaviest first. */
function kernelRows(p: Program, optimized: Module, sites: readonly number[], clock: SiteClock, runs: number): Omit<KernelProfile, 'runMedianMs' | 'kernelsMedianMs'> {
  const ms = new Float64Array(p.kernels.length), calls = new Float64Array(p.kernels.length);
  sites.forEach((k, site) => { ms[k] += clock.ms[site]; calls[k] += clock.calls[site]; });
  const total = ms.reduce((a, b) => a + b, 0);
  const source = sourceLines(optimized);
  const rows = p.kernels.map((k, i): ProfileRow => ({
    kernel: k.name, schedule: scheduleText(k), source: source(k.source),
    ms: ms[i] / runs, calls: calls[i] / runs, share: total > 0 ? (100 * ms[i]) / total : 0,
  }));
  return { runs, totalMs: total / runs, rows: rows.filter((r) => r.calls > 0).sort((a, b) => b.ms - a.ms) };
}

const scheduleText = (k: Kernel): string => Object.entries(k.schedule).map(([key, v]) => `${key}=${v}`).join(' ');

const SOURCE_CHARS = 100;

/**
 * A kernel's source instruction as one line, found by name. Names may repeat across
 * computations (a while body's `fusion` and the entry's): where the instructions of a name
 * read differently, the line says so rather than pick one.
 */
function sourceLines(m: Module): (name: string) => string {
  const byName = new Map<string, Set<string>>();
  for (const c of m.computations)
    for (const i of c.instructions) {
      const text = `${i.name} = ${shapeToString(i.shape, { layout: false })} ${i.opcode}${fusedOps(i)}`;
      byName.set(i.name, (byName.get(i.name) ?? new Set()).add(text));
    }
  return (name) => {
    const texts = [...(byName.get(name) ?? [])];
    const text = texts.length === 1 ? texts[0] : texts.length === 0 ? name : `${name} (one of ${texts.length} instructions of that name)`;
    return text.length > SOURCE_CHARS ? `${text.slice(0, SOURCE_CHARS - 1)}…` : text;
  };
}

/** `: convolution add maximum` for a fusion (its opcodes, each once, parameters left out); '' otherwise. */
function fusedOps(i: Instruction): string {
  if (i.opcode !== 'fusion') return '';
  const ops = new Set(calledComputations(i).flatMap((c) => c.instructions.map((x) => x.opcode)).filter((op) => op !== 'parameter'));
  return `: ${[...ops].join(' ')}`;
}
