import { describe, expect, it } from 'vitest';
import { dims, f32, nums, run, s32 } from './helpers.js';

const one = (decl: string, root: string) => `HloModule t
ENTRY e {
  ${decl}
  ROOT r = ${root}
}`;

describe('data movement', () => {
  const m23 = f32([2, 3], [1, 2, 3, 4, 5, 6]);

  it('iota along a dimension', () => {
    expect(nums(run('HloModule t\nENTRY e { ROOT r = s32[2,3] iota(), iota_dimension=1 }'))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(nums(run('HloModule t\nENTRY e { ROOT r = f32[3,2] iota(), iota_dimension=0 }'))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('broadcast maps operand dims to result dims', () => {
    const r = run(one('p = f32[3] parameter(0)', 'f32[2,3] broadcast(p), dimensions={1}'), f32([3], [1, 2, 3]));
    expect(nums(r)).toEqual([1, 2, 3, 1, 2, 3]);
    const c = run(one('p = f32[2] parameter(0)', 'f32[2,3] broadcast(p), dimensions={0}'), f32([2], [7, 8]));
    expect(nums(c)).toEqual([7, 7, 7, 8, 8, 8]);
    const s = run(one('p = f32[] parameter(0)', 'f32[2] broadcast(p), dimensions={}'), f32([], [5]));
    expect(nums(s)).toEqual([5, 5]);
  });

  it('reshape is row-major; transpose permutes', () => {
    const r = run(one('p = f32[2,3] parameter(0)', 'f32[3,2] reshape(p)'), m23);
    expect(nums(r)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dims(r)).toEqual([3, 2]);
    const t = run(one('p = f32[2,3] parameter(0)', 'f32[3,2] transpose(p), dimensions={1,0}'), m23);
    expect(nums(t)).toEqual([1, 4, 2, 5, 3, 6]);
    const x = f32([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));
    const t3 = run(one('p = f32[2,3,4] parameter(0)', 'f32[4,2,3] transpose(p), dimensions={2,0,1}'), x);
    // result[k][i][j] = x[i][j][k]: first row is x[.][.][0].
    expect(nums(t3).slice(0, 6)).toEqual([0, 4, 8, 12, 16, 20]);
    expect(nums(t3)[23]).toBe(23);
  });

  it('slice with strides', () => {
    const x = f32([2, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const r = run(one('p = f32[2,5] parameter(0)', 'f32[1,2] slice(p), slice={[1:2], [0:5:3]}'), x);
    expect(nums(r)).toEqual([5, 8]);
    const r2 = run(one('p = f32[2,5] parameter(0)', 'f32[2,3] slice(p), slice={[0:2], [1:4]}'), x);
    expect(nums(r2)).toEqual([1, 2, 3, 6, 7, 8]);
  });

  it('dynamic-slice clamps its start into range', () => {
    const text = `HloModule t
ENTRY e {
  p = f32[4,3] parameter(0)
  i = s32[] parameter(1)
  j = s32[] parameter(2)
  ROOT r = f32[2,2] dynamic-slice(p, i, j), dynamic_slice_sizes={2,2}
}`;
    const b = f32([4, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(nums(run(text, b, s32([], [2]), s32([], [1])))).toEqual([7, 8, 10, 11]);
    expect(nums(run(text, b, s32([], [5]), s32([], [-3])))).toEqual([6, 7, 9, 10]); // clamped to (2, 0)
  });

  it('dynamic-update-slice clamps its start into range', () => {
    const text = `HloModule t
ENTRY e {
  p = f32[5] parameter(0)
  u = f32[2] parameter(1)
  i = s32[] parameter(2)
  ROOT r = f32[5] dynamic-update-slice(p, u, i)
}`;
    const a = f32([5], [0, 1, 2, 3, 4]), u = f32([2], [5, 6]);
    expect(nums(run(text, a, u, s32([], [2])))).toEqual([0, 1, 5, 6, 4]);
    expect(nums(run(text, a, u, s32([], [10])))).toEqual([0, 1, 2, 5, 6]);
    expect(nums(run(text, a, u, s32([], [-1])))).toEqual([5, 6, 2, 3, 4]);
    expect(nums(a)).toEqual([0, 1, 2, 3, 4]); // operands are never modified
  });

  it('concatenate along an inner dimension', () => {
    const text = `HloModule t
ENTRY e {
  a = f32[2,1] parameter(0)
  b = f32[2,2] parameter(1)
  ROOT r = f32[2,3] concatenate(a, b), dimensions={1}
}`;
    expect(nums(run(text, f32([2, 1], [1, 2]), f32([2, 2], [3, 4, 5, 6])))).toEqual([1, 3, 4, 2, 5, 6]);
  });

  it('pad with edge, interior and negative padding', () => {
    const x = f32([3], [1, 2, 3]);
    const pad = (cfg: string, n: number) =>
      nums(run(`HloModule t
ENTRY e {
  p = f32[3] parameter(0)
  z = f32[] constant(0)
  ROOT r = f32[${n}] pad(p, z), padding=${cfg}
}`, x));
    expect(pad('1_2', 6)).toEqual([0, 1, 2, 3, 0, 0]);
    expect(pad('0_0_1', 5)).toEqual([1, 0, 2, 0, 3]);
    expect(pad('-1_1_1', 5)).toEqual([0, 2, 0, 3, 0]); // interior first, then crop one on the left
    expect(pad('-2_-2_1', 1)).toEqual([2]);
    const two = run(`HloModule t
ENTRY e {
  p = f32[2,2] parameter(0)
  v = f32[] constant(9)
  ROOT r = f32[3,4] pad(p, v), padding=1_0x0_1_1
}`, f32([2, 2], [1, 2, 3, 4]));
    expect(nums(two)).toEqual([9, 9, 9, 9, 1, 9, 2, 9, 3, 9, 4, 9]);
  });

  it('reverse', () => {
    const r = run(one('p = f32[2,3] parameter(0)', 'f32[2,3] reverse(p), dimensions={1}'), m23);
    expect(nums(r)).toEqual([3, 2, 1, 6, 5, 4]);
    const r2 = run(one('p = f32[2,3] parameter(0)', 'f32[2,3] reverse(p), dimensions={0,1}'), m23);
    expect(nums(r2)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('copy and bitcast pass values through', () => {
    expect(nums(run(one('p = f32[2,3] parameter(0)', 'f32[2,3] copy(p)'), m23))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(nums(run(one('p = f32[2,3] parameter(0)', 'f32[6] bitcast(p)'), m23))).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
