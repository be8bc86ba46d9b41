import { describe, expect, it } from 'vitest';
import { f32, lit, nums, run, s32 } from './helpers.js';

const dot = (l: string, r: string, out: string, dnums: string) => `HloModule t
ENTRY e {
  a = ${l} parameter(0)
  b = ${r} parameter(1)
  ROOT d = ${out} dot(a, b), ${dnums}
}`;

describe('dot', () => {
  it('matrix multiply', () => {
    const r = run(dot('f32[2,3]', 'f32[3,2]', 'f32[2,2]', 'lhs_contracting_dims={1}, rhs_contracting_dims={0}'),
      f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3, 2], [7, 8, 9, 10, 11, 12]));
    expect(nums(r)).toEqual([58, 64, 139, 154]);
  });
  it('contracting both minor dims (XLA docs example)', () => {
    const r = run(dot('f32[2,3]', 'f32[2,3]', 'f32[2,2]', 'lhs_contracting_dims={1}, rhs_contracting_dims={1}'),
      f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([2, 3], [1, 1, 1, 2, 2, 2]));
    expect(nums(r)).toEqual([6, 12, 15, 30]);
  });
  it('batch dims come first in the result (XLA docs example)', () => {
    const r = run(dot('f32[2,2,2]', 'f32[2,2,2]', 'f32[2,2,2]',
      'lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={1}'),
    f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), f32([2, 2, 2], [1, 0, 0, 1, 1, 0, 0, 1]));
    expect(nums(r)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
  it('batch and contracting dims anywhere', () => {
    const r = run(dot('f32[3,2]', 'f32[2,3]', 'f32[2]',
      'lhs_batch_dims={1}, lhs_contracting_dims={0}, rhs_batch_dims={0}, rhs_contracting_dims={1}'),
    f32([3, 2], [1, 2, 3, 4, 5, 6]), f32([2, 3], [1, 1, 1, 1, 0, -1]));
    expect(nums(r)).toEqual([9, -4]);
  });
  it('outer product has free dims lhs then rhs', () => {
    const r = run(dot('f32[2]', 'f32[3]', 'f32[2,3]', 'lhs_contracting_dims={}, rhs_contracting_dims={}'),
      f32([2], [1, 2]), f32([3], [1, 10, 100]));
    expect(nums(r)).toEqual([1, 10, 100, 2, 20, 200]);
  });
  it('f32 accumulates in f32, rounding every step', () => {
    const r = run(dot('f32[3]', 'f32[3]', 'f32[]', 'lhs_contracting_dims={0}, rhs_contracting_dims={0}'),
      f32([3], [1e8, 1, -1e8]), f32([3], [1, 1, 1]));
    expect(nums(r)).toEqual([0]); // 1e8 + 1 rounds back to 1e8 in f32
  });
  it('integers wrap; s8 operands with an s32 result', () => {
    const r = run(dot('s32[1]', 's32[1]', 's32[]', 'lhs_contracting_dims={0}, rhs_contracting_dims={0}'),
      s32([1], [65536]), s32([1], [65536]));
    expect(nums(r)).toEqual([0]);
    const m = run(dot('s8[2]', 's8[2]', 's32[]', 'lhs_contracting_dims={0}, rhs_contracting_dims={0}'),
      lit('s8', [2], [-128, 127]), lit('s8', [2], [-128, 127]));
    expect(nums(m)).toEqual([32513]);
  });
});

/** 1-D convolution, one batch, one feature: input x, kernel k, with the given window. */
function conv1d(x: number[], k: number[], outLen: number, window: string, extra = ''): number[] {
  const text = `HloModule t
ENTRY e {
  x = f32[1,1,${x.length}] parameter(0)
  k = f32[1,1,${k.length}] parameter(1)
  ROOT c = f32[1,1,${outLen}] convolution(x, k), window={${window}}, dim_labels=bf0_oi0->bf0${extra}
}`;
  return nums(run(text, f32([1, 1, x.length], x), f32([1, 1, k.length], k)));
}

describe('convolution', () => {
  const x = [1, 2, 3, 4, 5], k = [1, 2, 3];
  it('valid window', () => expect(conv1d(x, k, 3, 'size=3')).toEqual([14, 20, 26]));
  it('padding', () => expect(conv1d(x, k, 5, 'size=3 pad=1_1')).toEqual([8, 14, 20, 26, 14]));
  it('stride with padding', () => expect(conv1d(x, k, 3, 'size=3 stride=2 pad=1_1')).toEqual([8, 20, 14]));
  it('negative padding crops', () => expect(conv1d(x, k, 2, 'size=3 pad=-1_0')).toEqual([20, 26]));
  it('rhs (window) dilation', () => expect(conv1d(x, k, 1, 'size=3 rhs_dilate=2')).toEqual([22]));
  it('lhs (base) dilation', () => expect(conv1d(x, k, 7, 'size=3 lhs_dilate=2')).toEqual([7, 4, 11, 6, 15, 8, 19]));
  it('window reversal', () => expect(conv1d(x, k, 3, 'size=3 rhs_reversal=1')).toEqual([10, 16, 22]));

  it('2-D NHWC with stride and padding', () => {
    const text = (win: string, o: number) => `HloModule t
ENTRY e {
  x = f32[1,3,3,1] parameter(0)
  k = f32[2,2,1,1] parameter(1)
  ROOT c = f32[1,${o},${o},1] convolution(x, k), window={${win}}, dim_labels=b01f_01io->b01f
}`;
    const img = f32([1, 3, 3, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9]), ones = f32([2, 2, 1, 1], [1, 1, 1, 1]);
    expect(nums(run(text('size=2x2', 2), img, ones))).toEqual([12, 16, 24, 28]);
    expect(nums(run(text('size=2x2 stride=2x2 pad=0_1x0_1', 2), img, ones))).toEqual([12, 9, 15, 9]);
  });

  it('feature groups: each output group sees its own input features', () => {
    const text = `HloModule t
ENTRY e {
  x = f32[1,4,2] parameter(0)
  k = f32[2,2,1] parameter(1)
  ROOT c = f32[1,2,2] convolution(x, k), window={size=1}, dim_labels=bf0_oi0->bf0, feature_group_count=2
}`;
    const r = run(text, f32([1, 4, 2], [1, 2, 3, 4, 5, 6, 7, 8]), f32([2, 2, 1], [1, 10, 100, 1000]));
    expect(nums(r)).toEqual([31, 42, 7500, 8600]);
  });

  it('depthwise (feature_group_count = input features) with a channel multiplier', () => {
    const text = `HloModule t
ENTRY e {
  x = f32[1,2,3] parameter(0)
  k = f32[4,1,2] parameter(1)
  ROOT c = f32[1,4,2] convolution(x, k), window={size=2}, dim_labels=bf0_oi0->bf0, feature_group_count=2
}`;
    const r = run(text, f32([1, 2, 3], [1, 2, 3, 4, 5, 6]), f32([4, 1, 2], [1, 0, 0, 1, 1, 1, 2, -1]));
    expect(nums(r)).toEqual([1, 2, 2, 3, 9, 11, 3, 4]);
  });

  it('batch groups: output feature groups read their own slice of the batch', () => {
    const text = `HloModule t
ENTRY e {
  x = f32[2,1,2] parameter(0)
  k = f32[2,1,1] parameter(1)
  ROOT c = f32[1,2,2] convolution(x, k), window={size=1}, dim_labels=bf0_oi0->bf0, batch_group_count=2
}`;
    const r = run(text, f32([2, 1, 2], [1, 2, 3, 4]), f32([2, 1, 1], [10, 100]));
    expect(nums(r)).toEqual([10, 20, 300, 400]);
  });

  it('no spatial dimensions is a per-position dot over features', () => {
    const text = `HloModule t
ENTRY e {
  x = f32[2,3] parameter(0)
  k = f32[3,1] parameter(1)
  ROOT c = f32[2,1] convolution(x, k), dim_labels=bf_io->bf
}`;
    expect(nums(run(text, f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([3, 1], [1, 1, 1])))).toEqual([6, 15]);
  });
});
