// scatter and select-and-scatter against the interpreter, bit for bit, on the kernel IR
// executor and on wasm: colliding indices combine in the interpreter's order, windows
// that would leave the operand are skipped whole, variadic scatter updates every output
// with one combiner call, and unique_indices takes the parallel loop.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { printKernel } from '../../ir/kernel/print.js';
import { expectExact, hash } from './exact.js';

const add = (t: string) => `add {
  a = ${t}[] parameter(0)
  b = ${t}[] parameter(1)
  ROOT r = ${t}[] add(a, b)
}`;
const range = (n: number, f: (i: number) => number | bigint) => Array.from({ length: n }, (_, i) => f(i));
const loopModes = (p: { kernels: readonly { body: readonly unknown[] }[] }) =>
  p.kernels.map((k) => (k.body[0] as { loop?: { mode: string } }).loop?.mode);

describe('scatter', () => {
  it('adds rows at colliding indices in order, and skips indices whose window leaves the operand', async () => {
    const hlo = `HloModule s
${add('f32')}
ENTRY main {
  x = f32[6,3] parameter(0)
  i = s32[5] parameter(1)
  u = f32[5,3] parameter(2)
  ROOT s = f32[6,3] scatter(x, i, u), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=add
}`;
    const p = await expectExact(hlo, [range(18, (j) => j / 3), [2, 5, 2, -1, 6], range(15, (j) => 0.1 * j + 1e7 * (j % 2))]);
    expect(loopModes(p)).toEqual(['parallel', 'serial']);
  });

  it('writes windows of several dims at 2-d start vectors, a window partly outside skipped, s64 indices beyond 2^31 too', async () => {
    const hlo = `HloModule s
assign {
  a = s32[] parameter(0)
  ROOT b = s32[] parameter(1)
}
ENTRY main {
  x = s32[5,6] parameter(0)
  i = s64[4,2] parameter(1)
  u = s32[4,2,3] parameter(2)
  ROOT s = s32[5,6] scatter(x, i, u), update_window_dims={1,2}, inserted_window_dims={}, scatter_dims_to_operand_dims={0,1}, index_vector_dim=1, to_apply=assign
}`;
    await expectExact(hlo, [range(30, (j) => j), [0n, 0n, 3n, 3n, 4n, 1n, (1n << 32n) + 1n, 0n], range(24, (j) => 100 + j)]);
  });

  it('runs updates in parallel with unique_indices, and a variadic scatter updates both outputs from one combiner', async () => {
    const hlo = `HloModule s
pair {
  a0 = f32[] parameter(0)
  a1 = s32[] parameter(1)
  b0 = f32[] parameter(2)
  b1 = s32[] parameter(3)
  m = f32[] maximum(a0, b0)
  n = s32[] add(a1, b1)
  ROOT t = (f32[], s32[]) tuple(m, n)
}
ENTRY main {
  x = f32[8] parameter(0)
  y = s32[8] parameter(1)
  i = u32[4,1] parameter(2)
  u = f32[4] parameter(3)
  v = s32[4] parameter(4)
  ROOT s = (f32[8], s32[8]) scatter(x, y, i, u, v), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, unique_indices=true, to_apply=pair
}`;
    const p = await expectExact(hlo, [range(8, (j) => j - 4), range(8, (j) => j), [7, 0, 3, 4294967295], [-1, NaN, 9, 1], [10, 20, 30, 40]]);
    expect(loopModes(p)).toContain('parallel');
    expect(loopModes(p).filter((m) => m === 'serial')).toEqual([]);
  });

  it('is a copy, then the updates with the combiner inlined and each start index checked', () => {
    const hlo = `HloModule s
${add('f32')}
ENTRY main {
  x = f32[6] parameter(0)
  i = s32[3,1] parameter(1)
  u = f32[3] parameter(2)
  ROOT s = f32[6] scatter(x, i, u), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=add
}`;
    expect(compileProgram(parseHlo(hlo, 'printed')).program.kernels.map(printKernel).join('\n')).toMatchInlineSnapshot(`
      "kernel k0_s_copy0(out f32[6] s, in f32[6] x) schedule(rows=1 chunks=1 lanes=4) {  // s
        parallel for (p = 0; p < 1; p++) {
          let base: s32 = p * 6;
          for (j = 0; j < 4; j += 4) {
            s.v4[base + j] = x.v4[j];
          }
          for (j_1 = 4; j_1 < 6; j_1++) {
            s[base + j_1] = x[j_1];
          }
        }
      }
      kernel k0_s(inout f32[6] s, in s32[3] i, in f32[3] u) schedule(updates=3 parallel=0) {  // s
        for (s_1 = 0; s_1 < 3; s_1++) {
          let ix: s32 = i[s_1];
          let st: s32 = minimum(maximum(ix, 0), 5);
          if ((ix >= 0) & (ix <= 5)) {
            let nx: f32 = s[st] + u[s_1];
            s[st] = nx;
          }
        }
      }"
    `);
  });

  it('takes operand batching dims from the indices batching dims', async () => {
    const hlo = `HloModule s
${add('s32')}
ENTRY main {
  x = s32[2,5] parameter(0)
  i = s32[2,3,1] parameter(1)
  u = s32[2,3] parameter(2)
  ROOT s = s32[2,5] scatter(x, i, u), update_window_dims={}, inserted_window_dims={1}, input_batching_dims={0}, scatter_indices_batching_dims={0}, scatter_dims_to_operand_dims={1}, index_vector_dim=2, to_apply=add
}`;
    await expectExact(hlo, [range(10, (j) => j * 100), [0, 4, 0, 2, 2, 9], range(6, (j) => j + 1)]);
  });
});

describe('select-and-scatter', () => {
  const module = (window: string, src: number[]) => `HloModule s
ge {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT r = pred[] compare(a, b), direction=GE
}
${add('f32')}
ENTRY main {
  x = f32[6,7] parameter(0)
  src = f32[${src.join(',')}] parameter(1)
  z = f32[] constant(0.5)
  ROOT s = f32[6,7] select-and-scatter(x, src, z), window={${window}}, select=ge, scatter=add
}`;

  it('overlapping windows with padding: the first maximum wins (ties included), overlapping picks add up, serially', async () => {
    const x = range(42, (j) => hash(j, 5));
    const p = await expectExact(module('size=3x3 stride=2x2 pad=1_1x1_1', [3, 4]), [x, range(12, (j) => j + 1)]);
    expect(loopModes(p)).toEqual(['parallel', 'serial']);
  });

  it('disjoint windows: one parallel map over the output; NaN in a window selects as the comparator says', async () => {
    const x = range(42, (j) => (j === 8 ? NaN : hash(j, 7) - 3));
    const p = await expectExact(module('size=2x2 stride=2x3', [3, 2]), [x, range(6, (j) => -j)]);
    expect(loopModes(p)).toEqual(['parallel']);
  });

  // Values from {0, 1, 2}: most windows hold a tie for their maximum, and the first one in window order wins.
  const ties = range(42, (j) => hash(j, 3));
  it.each([
    ['padding that leaves positions in no window', 'size=2x2 stride=2x2 pad=1_0x0_1', [3, 4]],
    ['window dilation', 'size=2x2 stride=3x3 rhs_dilate=2x2', [2, 2]],
    ['a window of more positions than are unrolled (a loop)', 'size=3x6 stride=3x6 pad=0_0x0_1', [2, 1]],
    ['a window of more positions than are unrolled, over padding', 'size=3x5 stride=3x5 pad=0_0x2_1', [2, 2]],
  ])('disjoint windows with ties, %s: the interpreter\'s picks, in one kernel', async (_, window, src) => {
    const n = (src as number[]).reduce((a, b) => a * b, 1);
    const p = await expectExact(module(window as string, src as number[]), [ties, range(n, (j) => j + 1)]);
    expect(loopModes(p)).toEqual(['parallel']);
  });

  it('disjoint windows under negative low padding keep the fill and the scatter', async () => {
    const p = await expectExact(module('size=2x2 stride=2x2 pad=-1_0x0_0', [2, 3]), [ties, range(6, (j) => j + 1)]);
    expect(loopModes(p)).toEqual(['parallel', 'parallel']);
  });

  // The max-pool gradient's form: NHWC, 2×2 windows over H and W; C is vectorised where the
  // loop kernel vectorises (32-bit types: lanes along a dim the window does not span), with
  // padding and a C that is not a multiple of 4.
  it.each([
    ['f32', 8, 'pad=0_0x1_0x0_1x0_0', [2, 3, 3, 8], 4],
    ['f32', 6, 'pad=0_0x0_0x0_0x0_0', [2, 2, 2, 6], 4],
    ['bf16', 8, 'pad=0_0x0_0x0_1x0_0', [2, 2, 3, 8], 1],
  ])('NHWC max-pool gradient in %s, C=%i, %s', async (t, c, pad, src, lanes) => {
    const hlo = `HloModule pool
ge {
  a = ${t}[] parameter(0)
  b = ${t}[] parameter(1)
  ROOT r = pred[] compare(a, b), direction=GE
}
${add(t as string)}
ENTRY main {
  x = ${t}[2,5,5,${c}] parameter(0)
  src = ${t}[${(src as number[]).join(',')}] parameter(1)
  z = ${t}[] constant(0)
  ROOT s = ${t}[2,5,5,${c}] select-and-scatter(x, src, z), window={size=1x2x2x1 stride=1x2x2x1 ${pad}}, select=ge, scatter=add
}`;
    const n = (src as number[]).reduce((a, b) => a * b, 1);
    const p = await expectExact(hlo, [range(50 * (c as number), (j) => hash(j, 4) - 1), range(n, (j) => (j % 7) - 3)]);
    expect(p.kernels.map((k) => k.schedule?.lanes)).toEqual([lanes]);
  });
});
