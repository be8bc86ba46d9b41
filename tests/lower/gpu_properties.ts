// One property suite per GPU schedule (passes/lower/gpu_*.ts): seeded random shapes, sizes on
// and off the workgroup tiles, plus a few fixed examples (whole tiles, LeNet's first
// convolution, a transposed convolution, transposes with a dim of 1). Each case says which kernels its program must have, so a fallback to the
// plain loop kernel cannot make a property vacuous. Two thin files run the suite: on the
// kernel IR executor (tests/lower/gpu_properties.test.ts: shuffled workgroups, races and
// barriers checked) and on WebGPU (tests/wgsl/gpu_properties.test.ts: Deno, lavapipe here).
// Both compare with the HLO interpreter within TOLERANCE.
import type { Tolerance } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { rng } from '../../compiler/random.js';
import type { Program } from '../../ir/kernel/kernel.js';
import type { Module } from '../../ir/module.js';
import type { GpuSchedule } from '../../ir/target.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import {
  BATCHED, biasRelu, chain, convModule, dotModule, elementwise, layerNorm, fusedNorm, MATMUL, NCHW, NHWC, reduceMax, reduceNorm, reduceSumS32, softmax, transposeModule,
} from './gpu_cases.js';

/** What computes a kernel: a GPU template, or the plain loop kernel, or a CPU-form kernel (no grid). */
export type KernelKind = 'loop' | 'reduce' | 'row' | 'gemm' | 'transpose' | 'cpu';

export function kernelKinds(p: Program): KernelKind[] {
  return p.kernels.map((k) => !k.grid ? 'cpu' : 'rowWidth' in k.schedule ? 'row' : 'reduceWidth' in k.schedule ? 'reduce' : 'tileM' in k.schedule ? 'gemm' : 'tile' in k.schedule ? 'transpose' : 'loop');
}

/** The kinds of `m`'s kernels for WGSL_TARGET, in launch order. */
export const kindsOf = (m: Module): KernelKind[] => kernelKinds(compileProgram(m, { target: WGSL_TARGET }).program);

export interface PropertyCase {
  /** The shape and variant: enough to rebuild the case by hand. */
  readonly name: string;
  readonly module: Module;
  /** The program's kernels, in order: the schedule under test where it applies. */
  readonly kinds: readonly KernelKind[];
  /** Inputs' seed (compiler/random.ts: floats in [-1, 1), s32 in [-8, 8)), and the executor's shuffle. */
  readonly seed: number;
}

export interface Property {
  readonly schedule: string;
  /** The kernel kind under test: most cases must have one (the rest test where the schedule stops applying). */
  readonly kind: KernelKind;
  readonly cases: readonly PropertyCase[];
}

/** Reassociation only (a tree or a tile's order instead of the interpreter's sequential one). */
export const TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-4 };

const GPU = WGSL_TARGET.schedule as GpuSchedule;
/** Invocations per workgroup: a template writes at least this many outputs. */
const WG = GPU.workgroupSize;
/** Sizes a tile or a vector divides: the generator draws next to them. */
const TILES = [...new Set([4, GPU.rowWidth, GPU.dot.tileK, GPU.dot.tileM, GPU.dot.tileN, 32, WG, 2 * WG])];
const count = (ds: readonly number[]): number => ds.reduce((a, b) => a * b, 1);
/** The reduce schedule needs rows of at least rowWidth (the invocations sharing a row); shorter ones are the loop kernel's. */
const reduceKind = (n: number): KernelKind => (n >= GPU.rowWidth ? 'reduce' : 'loop');
/** The dot and convolution templates need a workgroup's worth of outputs (gpu_kernels.ts). */
const gemmKind = (outputs: readonly number[]): KernelKind => (count(outputs) >= WG ? 'gemm' : 'loop');

/** Seeded choices: sizes drawn half the time next to a tile's multiple (t - 1, t, t + 1). */
class Gen {
  private readonly next: () => number;
  constructor(seed: number) { this.next = rng(seed); }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]; }
  chance(p: number): boolean { return this.next() < p; }
  size(lo: number, hi: number): number {
    if (this.chance(0.5)) {
      const near = TILES.flatMap((t) => [t - 1, t, t + 1]).filter((n) => n >= lo && n <= hi);
      if (near.length) return this.pick(near);
    }
    return this.int(lo, hi);
  }
  perm(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = this.int(0, i); [p[i], p[j]] = [p[j], p[i]]; }
    return p;
  }
}

const shape = (ds: readonly number[]): string => `[${ds.join(',')}]`;
let seeds = 0;
const make = (name: string, module: Module, kinds: readonly KernelKind[]): PropertyCase => ({ name, module, kinds, seed: ++seeds });

function elementwiseCases(g: Gen, n: number): PropertyCase[] {
  return Array.from({ length: n }, () => {
    const rows = g.int(1, 5), cols = g.size(1, 5000);
    return make(`exp(x)·y+x ${shape([rows, cols])}`, elementwise(rows, cols), ['loop']);
  });
}

type Reducer = 'sqrt(Σx²+1)' | 'max' | 'Σ(x+1) s32';
const REDUCE: Record<Reducer, (s: readonly number[], r: readonly number[]) => Module> = { 'sqrt(Σx²+1)': reduceNorm, max: reduceMax, 'Σ(x+1) s32': reduceSumS32 };
/** Kernels after the reduction's: fusion keeps an epilogue after a reduce in a loop fusion of its own. */
const AFTER: Record<Reducer, KernelKind[]> = { 'sqrt(Σx²+1)': ['loop'], max: [], 'Σ(x+1) s32': [] };

/** Rows along any reduced dims: minor (row), major (column), a middle dim, all of them (full). */
function reductionCases(g: Gen, perForm: number): PropertyCase[] {
  const forms: [string, () => [number[], number[]]][] = [
    ['row', () => [[g.int(1, 9), g.size(1, 3000)], [1]]],
    ['column', () => [[g.size(1, 2000), g.int(1, 40)], [0]]],
    ['middle', () => [[g.int(1, 4), g.size(1, 500), g.int(1, 9)], [1]]],
    ['full', () => { const ds = Array.from({ length: g.int(1, 3) }, () => g.size(1, 70)); return [ds, ds.map((_, d) => d)]; }],
  ];
  return forms.flatMap(([form, draw]) => Array.from({ length: perForm }, () => {
    const [ds, reduced] = draw();
    const op = g.pick(Object.keys(REDUCE) as Reducer[]);
    const n = count(reduced.map((d) => ds[d]));
    return make(`${form} ${op} of ${shape(ds)} over {${reduced.join(',')}}`, REDUCE[op](ds, reduced), [reduceKind(n), ...AFTER[op]]);
  }));
}

/** Rows the fusion pass makes one kRow fusion of (passes/fusion/row.ts): shorter ones stay separate kernels. */
const MIN_ROW_FUSION = 16;

/** Softmax, LayerNorm and the LayerNorm → GELU → softmax chain: one row kernel (gpu_row.ts), a workgroup per row. */
function rowCases(g: Gen, n: number): PropertyCase[] {
  const random = Array.from({ length: n }, () => [g.int(1, 70), g.size(1, 2000)]);
  const softmaxes = [...random, [64, 1024]].map(([rows, cols]) => {
    const r = reduceKind(cols);
    // Rows too short to fuse: max and sum are reductions, each followed by its loop fusion.
    return make(`softmax ${shape([rows, cols])}`, softmax(rows, cols), cols >= MIN_ROW_FUSION ? ['row'] : [r, 'loop', r, 'loop']);
  });
  const longRows = Array.from({ length: n }, () => [g.int(1, 40), g.size(MIN_ROW_FUSION, 2000)]);
  const norms = longRows.flatMap(([rows, cols], i) => [
    make(`LayerNorm ${shape([rows, cols])}`, layerNorm(rows, cols), ['row']),
    ...(i % 2 === 0 ? [make(`LayerNorm → GELU → softmax ${shape([rows, cols])}`, chain(rows, cols), ['row'])] : []),
  ]);
  return [...softmaxes, ...norms];
}

/** A given kInput fusion (reduce, then an epilogue) keeps the reduce schedule. */
function fusedReductionCases(g: Gen, n: number): PropertyCase[] {
  return Array.from({ length: n }, () => {
    const rows = g.int(1, 6), cols = g.size(1, 1500);
    return make(`fusion sqrt(Σx²+1) ${shape([rows, cols])}`, fusedNorm(rows, cols), [reduceKind(cols)]);
  });
}

/** Plain, transposed operands, batched (one or two batch dims), vector × matrix, and a dense layer's bias + relu. */
function dotCases(g: Gen, perForm: number): PropertyCase[] {
  const mkn = (): [number, number, number] => [g.size(1, 100), g.size(1, 100), g.size(1, 100)];
  const forms: [string, () => [number[], number[], number[], string] | [number, number, number]][] = [
    ['[M,K]·[K,N]', () => { const [M, K, N] = mkn(); return [[M, K], [K, N], [M, N], MATMUL]; }],
    ['[K,M]ᵀ·[N,K]ᵀ', () => { const [M, K, N] = mkn(); return [[K, M], [N, K], [M, N], 'lhs_contracting_dims={0}, rhs_contracting_dims={1}']; }],
    ['[B,M,K]·[B,K,N]', () => { const [M, K, N] = mkn(); const B = g.int(1, 4); return [[B, M, K], [B, K, N], [B, M, N], BATCHED]; }],
    ['[B,C,M,K]·[B,C,N,K]ᵀ', () => {
      const [M, K, N] = mkn(), B = g.int(1, 3), C = g.int(1, 3);
      return [[B, C, M, K], [B, C, N, K], [B, C, M, N], 'lhs_batch_dims={0,1}, lhs_contracting_dims={3}, rhs_batch_dims={0,1}, rhs_contracting_dims={3}'];
    }],
    ['[K]·[K,N]', () => { const K = g.size(1, 100), N = g.size(1, 300); return [[K], [K, N], [N], 'lhs_contracting_dims={0}, rhs_contracting_dims={0}']; }],
    ['relu([M,K]·[K,N] + bias)', () => mkn()],
  ];
  const examples: [string, [number[], number[], number[], string] | [number, number, number]][] = [
    ['[M,K]·[K,N]', [[64, 32], [32, 64], [64, 64], MATMUL]],
    ['[M,K]·[K,N]', [[127, 9], [9, 33], [127, 33], MATMUL]],
    ['[B,M,K]·[B,K,N]', [[2, 33, 17], [2, 17, 40], [2, 33, 40], BATCHED]],
    ['relu([M,K]·[K,N] + bias)', [33, 31, 65]],
  ];
  const drawn = forms.flatMap(([form, draw]) => Array.from({ length: perForm }, () => [form, draw()] as const));
  return [...drawn, ...examples].map(([form, d]) => {
    if (d.length === 3) {
      const [M, K, N] = d;
      return make(`${form} M=${M} K=${K} N=${N}`, biasRelu(M, K, N), [gemmKind([M, N])]);
    }
    const [lhs, rhs, out, dn] = d;
    return make(`${form} ${shape(lhs)}·${shape(rhs)}`, dotModule(lhs, rhs, out, dn), [gemmKind(out)]);
  });
}

interface ConvDraw { layout: 'NCHW' | 'NHWC'; b: number; cin: number; cout: number; inSp: number[]; win: number[]; stride: number[]; padLo: number[]; padHi: number[]; rhsD: number[]; lhsD: number[]; epilogue: 'none' | 'relu' | 'bias+relu' }

/** The output's spatial sizes, or undefined where the window does not fit. */
function convOut(c: ConvDraw): number[] | undefined {
  const out = c.inSp.map((n, d) => Math.floor(((n - 1) * c.lhsD[d] + 1 + c.padLo[d] + c.padHi[d] - ((c.win[d] - 1) * c.rhsD[d] + 1)) / c.stride[d]) + 1);
  return out.every((n) => n >= 1) ? out : undefined;
}

function convModuleOf(c: ConvDraw, out: number[]): Module {
  const nsp = c.inSp.length, sp = Array.from({ length: nsp }, (_, i) => i).join('');
  const labels = c.layout === 'NCHW' ? `dim_labels=bf${sp}_oi${sp}->bf${sp}` : `dim_labels=b${sp}f_${sp}io->b${sp}f`;
  const join = (xs: number[], sep: string): string => xs.join(sep);
  const window = [`size=${join(c.win, 'x')}`, `stride=${join(c.stride, 'x')}`, `pad=${c.padLo.map((lo, d) => `${lo}_${c.padHi[d]}`).join('x')}`, `rhs_dilate=${join(c.rhsD, 'x')}`, `lhs_dilate=${join(c.lhsD, 'x')}`];
  const nchw = c.layout === 'NCHW';
  const x = nchw ? [c.b, c.cin, ...c.inSp] : [c.b, ...c.inSp, c.cin];
  const w = nchw ? [c.cout, c.cin, ...c.win] : [...c.win, c.cin, c.cout];
  const y = nchw ? [c.b, c.cout, ...out] : [c.b, ...out, c.cout];
  return convModule(x, w, y, `window={${window.join(' ')}}, ${labels}`, c.epilogue, nchw ? 1 : nsp + 1);
}

/** NCHW (ONNX's Conv) and NHWC (JAX's), 1-D and 2-D, stride, uneven padding, dilations, the epilogues a Conv layer fuses. */
function convCases(g: Gen, n: number): PropertyCase[] {
  const draw = (): ConvDraw => {
    const nsp = g.chance(0.25) ? 1 : 2;
    const each = (f: () => number): number[] => Array.from({ length: nsp }, f);
    const lhs = g.chance(0.2) ? 2 : 1;
    return {
      layout: g.pick(['NCHW', 'NHWC'] as const), b: g.int(1, 2), cin: g.int(1, 5), cout: g.size(1, 40),
      inSp: each(() => g.size(1, nsp === 1 ? 60 : 20)), win: each(() => g.int(1, 5)), stride: each(() => g.int(1, 3)),
      padLo: each(() => g.int(0, 2)), padHi: each(() => g.int(0, 2)), rhsD: each(() => (g.chance(0.3) ? 2 : 1)), lhsD: each(() => lhs),
      epilogue: g.pick(['none', 'relu', 'bias+relu'] as const),
    };
  };
  const cases: PropertyCase[] = [];
  while (cases.length < n) {
    const c = draw(), out = convOut(c);
    if (!out) continue;
    const name = `${c.layout} ${shape(c.inSp)}×${c.cin}→${c.cout} b=${c.b} window ${shape(c.win)} stride ${shape(c.stride)} pad ${c.padLo.map((lo, d) => `${lo}_${c.padHi[d]}`).join(',')} rhs_dilate ${shape(c.rhsD)} lhs_dilate ${shape(c.lhsD)} ${c.epilogue}`;
    const y = [c.b, c.cout, ...out];
    cases.push(make(name, convModuleOf(c, out), [gemmKind(y)]));
  }
  // LeNet-5's first layer, as ONNX gives it.
  cases.push(make('NCHW LeNet conv1 [32,32]×1→6 b=2 window 5x5 relu', convModule([2, 1, 32, 32], [6, 1, 5, 5], [2, 6, 28, 28], `window={size=5x5}, ${NCHW}`, 'relu'), ['gemm']));
  cases.push(make('NHWC [8,8]×3→7 window 3x3 pad 2_1,0_1 rhs_dilate 2', convModule([1, 8, 8, 3], [3, 3, 3, 7], [1, 7, 5, 7], `window={size=3x3 pad=2_1x0_1 rhs_dilate=2x2}, ${NHWC}`), ['gemm']));
  // A transposed convolution as ONNX's ConvTranspose gives it: the input dilated by the
  // stride. The transposed-conv pass writes it as 4 phase convolutions, each after a loop
  // that slices its taps from the kernel parameter, and one loop that interleaves them.
  cases.push(make('NCHW [4,4]×2→3 window 3x3 pad 2_2,2_2 lhs_dilate 2', convModule([1, 2, 4, 4], [3, 2, 3, 3], [1, 3, 9, 9], `window={size=3x3 pad=2_2x2_2 lhs_dilate=2x2}, ${NCHW}`),
    [...Array.from({ length: 4 }, (): KernelKind[] => ['loop', 'gemm']).flat(), 'loop']));
  // The dilated-input path of the GEMM template itself: strided, which the pass leaves alone.
  cases.push(make('NCHW [4,4]×2→3 window 3x3 stride 2 pad 2_2,2_2 lhs_dilate 2', convModule([1, 2, 4, 4], [3, 2, 3, 3], [1, 3, 5, 5], `window={size=3x3 stride=2x2 pad=2_2x2_2 lhs_dilate=2x2}, ${NCHW}`), ['gemm']));
  return cases;
}

/** 2-D to 4-D permutations that move the minor dim, dims off the 32 × 32 tile, f32 and s32. */
function transposeCases(g: Gen, n: number): PropertyCase[] {
  const random = Array.from({ length: n }, () => {
    const rank = g.pick([2, 3, 3, 4]);
    const ds = Array.from({ length: rank }, (_, d) => g.size(1, rank === 2 ? 150 : rank === 3 ? 40 : 12));
    let perm = g.perm(rank);
    while (perm[rank - 1] === rank - 1) perm = g.perm(rank);
    const dtype = g.pick(['f32', 's32']);
    return make(`${dtype}${shape(ds)} {${perm.join(',')}}`, transposeModule(ds, perm, dtype), ['transpose']);
  });
  const examples: [number[], number[], string][] = [[[1, 31], [1, 0], 'f32'], [[2, 3, 40, 7], [0, 3, 1, 2], 'f32'], [[5, 34, 3], [2, 1, 0], 's32']];
  return [...random, ...examples.map(([ds, perm, dtype]) => make(`${dtype}${shape(ds)} {${perm.join(',')}}`, transposeModule(ds, perm, dtype), ['transpose']))];
}

/** More cases per property (`KILN_GPU_CASES=10`), for a long hunt; CI runs the default 1. */
const SCALE = Math.max(1, Number(process.env.KILN_GPU_CASES ?? 1) || 1);
const n = (x: number): number => x * SCALE;

/** The suite. Generated once, from fixed seeds: the same cases on every device and every run. */
export const PROPERTIES: readonly Property[] = [
  { schedule: 'elementwise (loop)', kind: 'loop', cases: elementwiseCases(new Gen(1), n(6)) },
  { schedule: 'reductions (row, column, middle, full)', kind: 'reduce', cases: [...reductionCases(new Gen(2), n(3)), ...fusedReductionCases(new Gen(3), n(2))] },
  { schedule: 'row fusions (softmax, LayerNorm, chain)', kind: 'row', cases: rowCases(new Gen(4), n(4)) },
  { schedule: 'dot', kind: 'gemm', cases: dotCases(new Gen(5), n(2)) },
  { schedule: 'convolution', kind: 'gemm', cases: convCases(new Gen(6), n(10)) },
  { schedule: 'transpose', kind: 'transpose', cases: transposeCases(new Gen(7), n(10)) },
];
