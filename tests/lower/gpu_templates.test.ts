// GPU templates (passes/lower/gpu_dot.ts, gpu_transpose.ts, gpu_conv.ts): each case
// compiles an HLO module for WGSL_TARGET, checks that a template (not the plain loop
// kernel) computed it and that every grid fits the target's limits, runs the program on
// the kernel IR executor (workgroups and invocations shuffled, races reported) and on
// WebGPU where there is one (Deno on lavapipe here), and compares with the HLO interpreter.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { inputBytes, readOutput } from '../../compiler/program_io.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { prepareWebGpu, webgpuUnavailable } from '../../compiler/webgpu_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import { allocateMemory, runProgram } from '../../ir/kernel/interpret.js';
import type { Program } from '../../ir/kernel/kernel.js';
import { printKernel } from '../../ir/kernel/print.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import type { GpuSchedule } from '../../ir/target.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';

const unavailable = await webgpuUnavailable();

/** A seeded generator in [0, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function inputs(m: Module, seed = 1): ArrayLiteral[] {
  const next = rng(seed);
  return m.entry.params.map((p) => {
    const shape = p.shape as ArrayShape;
    const n = shape.dims.reduce((a, b) => a * b, 1);
    const int = shape.dtype !== 'f32';
    return arrayLiteral(shape, Array.from({ length: n }, () => (int ? Math.floor(next() * 200) - 100 : next() * 2 - 1)));
  });
}

/** A kernel of the dot/conv GEMM (tileM) or the transpose (tile), not a plain (grid) loop kernel. */
const isTemplate = (k: Program['kernels'][number]): boolean => k.grid !== undefined && ('tileM' in k.schedule || 'tile' in k.schedule);

function compile(text: string): { m: Module; program: Program } {
  const m = parseHlo(text);
  verifyModule(m);
  const { program } = compileProgram(m, { target: WGSL_TARGET });
  // A dot or convolution with fewer outputs than a workgroup's invocations is the loop kernel's (gpu_kernels.ts).
  const root = m.entry.root.shape;
  const small = root.kind === 'array' && !text.includes('transpose(') && root.dims.reduce((a, b) => a * b, 1) < (WGSL_TARGET.schedule as GpuSchedule).workgroupSize;
  const templates = program.kernels.filter(isTemplate).length;
  const printed = program.kernels.map(printKernel).join('\n');
  if (small) expect(templates, printed).toBe(0);
  else expect(templates, printed).toBeGreaterThan(0);
  const grids = program.kernels.filter((k) => k.grid);
  for (const k of grids) {
    const [x, y, z] = k.grid!.size;
    expect(x * y * z).toBeLessThanOrEqual(WGSL_TARGET.limits.maxWorkgroupInvocations);
    const shared = k.body.filter((s) => s.k === 'array' && s.scope === 'workgroup').reduce((a, s) => a + 4 * (s as { size: number }).size, 0);
    expect(shared).toBeLessThanOrEqual(WGSL_TARGET.limits.workgroupMemoryBytes);
  }
  return { m, program };
}

function compare(got: ArrayLiteral, want: ArrayLiteral): void {
  expect(got.data.length).toBe(want.data.length);
  let worst = 0, at = -1;
  for (let i = 0; i < want.data.length; i++) {
    const w = Number(want.data[i]), g = Number(got.data[i]);
    const err = Math.abs(w - g) / Math.max(1, Math.abs(w));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `element ${at}: got ${Number(got.data[at])}, want ${Number(want.data[at])}`).toBeLessThanOrEqual(1e-5);
}

/** On the kernel executor; returns the module for the WebGPU run. */
function check(text: string): Module {
  const { m, program } = compile(text);
  const args = inputs(m);
  const mem = allocateMemory(program);
  for (const { offset, bytes } of inputBytes(program, args)) mem.arena.set(bytes, offset);
  runProgram(program, mem);
  compare(readOutput(program, 0, mem.arena), interpret(m, args) as ArrayLiteral);
  return m;
}

async function checkWebGpu(text: string): Promise<void> {
  const m = parseHlo(text);
  const exe = await prepareWebGpu(m);
  try {
    const args = inputs(m);
    compare((await exe.run(args)) as ArrayLiteral, interpret(m, args) as ArrayLiteral);
  } finally {
    await exe.program.dispose();
  }
}

const MATMUL = 'lhs_contracting_dims={1}, rhs_contracting_dims={0}';
const BATCHED = 'lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={1}';

const dotModule = (lhs: number[], rhs: number[], out: number[], dims: string): string => `
HloModule d
ENTRY main {
  a = f32[${lhs.join(',')}] parameter(0)
  b = f32[${rhs.join(',')}] parameter(1)
  ROOT d = f32[${out.join(',')}] dot(a, b), ${dims}
}`;

const biasRelu = (M: number, K: number, N: number): string => `
HloModule d
ENTRY main {
  a = f32[${M},${K}] parameter(0)
  b = f32[${K},${N}] parameter(1)
  bias = f32[${N}] parameter(2)
  d = f32[${M},${N}] dot(a, b), ${MATMUL}
  bb = f32[${M},${N}] broadcast(bias), dimensions={1}
  s = f32[${M},${N}] add(d, bb)
  z = f32[] constant(0)
  zb = f32[${M},${N}] broadcast(z), dimensions={}
  ROOT r = f32[${M},${N}] maximum(s, zb)
}`;

const transposeModule = (dims: number[], perm: number[], dtype = 'f32'): string => `
HloModule t
ENTRY main {
  a = ${dtype}[${dims.join(',')}] parameter(0)
  ROOT t = ${dtype}[${perm.map((p) => dims[p]).join(',')}] transpose(a), dimensions={${perm.join(',')}}
}`;

const convModule = (x: number[], w: number[], y: number[], attrs: string, epilogue = false): string => `
HloModule c
ENTRY main {
  x = f32[${x.join(',')}] parameter(0)
  w = f32[${w.join(',')}] parameter(1)
  ${epilogue ? 'c' : 'ROOT c'} = f32[${y.join(',')}] convolution(x, w), ${attrs}${epilogue ? `
  z = f32[] constant(0)
  zb = f32[${y.join(',')}] broadcast(z), dimensions={}
  ROOT r = f32[${y.join(',')}] maximum(c, zb)` : ''}
}`;

const NCHW = 'dim_labels=bf01_oi01->bf01';
const NHWC = 'dim_labels=b01f_01io->b01f';

const CONVS: [string, string][] = [
  ['NCHW 3x3 pad 1', convModule([2, 3, 7, 9], [5, 3, 3, 3], [2, 5, 7, 9], `window={size=3x3 pad=1_1x1_1}, ${NCHW}`)],
  ['NHWC 3x3 stride 2 pad 1', convModule([1, 9, 11, 4], [3, 3, 4, 33], [1, 5, 6, 33], `window={size=3x3 stride=2x2 pad=1_1x1_1}, ${NHWC}`)],
  ['NCHW 5x5 valid + relu (LeNet conv1)', convModule([2, 1, 32, 32], [6, 1, 5, 5], [2, 6, 28, 28], `window={size=5x5}, ${NCHW}`, true)],
  ['NHWC rhs dilation 2, uneven padding', convModule([1, 8, 8, 3], [3, 3, 3, 7], [1, 7, 5, 7], `window={size=3x3 pad=2_1x0_1 rhs_dilate=2x2}, ${NHWC}`)],
  ['NCHW lhs dilation 2 (transposed conv)', convModule([1, 2, 4, 4], [3, 2, 3, 3], [1, 3, 9, 9], `window={size=3x3 pad=2_2x2_2 lhs_dilate=2x2}, ${NCHW}`)],
  ['1-D NWC', convModule([3, 17, 5], [4, 5, 6], [3, 14, 6], 'window={size=4}, dim_labels=b0f_0io->b0f')],
];

const SIZES = [1, 3, 31, 33, 65];
/** Random (M, K, N) over sizes at and off the tile's multiples. */
const shapes = (n: number, seed: number): [number, number, number][] => {
  const next = rng(seed);
  const pick = (): number => SIZES[Math.floor(next() * SIZES.length)];
  return Array.from({ length: n }, () => [pick(), pick(), pick()]);
};

const DOTS: [string, string][] = [
  ...shapes(8, 7).map(([M, K, N]): [string, string] => [`[${M},${K}] x [${K},${N}]`, dotModule([M, K], [K, N], [M, N], MATMUL)]),
  ['[64,32] x [32,64] (whole tiles)', dotModule([64, 32], [32, 64], [64, 64], MATMUL)],
  ['[127,9] x [9,33]', dotModule([127, 9], [9, 33], [127, 33], MATMUL)],
  ['transposed rhs [N,K]', dotModule([6, 10], [13, 10], [6, 13], 'lhs_contracting_dims={1}, rhs_contracting_dims={1}')],
  ['transposed lhs [K,M]', dotModule([10, 6], [10, 9], [6, 9], 'lhs_contracting_dims={0}, rhs_contracting_dims={0}')],
  ['vector x matrix', dotModule([12], [12, 10], [10], 'lhs_contracting_dims={0}, rhs_contracting_dims={0}')],
  ['batched', dotModule([3, 5, 7], [3, 7, 9], [3, 5, 9], BATCHED)],
  ['batched, 33 x 17 x 40', dotModule([2, 33, 17], [2, 17, 40], [2, 33, 40], BATCHED)],
  ['two batch dims, transposed rhs', dotModule([2, 2, 5, 6], [2, 2, 9, 6], [2, 2, 5, 9], 'lhs_batch_dims={0,1}, lhs_contracting_dims={3}, rhs_batch_dims={0,1}, rhs_contracting_dims={3}')],
  ['bias + relu 9x12x14', biasRelu(9, 12, 14)],
  ['bias + relu 33x31x65', biasRelu(33, 31, 65)],
];

const TRANSPOSES: [string, string][] = [
  ['[33,65] {1,0}', transposeModule([33, 65], [1, 0])],
  ['[1,31] {1,0}', transposeModule([1, 31], [1, 0])],
  ['[2,3,40,7] {0,3,1,2}', transposeModule([2, 3, 40, 7], [0, 3, 1, 2])],
  ['[5,34,3] {2,1,0} s32', transposeModule([5, 34, 3], [2, 1, 0], 's32')],
];

describe('GPU templates on the kernel executor', () => {
  it.each(DOTS)('dot %s', (_, text) => { check(text); });
  it.each(TRANSPOSES)('transpose %s', (_, text) => { check(text); });
  it.each(CONVS)('convolution %s', (_, text) => { check(text); });

  it.each([
    ['grouped convolution', convModule([1, 4, 6, 6], [6, 2, 3, 3], [1, 6, 4, 4], `window={size=3x3}, feature_group_count=2, ${NCHW}`)],
    ['transpose keeping the minor dim', transposeModule([3, 4, 5], [1, 0, 2])],
  ])('%s falls back to the plain loop kernel', (_, text) => {
    const m = parseHlo(text);
    const { program } = compileProgram(m, { target: WGSL_TARGET });
    expect(program.kernels.some(isTemplate)).toBe(false);
    const args = inputs(m);
    const mem = allocateMemory(program);
    for (const { offset, bytes } of inputBytes(program, args)) mem.arena.set(bytes, offset);
    runProgram(program, mem);
    compare(readOutput(program, 0, mem.arena), interpret(m, args) as ArrayLiteral);
  });

  it('bias + relu fuses into the dot kernel', () => {
    const { program } = compile(biasRelu(9, 12, 14));
    expect(program.kernels.length).toBe(1);
  });
});

describe.skipIf(unavailable)('GPU templates on WebGPU', () => {
  it.each([...DOTS, ...TRANSPOSES, ...CONVS])('%s', async (_, text) => { await checkWebGpu(text); }, 60_000);
});
