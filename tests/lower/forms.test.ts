// HLO forms lowering once refused, each now compiled and checked bit for bit against the
// interpreter on the kernel IR executor and on wasm: gather with operand batching dims,
// dynamic-(update-)slice with its starts in one array (the old form), convolution with
// batch groups, a fusion reading a tuple operand, a scalar fusion inside a map, and the real
// and imaginary parts of real numbers.
import { describe, it } from 'vitest';
import { expectExact, hash } from './exact.js';

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('forms', () => {
  it('real and imag of real numbers: the number itself and +0, in vectors and tails', async () => {
    const hlo = `HloModule ri
ENTRY main {
  x = f32[7] parameter(0)
  h = f16[5] parameter(1)
  re = f32[7] real(x)
  im = f32[7] imag(x)
  imh = f16[5] imag(h)
  ROOT t = (f32[7], f32[7], f16[5], f16[5]) tuple(re, im, real(h), imh)
}`;
    await expectExact(hlo, [[1.5, -0, NaN, -Infinity, 3, -2.25, 1e-30], [0.5, -0, 2, -3, NaN]]);
  });

  it('gather with operand_batching_dims: each batch reads its own slice, starts clamped', async () => {
    const hlo = `HloModule g
ENTRY main {
  x = s32[3,6] parameter(0)
  i = s32[3,2] parameter(1)
  ROOT g = s32[3,2,2] gather(x, i), offset_dims={2}, start_index_map={1}, operand_batching_dims={0}, start_indices_batching_dims={0}, index_vector_dim=2, slice_sizes={1,2}
}`;
    await expectExact(hlo, [range(18, (j) => j * 10), [0, 5, 2, -3, 4, 1]]);
  });

  it('dynamic-slice and dynamic-update-slice with the starts in one rank-1 operand', async () => {
    const hlo = `HloModule d
ENTRY main {
  x = f32[4,5] parameter(0)
  s = s32[2] parameter(1)
  u = f32[2,2] parameter(2)
  ds = f32[2,3] dynamic-slice(x, s), dynamic_slice_sizes={2,3}
  dus = f32[4,5] dynamic-update-slice(x, u, s)
  ROOT t = (f32[2,3], f32[4,5]) tuple(ds, dus)
}`;
    await expectExact(hlo, [range(20, (j) => j - 0.5), [3, 9], [-1, -2, -3, -4]]);
  });

  it('convolution with batch_group_count: output feature group g reads input batch group g', async () => {
    const hlo = `HloModule c
ENTRY main {
  x = f32[4,5,2] parameter(0)
  w = f32[2,2,6] parameter(1)
  ROOT c = f32[2,4,6] convolution(x, w), window={size=2}, dim_labels=b0f_0io->b0f, batch_group_count=2
}`;
    await expectExact(hlo, [range(40, (j) => hash(j, 9) - 4), range(24, (j) => hash(j * 3, 5) - 2)]);
  });

  it('a fusion whose operand is a tuple reads each element through its get-tuple-element', async () => {
    const hlo = `HloModule f
fused {
  p = (f32[3,2], s32[3,2]) parameter(0)
  a = f32[3,2] get-tuple-element(p), index=0
  b = s32[3,2] get-tuple-element(p), index=1
  c = f32[3,2] convert(b)
  ROOT r = f32[3,2] subtract(a, c)
}
ENTRY main {
  x = f32[3,2] parameter(0)
  y = s32[3,2] parameter(1)
  t = (f32[3,2], s32[3,2]) tuple(x, y)
  ROOT f = f32[3,2] fusion(t), kind=kLoop, calls=fused
}`;
    await expectExact(hlo, [range(6, (j) => j * 1.5), range(6, (j) => 7 - j)]);
  });

  it('a scalar fusion inside a map function is inlined', async () => {
    const hlo = `HloModule m
fused {
  x = f32[] parameter(0)
  c = f32[] constant(42)
  m = f32[] multiply(x, x)
  ROOT a = f32[] add(m, c)
}
fn {
  x = f32[] parameter(0)
  ROOT f = f32[] fusion(x), kind=kLoop, calls=fused
}
ENTRY main {
  p = f32[3,5] parameter(0)
  ROOT map = f32[3,5] map(p), dimensions={0,1}, to_apply=fn
}`;
    await expectExact(hlo, [range(15, (j) => j / 4 - 1)]);
  });
});
