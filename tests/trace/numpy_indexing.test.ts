import { describe, expect, it } from 'vitest';
import * as np from '../../compiler/frontends/trace/numpy/index.js';
import { expectValues, values } from './helpers.js';

const x = np.reshape(np.arange(24), [2, 3, 4]);

describe('slice', () => {
  it('takes indices, ranges and whole dims as numpy', () => {
    // x[1, :, 1:3]
    expectValues(np.slice(x, 1, null, [1, 3]), [3, 2], [13, 14, 17, 18, 21, 22]);
    // x[-1, ::2, ::-1]
    expectValues(np.slice(x, -1, [null, null, 2], [null, null, -1]), [2, 4], [15, 14, 13, 12, 23, 22, 21, 20]);
    // x[:, 2:0:-1, -1]
    expectValues(np.slice(x, null, [2, 0, -1], -1), [2, 2], [11, 7, 23, 19]);
    // x[0, -10:10, 3::-2] (bounds clamp)
    expectValues(np.slice(x, 0, [-10, 10], [3, null, -2]), [3, 2], [3, 1, 7, 5, 11, 9]);
    // trailing dims kept whole, empty ranges allowed
    expect(np.slice(x, 0).shape).toEqual([3, 4]);
    expect(np.slice(x, null, [2, 1]).shape).toEqual([2, 0, 4]);
  });
  it('refuses indices out of range and step 0', () => {
    expect(() => np.slice(x, 2)).toThrow(/index 2 is out of range for dim 0 of \[2,3,4\]/);
    expect(() => np.slice(x, [0, 1, 0])).toThrow(/step/);
    expect(() => np.slice(x, 0, 0, 0, 0)).toThrow(/4 specs for 3 dims/);
  });
});

describe('take, takeAlongAxis, flip, pad, oneHot', () => {
  it('take gathers along an axis with indices of any rank and int dtype', () => {
    const m = np.reshape(np.arange(12), [3, 4]);
    expectValues(np.take(m, np.array([2, 0], { dtype: 's32' }), 0), [2, 4], [8, 9, 10, 11, 0, 1, 2, 3]);
    expectValues(np.take(m, np.array([[3, -2], [0, 1]], { dtype: 's8' }), 1), [3, 2, 2], [3, 2, 0, 1, 7, 6, 4, 5, 11, 10, 8, 9]);
    expectValues(np.take(m, np.array([2], { dtype: 'u8' }), 1), [3, 1], [2, 6, 10]);
    expectValues(np.take(m, np.array([[-1, 0]], { dtype: 's64' }), 1), [3, 1, 2], [3, 0, 7, 4, 11, 8]);
    expectValues(np.take(m, np.array([5, 11], { dtype: 's32' })), [2], [5, 11]);
    expectValues(np.take(m, -1, 1), [3], [3, 7, 11]);
    expect(() => np.take(m, np.array([1.5]), 0)).toThrow(/indices must be integers, got f32/);
  });
  it('takeAlongAxis picks per row, broadcasting the other dims', () => {
    const m = np.array([[10, 30, 20], [5, 4, 6]]);
    expectValues(np.takeAlongAxis(m, np.array([[1], [2]], { dtype: 's32' }), 1), [2, 1], [30, 6]);
    expectValues(np.takeAlongAxis(m, np.array([[1, 0, 1]], { dtype: 's32' }), 0), [1, 3], [5, 30, 6]);
    expect(() => np.takeAlongAxis(m, np.array([1], { dtype: 's32' }), 1)).toThrow(/indices \[1\] must have the rank of x \[2,3\]/);
  });
  it('flip reverses dims', () => {
    const m = np.reshape(np.arange(6), [2, 3]);
    expectValues(np.flip(m, 1), [2, 3], [2, 1, 0, 5, 4, 3]);
    expectValues(np.flip(m), [2, 3], [5, 4, 3, 2, 1, 0]);
  });
  it('pad adds constant borders', () => {
    const m = np.array([[1, 2], [3, 4]]);
    expectValues(np.pad(m, [[1, 0], [0, 2]], { constantValues: 9 }), [3, 4], [9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9]);
    expectValues(np.pad(np.array([1, 2]), 1), [4], [0, 1, 2, 0]);
    expect(() => np.pad(m, [[1, 0]])).toThrow(/1 dims for \[2,2\]/);
    expect(() => np.pad(m, 1, { mode: 'reflect' as 'constant' })).toThrow(/reflect/);
  });
  it('oneHot compares labels with an iota', () => {
    const h = np.oneHot(np.array([2, 0, 5], { dtype: 's32' }), 3);
    expect(h.dtype).toBe('f32');
    expectValues(h, [3, 3], [0, 0, 1, 1, 0, 0, 0, 0, 0]);
    expect(np.oneHot(np.array([1], { dtype: 'u8' }), 2, { dtype: 's32' }).dtype).toBe('s32');
  });
});

describe('concatenate, stack, split, tile, repeat', () => {
  const a = np.reshape(np.arange(4), [2, 2]), b = np.array([[7, 8]], { dtype: 'f32' });
  it('concatenate promotes and joins', () => {
    const c = np.concatenate([a, b], 0);
    expect(c.dtype).toBe('f32');
    expectValues(c, [3, 2], [0, 1, 2, 3, 7, 8]);
    expectValues(np.concatenate([a, a], -1), [2, 4], [0, 1, 0, 1, 2, 3, 2, 3]);
    expectValues(np.concatenate([a, b], null), [6], [0, 1, 2, 3, 7, 8]);
    expect(() => np.concatenate([a, b], 1)).toThrow(/shapes \[2,2\], \[1,2\] differ outside that axis/);
  });
  it('stack adds an axis', () => {
    expectValues(np.stack([a, a], 1), [2, 2, 2], [0, 1, 0, 1, 2, 3, 2, 3]);
    expectValues(np.stack([np.array(1), np.array(2)]), [2], [1, 2]);
    expect(() => np.stack([a, b])).toThrow(/one shape, got \[2,2\], \[1,2\]/);
  });
  it('split into sections or at indices', () => {
    const v = np.arange(6);
    expect(np.split(v, 3).map((p) => values(p))).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(np.split(v, [1, 4]).map((p) => values(p))).toEqual([[0], [1, 2, 3], [4, 5]]);
    expect(() => np.split(v, 4)).toThrow(/4 equal parts/);
  });
  it('tile and repeat', () => {
    // np.tile(np.array([[0,1],[2,3]]), (2, 3)) and np.tile([0,1], (2,1,2))
    expectValues(np.tile(a, [2, 3]), [4, 6], [0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3]);
    expectValues(np.tile(np.arange(2), [2, 1, 2]), [2, 1, 4], [0, 1, 0, 1, 0, 1, 0, 1]);
    expectValues(np.repeat(a, 2, 1), [2, 4], [0, 0, 1, 1, 2, 2, 3, 3]);
    expectValues(np.repeat(a, 2), [8], [0, 0, 1, 1, 2, 2, 3, 3]);
    expectValues(np.repeat(a, 2, 0), [4, 2], [0, 1, 0, 1, 2, 3, 2, 3]);
  });
});

describe('argmax, argmin', () => {
  it('first occurrence on ties, along an axis or flattened', () => {
    const m = np.array([[1, 3, 3], [2, 0, 0], [5, 5, 1]]);
    const i = np.argmax(m, 1);
    expect(i.dtype).toBe('s32');
    expectValues(i, [3], [1, 0, 0]);
    expectValues(np.argmin(m, 1), [3], [0, 1, 2]);
    expectValues(np.argmax(m, 0), [3], [2, 2, 0]);
    expectValues(np.argmax(m), [], [6]);
    expectValues(np.argmin(m, 0, { keepdims: true }), [1, 3], [0, 1, 1]);
    expectValues(np.argmax(m, null, { keepdims: true }), [1, 1], [6]);
  });
  it('a NaN wins, as in JAX', () => {
    const m = np.array([[1, NaN, 3, NaN], [4, 2, 9, 0]]);
    expectValues(np.argmax(m, 1), [2], [1, 2]);
    expectValues(np.argmin(m, 1), [2], [1, 3]);
  });
  it('integer inputs', () => {
    expectValues(np.argmax(np.array([3, 9, 9, -2], { dtype: 's32' })), [], [1]);
    expectValues(np.argmin(np.array([3, 9, 0, 0], { dtype: 'u8' })), [], [2]);
  });
});
