import { describe, expect, it } from 'vitest';
import { elements, f32, nums, run, s32 } from './helpers.js';

const ADD = 'add { a = f32[] parameter(0)\n b = f32[] parameter(1)\n ROOT s = f32[] add(a, b) }';
const MAX = 'max { a = f32[] parameter(0)\n b = f32[] parameter(1)\n ROOT s = f32[] maximum(a, b) }';
const MIN = 'min { a = f32[] parameter(0)\n b = f32[] parameter(1)\n ROOT s = f32[] minimum(a, b) }';

// The XLA docs' 3-D example: f32[4,2,3] holding 1..6 replicated along dimension 0.
const cube = f32([4, 2, 3], Array.from({ length: 24 }, (_, i) => (i % 6) + 1));

describe('reduce', () => {
  const sum = (dims: string, out: string) => `HloModule t
${ADD}
ENTRY e {
  x = f32[4,2,3] parameter(0)
  z = f32[] constant(0)
  ROOT r = ${out} reduce(x, z), dimensions={${dims}}, to_apply=add
}`;
  it('over one, several and all dimensions (XLA docs example)', () => {
    expect(nums(run(sum('0', 'f32[2,3]'), cube))).toEqual([4, 8, 12, 16, 20, 24]);
    expect(nums(run(sum('2', 'f32[4,2]'), cube))).toEqual([6, 15, 6, 15, 6, 15, 6, 15]);
    expect(nums(run(sum('0,1', 'f32[3]'), cube))).toEqual([20, 28, 36]);
    expect(nums(run(sum('2,0,1', 'f32[]'), cube))).toEqual([84]);
  });

  it('is sequential from the init value, accumulator first', () => {
    const text = `HloModule t
sub { a = f32[] parameter(0)
 b = f32[] parameter(1)
 ROOT s = f32[] subtract(a, b) }
ENTRY e {
  x = f32[3] parameter(0)
  i = f32[] constant(10)
  ROOT r = f32[] reduce(x, i), dimensions={0}, to_apply=sub
}`;
    expect(nums(run(text, f32([3], [1, 2, 3])))).toEqual([4]); // ((10-1)-2)-3
  });

  it('rounds each f32 step', () => {
    const text = `HloModule t
${ADD}
ENTRY e {
  x = f32[5] parameter(0)
  z = f32[] constant(0)
  ROOT r = f32[] reduce(x, z), dimensions={0}, to_apply=add
}`;
    expect(nums(run(text, f32([5], [1e8, 1, 1, 1, 1])))).toEqual([1e8]);
  });

  it('runs a general to_apply computation', () => {
    const text = `HloModule t
sumsq { a = s32[] parameter(0)
 b = s32[] parameter(1)
 t = s32[] multiply(b, b)
 ROOT s = s32[] add(a, t) }
ENTRY e {
  x = s32[2,3] parameter(0)
  z = s32[] constant(0)
  ROOT r = s32[2] reduce(x, z), dimensions={1}, to_apply=sumsq
}`;
    expect(nums(run(text, s32([2, 3], [1, 2, 3, -1, 0, 4])))).toEqual([14, 17]);
  });

  it('variadic: max and argmax together', () => {
    const text = (dir: string) => `HloModule t
argmax {
  a = f32[] parameter(0)
  i = s32[] parameter(1)
  b = f32[] parameter(2)
  j = s32[] parameter(3)
  gt = pred[] compare(b, a), direction=${dir}
  v = f32[] select(gt, b, a)
  k = s32[] select(gt, j, i)
  ROOT t = (f32[], s32[]) tuple(v, k)
}
ENTRY e {
  x = f32[2,5] parameter(0)
  idx = s32[2,5] iota(), iota_dimension=1
  ninf = f32[] constant(-inf)
  zero = s32[] constant(0)
  ROOT r = (f32[2], s32[2]) reduce(x, idx, ninf, zero), dimensions={1}, to_apply=argmax
}`;
    const x = f32([2, 5], [3, 7, 2, 7, 1, -1, -5, -0.5, -2, -9]);
    const gt = elements(run(text('GT'), x));
    expect(nums(gt[0])).toEqual([7, -0.5]);
    expect(nums(gt[1])).toEqual([1, 2]); // the first of the tied maxima
    expect(nums(elements(run(text('GE'), x))[1])).toEqual([3, 2]); // the last, visiting in order
  });
});

describe('reduce-window', () => {
  const rw = (x: number[], win: string, outLen: number, comp: string, init: string) => nums(run(`HloModule t
${comp}
ENTRY e {
  x = f32[${x.length}] parameter(0)
  i = f32[] constant(${init})
  ROOT r = f32[${outLen}] reduce-window(x, i), window={${win}}, to_apply=${comp.split(' ')[0]}
}`, f32([x.length], x)));

  it('valid and padded windows (XLA docs example)', () => {
    const x = [10000, 1000, 100, 10, 1];
    expect(rw(x, 'size=3 stride=2', 2, MIN, 'inf')).toEqual([100, 1]);
    expect(rw(x, 'size=3 stride=2 pad=1_1', 3, MIN, 'inf')).toEqual([1000, 10, 1]);
  });
  it('padding contributes nothing but the init value', () => {
    expect(rw([1, 2, 3], 'size=2 pad=1_1', 4, ADD, '0')).toEqual([1, 3, 5, 3]);
    expect(rw([1, 2, 3], 'size=2 pad=1_1', 4, ADD, '10')).toEqual([11, 13, 15, 13]);
  });
  it('base and window dilation', () => {
    expect(rw([1, 2, 3], 'size=2 lhs_dilate=2', 4, ADD, '0')).toEqual([1, 2, 2, 3]);
    expect(rw([1, 2, 3, 4], 'size=2 rhs_dilate=2', 2, ADD, '0')).toEqual([4, 6]);
  });
  it('2x2 max pool', () => {
    const text = `HloModule t
${MAX}
ENTRY e {
  x = f32[4,4] parameter(0)
  i = f32[] constant(-inf)
  ROOT r = f32[2,2] reduce-window(x, i), window={size=2x2 stride=2x2}, to_apply=max
}`;
    const x = f32([4, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].map((v) => (v % 5) * v));
    // values: 1 4 9 16 / 0 6 14 24 / 36 0 11 24 / 39 56 0 16
    expect(nums(run(text, x))).toEqual([6, 24, 56, 24]);
  });
  it('variadic windows', () => {
    const text = `HloModule t
both { a = f32[] parameter(0)
 b = s32[] parameter(1)
 c = f32[] parameter(2)
 d = s32[] parameter(3)
 s = f32[] add(a, c)
 m = s32[] maximum(b, d)
 ROOT t = (f32[], s32[]) tuple(s, m) }
ENTRY e {
  x = f32[4] parameter(0)
  y = s32[4] parameter(1)
  z = f32[] constant(0)
  n = s32[] constant(-100)
  ROOT r = (f32[3], s32[3]) reduce-window(x, y, z, n), window={size=2}, to_apply=both
}`;
    const r = elements(run(text, f32([4], [1, 2, 3, 4]), s32([4], [5, -1, 7, 0])));
    expect(nums(r[0])).toEqual([3, 5, 7]);
    expect(nums(r[1])).toEqual([5, 7, 7]);
  });
});

describe('select-and-scatter', () => {
  const sas = (x: number[], src: number[], win: string) => nums(run(`HloModule t
ge { a = f32[] parameter(0)
 b = f32[] parameter(1)
 ROOT c = pred[] compare(a, b), direction=GE }
${ADD}
ENTRY e {
  x = f32[${x.length}] parameter(0)
  s = f32[${src.length}] parameter(1)
  z = f32[] constant(0)
  ROOT r = f32[${x.length}] select-and-scatter(x, s, z), window={${win}}, select=ge, scatter=add
}`, f32([x.length], x), f32([src.length], src)));

  it('scatters each source value to its window maximum', () => {
    expect(sas([1, 5, 2, 8, 3, 4], [10, 20, 30], 'size=2 stride=2')).toEqual([0, 10, 0, 20, 0, 30]);
  });
  it('overlapping windows add up (XLA docs figure)', () => {
    expect(sas([1, 9, 2], [2, 6], 'size=2')).toEqual([0, 8, 0]);
  });
  it('ties keep the first element; padding is never selected', () => {
    expect(sas([5, 5], [1], 'size=2')).toEqual([1, 0]);
    expect(sas([3, 1], [1, 2], 'size=2 pad=1_0')).toEqual([3, 0]);
  });
});

describe('map', () => {
  it('applies a computation elementwise', () => {
    const text = `HloModule t
f { a = f32[] parameter(0)
 b = f32[] parameter(1)
 p = f32[] multiply(a, b)
 z = f32[] constant(0)
 ROOT m = f32[] maximum(p, z) }
ENTRY e {
  x = f32[3] parameter(0)
  y = f32[3] parameter(1)
  ROOT r = f32[3] map(x, y), dimensions={0}, to_apply=f
}`;
    expect(nums(run(text, f32([3], [1, -2, 3]), f32([3], [4, 5, -6])))).toEqual([4, 0, 0]);
  });
});
