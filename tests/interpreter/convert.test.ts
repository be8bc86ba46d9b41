import { describe, expect, it } from 'vitest';
import { f32, lit, nums, op, run, s32, vals } from './helpers.js';

const conv = (x: Parameters<typeof op>[1][0], dtype: Parameters<typeof lit>[0]) => op('convert', [x], { dtype });

describe('convert', () => {
  it('float → int truncates toward zero and saturates; NaN → 0', () => {
    const x = f32([6], [1.9, -1.9, NaN, 3e9, -3e9, Infinity]);
    expect(nums(conv(x, 's32'))).toEqual([1, -1, 0, 2147483647, -2147483648, 2147483647]);
    expect(nums(conv(f32([4], [-5, 300, 255.9, 1.5]), 'u8'))).toEqual([0, 255, 255, 1]);
  });
  it('float → s64/u64 saturates exactly', () => {
    expect(vals(conv(f32([4], [1e19, -1e19, NaN, -2.5]), 's64'))).toEqual([2n ** 63n - 1n, -(2n ** 63n), 0n, -2n]);
    expect(vals(conv(f32([2], [-1, 3.5]), 'u64'))).toEqual([0n, 3n]);
  });
  it('int → int wraps', () => {
    expect(nums(conv(s32([2], [300, -129]), 's8'))).toEqual([44, 127]);
    expect(nums(conv(lit('u32', [1], [4294967295]), 's32'))).toEqual([-1]);
    expect(nums(conv(s32([1], [-1]), 'u32'))).toEqual([4294967295]);
    expect(vals(conv(s32([1], [-5]), 's64'))).toEqual([-5n]);
    expect(vals(conv(s32([1], [-1]), 'u64'))).toEqual([2n ** 64n - 1n]);
    expect(nums(conv(lit('s64', [1], [2n ** 32n + 5n]), 's32'))).toEqual([5]);
  });
  it('int → float rounds to nearest even, once', () => {
    expect(nums(conv(s32([1], [16777217]), 'f32'))).toEqual([16777216]);
    expect(nums(conv(lit('s64', [1], [2n ** 53n + 1n]), 'f32'))).toEqual([2 ** 53]);
    // Via a double this would tie and round down; rounded once it goes up.
    expect(nums(conv(lit('s64', [1], [2n ** 60n + 2n ** 36n + 1n]), 'f32'))).toEqual([2 ** 60 + 2 ** 37]);
  });
  it('pred conversions', () => {
    expect(nums(conv(f32([4], [0, -0, 2, NaN]), 'pred'))).toEqual([0, 0, 1, 1]);
    expect(nums(conv(lit('pred', [2], [true, false]), 'f32'))).toEqual([1, 0]);
  });
  it('to f16 and bf16 rounds to nearest even', () => {
    expect(nums(conv(f32([2], [1 / 3, 70000]), 'f16'))).toEqual([0.333251953125, Infinity]);
    expect(nums(conv(f32([1], [1 / 3]), 'bf16'))).toEqual([0.333984375]);
    expect(nums(conv(lit('f64', [1], [0.1]), 'f32'))).toEqual([Math.fround(0.1)]);
  });
  it('f64 → bf16 rounds once (not via f32)', () => {
    expect(nums(conv(lit('f64', [1], [1 + 2 ** -8 + 2 ** -30]), 'bf16'))).toEqual([1 + 2 ** -7]);
  });
});

describe('bitcast-convert', () => {
  it('same width reinterprets bits', () => {
    expect(nums(op('bitcast-convert', [f32([2], [1, -2])], { dtype: 's32' }))).toEqual([0x3f800000, -1073741824]);
    expect(nums(op('bitcast-convert', [lit('u32', [1], [0x7f800000])], { dtype: 'f32' }))).toEqual([Infinity]);
    expect(nums(op('bitcast-convert', [s32([1], [-1])], { dtype: 'f32' }))).toEqual([NaN]);
    expect(nums(op('bitcast-convert', [lit('f16', [1], [1])], { dtype: 's16' }))).toEqual([0x3c00]);
    expect(nums(op('bitcast-convert', [lit('bf16', [1], [-2])], { dtype: 'u16' }))).toEqual([0xc000]);
    expect(nums(op('bitcast-convert', [lit('u16', [1], [0x3555])], { dtype: 'f16' }))).toEqual([0.333251953125]);
    expect(vals(op('bitcast-convert', [lit('f64', [1], [1])], { dtype: 's64' }))).toEqual([4607182418800017408n]);
  });
  it('different widths add or drop a minor dimension (little-endian)', () => {
    const wide = `HloModule t
ENTRY e {
  p = f32[] parameter(0)
  ROOT r = u8[4] bitcast-convert(p)
}`;
    expect(nums(run(wide, f32([], [1])))).toEqual([0, 0, 128, 63]);
    const narrow = `HloModule t
ENTRY e {
  p = u8[2,4] parameter(0)
  ROOT r = f32[2] bitcast-convert(p)
}`;
    expect(nums(run(narrow, lit('u8', [2, 4], [0, 0, 128, 63, 0, 0, 0, 192])))).toEqual([1, -2]);
  });
});

describe('reduce-precision', () => {
  const rp = (x: number[], e: number, m: number) =>
    nums(op('reduce-precision', [f32([x.length], x)], { attrs: `exponent_bits=${e}, mantissa_bits=${m}` }));
  it('to f16 precision: rounds, overflows to inf, flushes below the normal range', () => {
    expect(rp([1 / 3, 1e5, -1e5, 1e-8, NaN], 5, 10)).toEqual([0.333251953125, Infinity, -Infinity, 0, NaN]);
  });
  it('to bf16 precision ties to even', () => {
    expect(rp([1 + 2 ** -8, 1 + 3 * 2 ** -8], 8, 7)).toEqual([1, 1 + 2 ** -6]);
  });
  it('is a no-op at full precision', () => {
    expect(rp([Math.fround(1 / 3)], 8, 23)).toEqual([Math.fround(1 / 3)]);
  });
});
