import { describe, expect, it } from 'vitest';
import { f32, lit, nums, op, run, s32, vals } from './helpers.js';
import type { ArrayLiteral } from '../../ir/literal.js';

const NaN32 = NaN;

describe('float arithmetic rounds like the result dtype', () => {
  it('f32: 0.1 + 0.2 is 0.3f, and 2^24 + 1 ties to even', () => {
    expect(nums(op('add', [f32([2], [0.1, 16777216]), f32([2], [0.2, 1])]))).toEqual([Math.fround(0.3), 16777216]);
  });

  it('f16 ties to even and overflows to inf at 65520', () => {
    const a = lit('f16', [4], [1, 1, 65504, 65504]);
    const b = lit('f16', [4], [2 ** -11, 3 * 2 ** -11, 16, 8]);
    expect(nums(op('add', [a, b]))).toEqual([1, 1 + 2 ** -9, Infinity, 65504]);
  });

  it('bf16 ties to even', () => {
    const r = op('add', [lit('bf16', [2], [1, 1]), lit('bf16', [2], [2 ** -8, 3 * 2 ** -8])]);
    expect(nums(r)).toEqual([1, 1.015625]);
  });

  it('f32 transcendental results are f32 values', () => {
    const r = nums(op('exponential', [f32([1], [1])]));
    expect(r[0]).toBe(Math.fround(Math.E));
  });
});

describe('maximum and minimum', () => {
  it('propagate NaN from either side', () => {
    const a = f32([3], [NaN32, 1, 2]), b = f32([3], [1, NaN32, 3]);
    expect(nums(op('maximum', [a, b]))).toEqual([NaN, NaN, 3]);
    expect(nums(op('minimum', [a, b]))).toEqual([NaN, NaN, 2]);
  });
  it('work on integers', () => {
    expect(nums(op('maximum', [s32([2], [-3, 4]), s32([2], [2, -4])]))).toEqual([2, 4]);
  });
});

describe('integer division and remainder', () => {
  const INT_MIN = -(2 ** 31);
  it('s32 truncates toward zero; x/0 = -1; INT_MIN/-1 = INT_MIN', () => {
    const a = s32([5], [7, -7, 7, 5, INT_MIN]), b = s32([5], [2, 2, -2, 0, -1]);
    expect(nums(op('divide', [a, b]))).toEqual([3, -3, -3, -1, INT_MIN]);
  });
  it('s32 remainder takes the dividend sign; x%0 = x; INT_MIN%-1 = 0', () => {
    const a = s32([5], [7, -7, 7, 5, INT_MIN]), b = s32([5], [3, 3, -3, 0, -1]);
    expect(nums(op('remainder', [a, b]))).toEqual([1, -1, 1, 5, 0]);
  });
  it('u32: x/0 is all bits set, x%0 = x', () => {
    const a = lit('u32', [3], [7, 7, 4294967295]), b = lit('u32', [3], [0, 0, 2]);
    expect(nums(op('divide', [a, b]))).toEqual([4294967295, 4294967295, 2147483647]);
    expect(nums(op('remainder', [a, b]))).toEqual([7, 7, 1]);
  });
  it('f32 remainder is fmod', () => {
    expect(nums(op('remainder', [f32([2], [5.5, -5.5]), f32([2], [-2, 2])]))).toEqual([1.5, -1.5]);
  });
});

describe('integer wraparound', () => {
  it('u32 wraps', () => {
    const u = (v: number[]) => lit('u32', [v.length], v);
    expect(nums(op('add', [u([4294967295]), u([1])]))).toEqual([0]);
    expect(nums(op('subtract', [u([0]), u([1])]))).toEqual([4294967295]);
    expect(nums(op('multiply', [u([65536, 4294967295]), u([65536, 4294967295])]))).toEqual([0, 1]);
  });
  it('s32, s16, s8, u8 wrap', () => {
    expect(nums(op('add', [s32([1], [2147483647]), s32([1], [1])]))).toEqual([-2147483648]);
    expect(nums(op('multiply', [s32([1], [123456789]), s32([1], [987654321])]))).toEqual([-67153019]);
    expect(nums(op('add', [lit('s16', [1], [32767]), lit('s16', [1], [1])]))).toEqual([-32768]);
    expect(nums(op('add', [lit('s8', [1], [127]), lit('s8', [1], [1])]))).toEqual([-128]);
    expect(nums(op('add', [lit('u8', [1], [250]), lit('u8', [1], [10])]))).toEqual([4]);
    expect(nums(op('negate', [s32([1], [-2147483648])]))).toEqual([-2147483648]);
    expect(nums(op('abs', [s32([1], [-2147483648])]))).toEqual([-2147483648]);
  });
});

describe('s64 and u64 stay exact', () => {
  const s64 = (v: bigint[]) => lit('s64', [v.length], v);
  it('beyond 2^53', () => {
    expect(vals(op('add', [s64([9007199254740993n]), s64([1n])]))).toEqual([9007199254740994n]);
    expect(vals(op('compare', [s64([9007199254740993n]), s64([9007199254740992n])], { dtype: 'pred', attrs: 'direction=GT' })))
      .toEqual([1]);
  });
  it('wrap at 64 bits', () => {
    expect(vals(op('multiply', [s64([2n ** 62n, 4294967296n]), s64([4n, 4294967296n])]))).toEqual([0n, 0n]);
    expect(vals(op('add', [s64([2n ** 63n - 1n]), s64([1n])]))).toEqual([-(2n ** 63n)]);
    expect(vals(op('subtract', [lit('u64', [1], [0n]), lit('u64', [1], [1n])]))).toEqual([2n ** 64n - 1n]);
  });
  it('divide by zero and INT64_MIN / -1', () => {
    const min = -(2n ** 63n);
    expect(vals(op('divide', [s64([min, 5n, -7n]), s64([-1n, 0n, 2n])]))).toEqual([min, -1n, -3n]);
    expect(vals(op('remainder', [s64([min, 5n]), s64([-1n, 0n])]))).toEqual([0n, 5n]);
    expect(vals(op('divide', [lit('u64', [1], [5n]), lit('u64', [1], [0n])]))).toEqual([2n ** 64n - 1n]);
  });
  it('shifts, popcnt, clz', () => {
    expect(vals(op('shift-left', [s64([1n, 1n]), s64([63n, 64n])]))).toEqual([-(2n ** 63n), 0n]);
    expect(vals(op('shift-right-logical', [s64([-1n]), s64([60n])]))).toEqual([15n]);
    expect(vals(op('shift-right-arithmetic', [s64([-16n, -1n]), s64([2n, 64n])]))).toEqual([-4n, -1n]);
    expect(vals(op('popcnt', [s64([-1n, 5n])]))).toEqual([64n, 2n]);
    expect(vals(op('clz', [s64([1n, 0n, -1n])]))).toEqual([63n, 64n, 0n]);
  });
});

describe('shifts', () => {
  it('s32 counts at or past the width (or negative) shift everything out', () => {
    expect(nums(op('shift-left', [s32([3], [1, 1, 1]), s32([3], [31, 32, -1])]))).toEqual([-2147483648, 0, 0]);
    expect(nums(op('shift-right-logical', [s32([2], [-1, -8]), s32([2], [28, 32])]))).toEqual([15, 0]);
    expect(nums(op('shift-right-arithmetic', [s32([3], [-8, -8, 8]), s32([3], [1, 40, 40])]))).toEqual([-4, -1, 0]);
  });
  it('u8 shifts work on 8 bits', () => {
    const x = lit('u8', [1], [200]);
    expect(nums(op('shift-left', [x, lit('u8', [1], [1])]))).toEqual([144]);
    expect(nums(op('shift-right-arithmetic', [x, lit('u8', [1], [1])]))).toEqual([228]);
    expect(nums(op('shift-right-logical', [x, lit('u8', [1], [8])]))).toEqual([0]);
    expect(nums(op('shift-right-arithmetic', [x, lit('u8', [1], [8])]))).toEqual([255]);
  });
});

describe('power', () => {
  it('integers: by squaring with wraparound; negative exponents give 0 except base 1', () => {
    const a = s32([7], [2, 3, 2, 1, -1, 0, -2]), b = s32([7], [10, 21, -1, -5, -3, 0, 3]);
    expect(nums(op('power', [a, b]))).toEqual([1024, 1870418611, 0, 1, 0, 1, -8]);
  });
  it('floats: 1^NaN = 1, NaN^0 = 1', () => {
    const r = nums(op('power', [f32([4], [1, NaN32, 2, -8]), f32([4], [NaN32, 0, 0.5, 1 / 3])]));
    expect(r).toEqual([1, 1, Math.fround(Math.SQRT2), NaN]);
  });
});

describe('unary functions', () => {
  it('round-nearest-afz rounds half away from zero', () => {
    const x = f32([6], [0.5, 1.5, 2.5, -0.5, -2.5, 0.49999997]);
    expect(nums(op('round-nearest-afz', [x]))).toEqual([1, 2, 3, -1, -3, 0]);
  });
  it('round-nearest-even rounds half to even and keeps -0', () => {
    const r = nums(op('round-nearest-even', [f32([6], [0.5, 1.5, 2.5, -0.5, -2.5, 3.7])]));
    expect(r).toEqual([0, 2, 2, -0, -2, 4]);
    expect(Object.is(r[3], -0)).toBe(true);
  });
  it('sign', () => {
    const r = nums(op('sign', [f32([5], [-2.5, -0, 0, 3, NaN32])]));
    expect(r).toEqual([-1, -0, 0, 1, NaN]);
    expect(Object.is(r[1], -0)).toBe(true);
    expect(nums(op('sign', [s32([3], [-5, 0, 7])]))).toEqual([-1, 0, 1]);
  });
  it('popcnt and clz count per bit width', () => {
    expect(nums(op('popcnt', [s32([4], [0, 1, -1, 0xf0])]))).toEqual([0, 1, 32, 4]);
    expect(nums(op('clz', [s32([4], [0, 1, -1, 0xf0])]))).toEqual([32, 31, 0, 24]);
    expect(nums(op('popcnt', [lit('u8', [4], [0, 1, 255, 16])]))).toEqual([0, 1, 8, 1]);
    expect(nums(op('clz', [lit('u8', [4], [0, 1, 255, 16])]))).toEqual([8, 7, 0, 3]);
    expect(nums(op('popcnt', [lit('s8', [1], [-1])]))).toEqual([8]);
  });
  it('not is logical on pred and bitwise on integers', () => {
    expect(nums(op('not', [lit('pred', [2], [true, false])]))).toEqual([0, 1]);
    expect(nums(op('not', [s32([3], [0, -1, 5])]))).toEqual([-1, 0, -6]);
    expect(nums(op('not', [lit('u8', [3], [0, 255, 5])]))).toEqual([255, 0, 250]);
  });
  it('is-finite gives pred', () => {
    expect(nums(op('is-finite', [f32([4], [1, Infinity, -Infinity, NaN32])], { dtype: 'pred' }))).toEqual([1, 0, 0, 0]);
  });
  it('logistic, cbrt, rsqrt', () => {
    expect(nums(op('logistic', [f32([3], [0, 100, -100])]))).toEqual([0.5, 1, Math.fround(1 / (1 + Math.exp(100)))]);
    expect(nums(op('cbrt', [f32([2], [-27, 8])]))).toEqual([-3, 2]);
    expect(nums(op('rsqrt', [f32([1], [4])]))).toEqual([0.5]);
  });
  it('erf matches reference values to double precision', () => {
    const xs = [0, 0.5, 1, -2, 3, 10, 1e-10];
    const want = [0, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9999779095030014, 1, 1.1283791670955126e-10];
    const got = nums(op('erf', [lit('f64', [xs.length], xs)]));
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 15));
    const g32 = nums(op('erf', [f32([3], [0.5, 1, 2.5])]));
    expect(g32).toEqual([Math.fround(0.5204998778130465), Math.fround(0.8427007929497149), Math.fround(0.999593047982555)]);
  });
});

function withBits(dtype: 'f32', values: number[], patch: Record<number, [number, number]>): ArrayLiteral {
  const l = lit(dtype, [values.length], values);
  const dv = new DataView(l.data.buffer);
  for (const [i, [hi, lo]] of Object.entries(patch)) {
    dv.setUint32(Number(i) * 8 + 4, hi, true);
    dv.setUint32(Number(i) * 8, lo, true);
  }
  return l;
}

describe('compare', () => {
  const cmp = (a: ArrayLiteral, b: ArrayLiteral, attrs: string) => nums(op('compare', [a, b], { dtype: 'pred', attrs }));
  it('floats compare as IEEE by default: NaN is unordered, -0 == 0', () => {
    const a = f32([3], [NaN32, 1, -0]), b = f32([3], [NaN32, 2, 0]);
    expect(cmp(a, b, 'direction=EQ')).toEqual([0, 0, 1]);
    expect(cmp(a, b, 'direction=NE')).toEqual([1, 1, 0]);
    expect(cmp(a, b, 'direction=LT')).toEqual([0, 1, 0]);
    expect(cmp(a, b, 'direction=GE')).toEqual([0, 0, 1]);
  });
  it('TOTALORDER: -NaN < -Inf < -0 < +0 < +Inf < +NaN', () => {
    // Slot 2 of a is -NaN (sign bit set).
    const a = withBits('f32', [-0, NaN32, 0, -Infinity, NaN32], { 2: [0xfff80000, 0] });
    const b = f32([5], [0, Infinity, -Infinity, NaN32, NaN32]);
    expect(cmp(a, b, 'direction=LT, type=TOTALORDER')).toEqual([1, 0, 1, 1, 0]);
    expect(cmp(a, b, 'direction=EQ, type=TOTALORDER')).toEqual([0, 0, 0, 0, 1]);
  });
  it('integers, signed and unsigned', () => {
    expect(cmp(s32([2], [-1, 5]), s32([2], [0, 5]), 'direction=LT')).toEqual([1, 0]);
    expect(cmp(lit('u32', [1], [4294967295]), lit('u32', [1], [1]), 'direction=GT')).toEqual([1]);
  });
});

describe('select and clamp', () => {
  it('select by an array or a scalar predicate', () => {
    const t = s32([3], [1, 2, 3]), f = s32([3], [10, 20, 30]);
    expect(nums(op('select', [lit('pred', [3], [true, false, true]), t, f], { dtype: 's32' }))).toEqual([1, 20, 3]);
    const text = `HloModule t
ENTRY e {
  p = pred[] parameter(0)
  a = s32[3] parameter(1)
  b = s32[3] parameter(2)
  ROOT r = s32[3] select(p, a, b)
}`;
    expect(nums(run(text, lit('pred', [], [false]), t, f))).toEqual([10, 20, 30]);
  });
  it('clamp with scalar bounds and NaN propagation', () => {
    const text = (t: string) => `HloModule t
ENTRY e {
  lo = ${t}[] parameter(0)
  x = ${t}[3] parameter(1)
  hi = ${t}[] parameter(2)
  ROOT r = ${t}[3] clamp(lo, x, hi)
}`;
    expect(nums(run(text('s32'), s32([], [0]), s32([3], [-1, 5, 9]), s32([], [6])))).toEqual([0, 5, 6]);
    expect(nums(run(text('f32'), f32([], [0]), f32([3], [NaN32, -1, 2]), f32([], [1])))).toEqual([NaN, 0, 1]);
    expect(nums(run(text('f32'), f32([], [NaN32]), f32([3], [0.5, -1, 2]), f32([], [1])))).toEqual([NaN, NaN, NaN]);
  });
});
