// Tiled dot and convolution kernels: each case compiles an HLO module, checks that the
// tiled kernel (not the elemental fallback) computed the contraction, runs the program on
// the kernel IR interpreter (which checks every access's bounds) and compares with the
// HLO interpreter.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { inputBytes, readOutput } from '../../compiler/program_io.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { interpret } from '../../ir/interpret/index.js';
import { allocateMemory, runProgram } from '../../ir/kernel/interpret.js';
import type { Program } from '../../ir/kernel/kernel.js';
import { printKernel } from '../../ir/kernel/print.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { dotSchedule } from '../../passes/lower/tiled_dot.js';
import type { ConvSchedule, CpuSchedule, DotSchedule, TargetDescription } from '../../ir/target.js';
import { verifyModule } from '../../ir/verify.js';
import { WASM_TARGET } from '../../targets/wasm/target.js';

/** wasm's CPU schedule, which other schedules here are variations of. */
const CPU = WASM_TARGET.schedule as CpuSchedule;

/** wasm's description with its CPU schedule changed: how tests try other tiles (no shared state changes). */
const withSchedule = (over: Partial<Omit<CpuSchedule, 'kind'>>): TargetDescription => ({ ...WASM_TARGET, schedule: { ...CPU, ...over } });
const withDot = (over: Partial<DotSchedule>): TargetDescription => withSchedule({ dot: { ...CPU.dot, ...over } });
const withConv = (over: Partial<ConvSchedule>): TargetDescription => withSchedule({ conv: { ...CPU.conv, ...over } });

/** Deterministic inputs in [-1, 1). */
function inputs(m: Module, seed = 1): ArrayLiteral[] {
  let s = seed;
  const next = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  };
  return m.entry.params.map((p) => {
    const shape = p.shape as ArrayShape;
    const n = shape.dims.reduce((a, b) => a * b, 1);
    return arrayLiteral(shape, Array.from({ length: n }, next));
  });
}

/** Kernels whose schedule has the tiled keys of `kind` (mr for dot, conv tiles for convolution). */
const tiledKernels = (p: Program, key: string) => p.kernels.filter((k) => key in k.schedule);

function check(text: string, key: string, target: TargetDescription = WASM_TARGET): Program {
  const m = parseHlo(text);
  verifyModule(m);
  const { program } = compileProgram(m, { target });
  expect(tiledKernels(program, key).length, program.kernels.map(printKernel).join('\n')).toBeGreaterThan(0);
  const args = inputs(m);
  const mem = allocateMemory(program);
  for (const { offset, bytes } of inputBytes(program, args)) mem.arena.set(bytes, offset);
  runProgram(program, mem);
  const got = readOutput(program, 0, mem.arena);
  const want = interpret(m, args) as ArrayLiteral;
  expect(got.data.length).toBe(want.data.length);
  let worst = 0, at = -1;
  for (let i = 0; i < want.data.length; i++) {
    const w = Number(want.data[i]), g = Number(got.data[i]);
    const err = Math.abs(w - g) / Math.max(1, Math.abs(w));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `element ${at}: got ${Number(got.data[at])}, want ${Number(want.data[at])}`).toBeLessThanOrEqual(1e-5);
  return program;
}

const dotModule = (lhs: number[], rhs: number[], out: number[], dims: string): string => `
HloModule d
ENTRY main {
  a = f32[${lhs.join(',')}] parameter(0)
  b = f32[${rhs.join(',')}] parameter(1)
  ROOT d = f32[${out.join(',')}] dot(a, b), ${dims}
}`;

const MATMUL = 'lhs_contracting_dims={1}, rhs_contracting_dims={0}';

describe('tiled dot', () => {
  it.each([
    [8, 16, 8], [16, 32, 24], [7, 13, 5], [1, 9, 20], [13, 5, 17], [4, 3, 4], [9, 2, 3],
  ])('[%i,%i] x [K,N=%i]', (M, K, N) => {
    check(dotModule([M, K], [K, N], [M, N], MATMUL), 'mr');
  });

  it('several K blocks with partial sums (K > kc)', () => {
    check(dotModule([5, 300], [300, 11], [5, 11], MATMUL), 'mr');
  });

  it('transposed rhs [N,K]', () => {
    check(dotModule([6, 10], [13, 10], [6, 13], 'lhs_contracting_dims={1}, rhs_contracting_dims={1}'), 'mr');
  });

  it('transposed lhs [K,M]', () => {
    check(dotModule([10, 6], [10, 9], [6, 9], 'lhs_contracting_dims={0}, rhs_contracting_dims={0}'), 'mr');
  });

  // A weight gradient's form (x[K,M] · g[K,N], MNIST's fc1: K=64, M=3136, N=1024): one K
  // block, several row and column blocks with ragged edges, A read down its columns.
  it('short K across several row and column blocks, lhs contracting its major dim', () => {
    const p = check(dotModule([16, 70], [16, 139], [70, 139], 'lhs_contracting_dims={0}, rhs_contracting_dims={0}'), 'mr');
    expect(tiledKernels(p, 'mr')[0].schedule).toMatchObject({ kc: 16, mc: 64, nc: 128 });
  });

  it('vector x matrix', () => {
    check(dotModule([12], [12, 10], [10], 'lhs_contracting_dims={0}, rhs_contracting_dims={0}'), 'mr');
  });

  it('one row tile streams B by short K blocks across all of N (first, middle and ragged last blocks)', () => {
    const f = { M: 3, K: 29, N: 37, sBn: 1 } as Parameters<typeof dotSchedule>[0];
    expect(dotSchedule(f, CPU)).toMatchObject({ kc: CPU.gemvKc, nc: 40, pack: 0 });
    expect(dotSchedule({ ...f, sBn: 29 }, CPU).kc).toBe(Math.min(CPU.dot.kc, 29));
    check(dotModule([3, 29], [29, 37], [3, 37], MATMUL), 'mr');
    check(dotModule([1, 16], [16, 9], [1, 9], MATMUL), 'mr');
  });

  it('batched', () => {
    check(dotModule([3, 5, 7], [3, 7, 9], [3, 5, 9], 'lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={1}'), 'mr');
  });

  it('two batch dims, transposed rhs', () => {
    check(dotModule([2, 2, 5, 6], [2, 2, 9, 6], [2, 2, 5, 9], 'lhs_batch_dims={0,1}, lhs_contracting_dims={3}, rhs_batch_dims={0,1}, rhs_contracting_dims={3}'), 'mr');
  });

  it('fused bias + relu epilogue', () => {
    const p = check(`
HloModule d
ENTRY main {
  a = f32[9,12] parameter(0)
  b = f32[12,14] parameter(1)
  bias = f32[14] parameter(2)
  d = f32[9,14] dot(a, b), ${MATMUL}
  bb = f32[9,14] broadcast(bias), dimensions={1}
  s = f32[9,14] add(d, bb)
  z = f32[] constant(0)
  zb = f32[9,14] broadcast(z), dimensions={}
  ROOT r = f32[9,14] maximum(s, zb)
}`, 'mr');
    expect(p.kernels.length).toBe(1);
  });

  it('fused epilogue with K blocks and a residual', () => {
    check(`
HloModule d
ENTRY main {
  a = f32[6,260] parameter(0)
  b = f32[260,10] parameter(1)
  res = f32[6,10] parameter(2)
  d = f32[6,10] dot(a, b), ${MATMUL}
  ROOT s = f32[6,10] add(d, res)
}`, 'mr');
  });
});

describe('tiled dot, other schedules', () => {
  it.each([
    ['B read in place', { pack: 0 }],
    ['small blocks', { mc: 4, nc: 8, kc: 5 }],
    ['6x4 tile', { mr: 6, nr: 4 }],
    ['2x12 tile, B in place, K blocks', { mr: 2, nr: 12, kc: 7, pack: 0 }],
  ])('%s', (_, over) => {
    const target = withDot(over);
    const tiles = [
      check(dotModule([11, 17], [17, 19], [11, 19], MATMUL), 'mr', target),
      check(dotModule([6, 10], [13, 10], [6, 13], 'lhs_contracting_dims={1}, rhs_contracting_dims={1}'), 'mr', target),
      check(dotModule([2, 5, 9], [2, 9, 7], [2, 5, 7], 'lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={1}'), 'mr', target),
    ].map((p) => tiledKernels(p, 'mr')[0].schedule);
    // The kernels ran with the description's tile, not wasm's.
    const want = { ...CPU.dot, ...over };
    for (const t of tiles) expect([t.mr, t.nr]).toEqual([want.mr, want.nr]);
  });
});

const convModule = (x: number[], w: number[], y: number[], attrs: string, epilogue = ''): string => `
HloModule c
ENTRY main {
  x = f32[${x.join(',')}] parameter(0)
  w = f32[${w.join(',')}] parameter(1)
  ${epilogue ? 'y' : 'ROOT y'} = f32[${y.join(',')}] convolution(x, w), ${attrs}${epilogue}
}`;

describe('tiled convolution', () => {
  it.each([
    ['3x3 pad 1', [1, 3, 9, 10], [5, 3, 3, 3], [1, 5, 9, 10], 'window={size=3x3 pad=1_1x1_1}'],
    ['no padding, 2 batches', [2, 2, 6, 13], [4, 2, 3, 3], [2, 4, 4, 11], 'window={size=3x3}'],
    ['stride 2, pad 1', [1, 3, 9, 11], [6, 3, 3, 3], [1, 6, 5, 6], 'window={size=3x3 stride=2x2 pad=1_1x1_1}'],
    ['dilation 2, asymmetric pad', [1, 2, 8, 12], [3, 2, 3, 3], [1, 3, 6, 11], 'window={size=3x3 pad=1_1x2_1 rhs_dilate=2x2}'],
    ['1x1', [1, 8, 4, 9], [7, 8, 1, 1], [1, 7, 4, 9], 'window={size=1x1}'],
    ['1-D', [2, 3, 20], [5, 3, 4], [2, 5, 19], 'window={size=4 pad=1_1}'],
  ])('NCHW %s', (_, x, w, y, win) => {
    const spatial = x.length === 3 ? '0' : '01';
    check(convModule(x, w, y, `${win}, dim_labels=bf${spatial}_oi${spatial}->bf${spatial}`), 'conv');
  });

  it.each([
    ['3x3 pad 1', [1, 9, 10, 3], [3, 3, 3, 12], [1, 9, 10, 12], 'window={size=3x3 pad=1_1x1_1}'],
    ['stride 2', [2, 7, 9, 4], [3, 3, 4, 6], [2, 3, 4, 6], 'window={size=3x3 stride=2x2}'],
    ['dilation, pad, odd features', [1, 6, 11, 2], [2, 3, 2, 9], [1, 7, 9, 9], 'window={size=2x3 pad=1_1x1_1 rhs_dilate=1x2}'],
  ])('NHWC %s', (_, x, w, y, win) => {
    check(convModule(x, w, y, `${win}, dim_labels=b01f_01io->b01f`), 'conv');
  });

  it('NCHW with fused bias + relu', () => {
    const p = check(`
HloModule c
ENTRY main {
  x = f32[1,3,7,9] parameter(0)
  w = f32[6,3,3,3] parameter(1)
  bias = f32[6] parameter(2)
  y = f32[1,6,7,9] convolution(x, w), window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01
  bb = f32[1,6,7,9] broadcast(bias), dimensions={1}
  s = f32[1,6,7,9] add(y, bb)
  z = f32[] constant(0)
  zb = f32[1,6,7,9] broadcast(z), dimensions={}
  ROOT r = f32[1,6,7,9] maximum(s, zb)
}`, 'conv');
    // The explicit pad (conv-padding), the kernel's transpose to HWIO (conv-layout: w is a
    // parameter, not a constant to permute in place), then the convolution with bias + relu in one kernel.
    expect(p.kernels.length).toBe(3);
    expect(p.kernels.filter((k) => k.schedule.conv !== undefined).length).toBe(1);
  });

  it('NHWC with fused bias + relu', () => {
    check(`
HloModule c
ENTRY main {
  x = f32[1,6,7,5] parameter(0)
  w = f32[3,3,5,10] parameter(1)
  bias = f32[10] parameter(2)
  y = f32[1,6,7,10] convolution(x, w), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f
  bb = f32[1,6,7,10] broadcast(bias), dimensions={3}
  s = f32[1,6,7,10] add(y, bb)
  z = f32[] constant(0)
  zb = f32[1,6,7,10] broadcast(z), dimensions={}
  ROOT r = f32[1,6,7,10] maximum(s, zb)
}`, 'conv');
  });
});

/** The `conv` schedule value (1 spatial, 2 feature, 3 planar) of the program's convolution kernel. */
const convMode = (p: Program): number | undefined => p.kernels.find((k) => k.schedule.conv !== undefined)?.schedule.conv;

const NCHW = (n: number): string => {
  const s = Array.from({ length: n }, (_, i) => i).join('');
  return `dim_labels=bf${s}_oi${s}->bf${s}`;
};

describe('tiled convolution, feature groups', () => {
  it.each([
    ['depthwise 3x3 pad 1', [1, 8, 7, 9], [8, 1, 3, 3], [1, 8, 7, 9], 'window={size=3x3 pad=1_1x1_1}', 8],
    ['depthwise 5x5 stride 2 pad 2, 2 rows', [1, 6, 3, 17], [6, 1, 5, 5], [1, 6, 2, 9], 'window={size=5x5 stride=2x2 pad=2_2x2_2}', 6],
    ['depthwise, channel multiplier 2', [2, 3, 6, 7], [6, 1, 3, 3], [2, 6, 4, 5], 'window={size=3x3}', 3],
    ['4 groups of 4 → 8', [1, 16, 6, 10], [32, 4, 3, 3], [1, 32, 6, 10], 'window={size=3x3 pad=1_1x1_1}', 4],
  ])('NCHW %s: spatial mode, a row tile per group', (_, x, w, y, win, groups) => {
    check(convModule(x, w, y, `${win}, dim_labels=bf01_oi01->bf01, feature_group_count=${groups}`), 'conv');
  });

  it.each([
    ['3x3 pad 1, 8 channels', [1, 7, 9, 8], [3, 3, 1, 8], [1, 7, 9, 8], 'window={size=3x3 pad=1_1x1_1}'],
    ['5x5 stride 2, 13 channels (last vector overlaps), 2 batches', [2, 9, 11, 13], [5, 5, 1, 13], [2, 3, 4, 13], 'window={size=5x5 stride=2x2}'],
    ['dilation 2, 4 channels, x narrower than the tile', [1, 6, 6, 4], [3, 3, 1, 4], [1, 2, 2, 4], 'window={size=3x3 rhs_dilate=2x2}'],
    ['1-D, 20 channels', [2, 11, 20], [3, 1, 20], [2, 9, 20], 'window={size=3}'],
  ])('NHWC depthwise %s: vectors along the channels', (_, x, w, y, win) => {
    const sp = x.length === 3 ? '0' : '01';
    const p = check(convModule(x, w, y, `${win}, dim_labels=b${sp}f_${sp}io->b${sp}f, feature_group_count=${x[x.length - 1]}`), 'conv');
    expect(p.kernels.some((k) => k.schedule.conv === 4)).toBe(true);
  });
});

describe('tiled convolution, planar mode (NCHW output, HWIO kernel)', () => {
  it.each([
    // LeNet's second convolution, small: 14-wide rows (tiles of 4 positions wrap to the next row).
    ['5x5 pad 2 on 14x14', [2, 3, 14, 14], [8, 3, 5, 5], [2, 8, 14, 14], 'window={size=5x5 pad=2_2x2_2}'],
    ['3x3 pad 1, odd plane 7x9, 6 features (last vector overlaps)', [1, 2, 7, 9], [6, 2, 3, 3], [1, 6, 7, 9], 'window={size=3x3 pad=1_1x1_1}'],
    ['13 features (last feature tile overlaps), plane 5x5', [1, 4, 7, 7], [13, 4, 3, 3], [1, 13, 5, 5], 'window={size=3x3}'],
    ['stride 2, asymmetric pad', [2, 3, 9, 11], [8, 3, 3, 3], [2, 8, 5, 5], 'window={size=3x3 stride=2x2 pad=1_1x0_1}'],
    ['dilation 2', [1, 2, 10, 12], [4, 2, 3, 3], [1, 4, 6, 8], 'window={size=3x3 rhs_dilate=2x2}'],
    ['batch 1, plane of 3 positions (fewer rows than a vector)', [1, 5, 3, 5], [8, 5, 3, 3], [1, 8, 1, 3], 'window={size=3x3}'],
    ['1x1 kernel', [3, 8, 4, 6], [12, 8, 1, 1], [3, 12, 4, 6], 'window={size=1x1}'],
    ['1-D', [2, 3, 21], [8, 3, 4], [2, 8, 21], 'window={size=4 pad=1_2}'],
    ['3-D', [1, 2, 4, 5, 6], [4, 2, 2, 3, 3], [1, 4, 3, 3, 4], 'window={size=2x3x3}'],
  ])('%s', (_, x, w, y, win) => {
    const p = check(convModule(x, w, y, `${win}, ${NCHW(x.length - 2)}`), 'conv', withConv({ planar: 2 }));
    expect(convMode(p)).toBe(3);
  });

  it.each([
    ['2x16 tile', { pmr: 2, pnr: 16 }],
    ['6x8 tile (the last block of 4 rows overlaps)', { pmr: 6, pnr: 8 }],
    ['3x4 tile', { pmr: 3, pnr: 4 }],
    ['5x12 tile', { pmr: 5, pnr: 12 }],
  ])('%s', (_, over) => {
    const target = withConv({ planar: 2, ...over });
    for (const [x, w, y, win] of [
      [[2, 3, 14, 14], [8, 3, 5, 5], [2, 8, 14, 14], 'window={size=5x5 pad=2_2x2_2}'],
      [[1, 4, 7, 7], [13, 4, 3, 3], [1, 13, 5, 5], 'window={size=3x3}'],
      [[1, 2, 5, 9], [20, 2, 2, 2], [1, 20, 4, 8], 'window={size=2x2}'],
    ] as [number[], number[], number[], string][]) {
      const p = check(convModule(x, w, y, `${win}, ${NCHW(2)}`), 'conv', target);
      expect(convMode(p)).toBe(3);
      // Planar mode records its tile as mr × nr: the description's, not wasm's.
      expect(p.kernels.find((k) => k.schedule.conv === 3)!.schedule.mr).toBe(over.pmr);
    }
  });

  it('chosen over spatial mode when rows are not a multiple of 4 wide (LeNet conv2), not when they are', () => {
    expect(convMode(check(convModule([1, 4, 18, 18], [8, 4, 5, 5], [1, 8, 14, 14], `window={size=5x5}, ${NCHW(2)}`), 'conv'))).toBe(3);
    expect(convMode(check(convModule([1, 1, 32, 32], [8, 1, 5, 5], [1, 8, 28, 28], `window={size=5x5}, ${NCHW(2)}`), 'conv'))).toBe(1);
  });

  it('constant weights are stored permuted (no transpose kernel); fused bias + relu + residual', () => {
    const w = Array.from({ length: 8 * 3 * 3 * 3 }, (_, i) => ((i * 37) % 23) / 23 - 0.5);
    const nest = (d: number[], at = 0): string => (d.length === 1 ? `{${w.slice(at, at + d[0]).join(', ')}}`
      : `{${Array.from({ length: d[0] }, (_, i) => nest(d.slice(1), at + i * d.slice(1).reduce((a, b) => a * b, 1))).join(', ')}}`);
    const p = check(`
HloModule c
ENTRY main {
  x = f32[2,3,10,10] parameter(0)
  bias = f32[8] parameter(1)
  res = f32[2,8,10,10] parameter(2)
  w = f32[8,3,3,3] constant(${nest([8, 3, 3, 3])})
  y = f32[2,8,10,10] convolution(x, w), window={size=3x3 pad=1_1x1_1}, ${NCHW(2)}
  bb = f32[2,8,10,10] broadcast(bias), dimensions={1}
  s = f32[2,8,10,10] add(y, bb)
  z = f32[] constant(0)
  zb = f32[2,8,10,10] broadcast(z), dimensions={}
  r = f32[2,8,10,10] maximum(s, zb)
  ROOT o = f32[2,8,10,10] add(r, res)
}`, 'conv');
    expect(convMode(p)).toBe(3);
    // The pad and the convolution with its epilogue: the weights were permuted at compile time.
    expect(p.kernels.length).toBe(2);
  });
});

describe('tiled convolution, overlapping last vector', () => {
  it.each([
    ['spatial, 14 wide (8 + 6)', [1, 3, 16, 16], [5, 3, 3, 3], [1, 5, 14, 14], 'window={size=3x3}', NCHW(2)],
    ['spatial, 6 wide (narrower than the tile)', [2, 2, 8, 8], [3, 2, 3, 3], [2, 3, 6, 6], 'window={size=3x3}', NCHW(2)],
    ['spatial, 13 wide with padding (border tiles)', [1, 2, 6, 13], [4, 2, 3, 3], [1, 4, 6, 13], 'window={size=3x3 pad=1_1x1_1}', NCHW(2)],
    ['spatial, 5 wide, stride 2', [1, 2, 9, 11], [4, 2, 3, 3], [1, 4, 4, 5], 'window={size=3x3 stride=2x2}', NCHW(2)],
    ['feature, 6 features', [1, 5, 6, 3], [3, 3, 3, 6], [1, 5, 6, 6], 'window={size=3x3 pad=1_1x1_1}', 'dim_labels=b01f_01io->b01f'],
    ['feature, 13 features', [2, 4, 5, 2], [2, 2, 2, 13], [2, 3, 4, 13], 'window={size=2x2}', 'dim_labels=b01f_01io->b01f'],
  ])('%s', (_, x, w, y, win, labels) => {
    const p = check(convModule(x, w, y, `${win}, ${labels}`), 'conv', withConv({ planar: 0 }));
    expect(convMode(p)).toBe(labels.startsWith('dim_labels=b01f') ? 2 : 1);
  });
});

const windowModule = (x: number[], y: number[], win: string, reducer: 'maximum' | 'add', init: string): string => `
HloModule w
r {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT c = f32[] ${reducer}(a, b)
}
ENTRY main {
  x = f32[${x.join(',')}] parameter(0)
  i = f32[] constant(${init})
  ROOT y = f32[${y.join(',')}] reduce-window(x, i), window={${win}}, to_apply=r
}`;

describe('tiled reduce-window', () => {
  it.each([
    ['max pool 2x2 stride 2 (LeNet), 7 wide', [2, 3, 14, 14], [2, 3, 7, 7], 'size=1x1x2x2 stride=1x1x2x2', 'maximum', '-inf'],
    ['max pool 3x3 stride 2', [1, 2, 11, 13], [1, 2, 5, 6], 'size=1x1x3x3 stride=1x1x2x2', 'maximum', '-inf'],
    ['sum pool 3x3 stride 1 (order kept)', [1, 2, 6, 10], [1, 2, 4, 8], 'size=1x1x3x3', 'add', '0'],
    ['sum 2 stride 3 along x, gaps', [3, 14], [3, 5], 'size=1x2 stride=1x3', 'add', '0.5'],
    ['dilated window', [1, 9, 12], [1, 5, 8], 'size=1x3x3 rhs_dilate=1x2x2', 'maximum', '-inf'],
    ['5x5 window (loops, not unrolled), 4 wide', [1, 8, 8], [1, 4, 4], 'size=1x5x5', 'add', '0'],
    ['window over the batch dim too', [4, 6], [2, 5], 'size=3x2', 'maximum', '-inf'],
  ])('%s', (_, x, y, win, reducer, init) => {
    const p = check(windowModule(x, y, win, reducer as 'maximum' | 'add', init), 'window');
    expect(p.kernels.length).toBe(1);
  });

  it('a row narrower than a vector stays with the loop kernel', () => {
    const m = parseHlo(windowModule([2, 6], [2, 3], 'size=1x2 stride=1x2', 'maximum', '-inf'));
    expect(compileProgram(m).program.kernels.some((k) => 'window' in k.schedule)).toBe(false);
  });

  it('a padded window pads first (with the init value) and then runs tiled', () => {
    const p = check(windowModule([1, 2, 6, 8], [1, 2, 3, 5], 'size=1x1x2x2 stride=1x1x2x2 pad=0_0x0_0x0_0x1_1', 'maximum', '-inf'), 'window');
    expect(p.kernels.map((k) => 'window' in k.schedule)).toEqual([false, true]);
    check(windowModule([1, 2, 7, 9], [1, 2, 4, 5], 'size=1x1x3x3 stride=1x1x2x2 pad=0_0x0_0x1_1x1_1', 'add', '0'), 'window');
  });

  it('an init value that is not the identity keeps the padding (XLA skips padded positions)', () => {
    const m = parseHlo(windowModule([1, 2, 7, 9], [1, 2, 4, 5], 'size=1x1x3x3 stride=1x1x2x2 pad=0_0x0_0x1_1x1_1', 'add', '0.25'));
    expect(compileProgram(m).program.kernels.some((k) => 'window' in k.schedule)).toBe(false);
  });
});
