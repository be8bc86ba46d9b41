import { describe, expect, it } from 'vitest';
import { elements, f32, nums, run, s32 } from './helpers.js';

const m33 = f32([3, 3], [0, 1, 2, 3, 4, 5, 6, 7, 8]);

describe('gather', () => {
  const take = `HloModule t
ENTRY e {
  x = f32[3,3] parameter(0)
  i = s32[2] parameter(1)
  ROOT g = f32[2,3] gather(x, i), offset_dims={1}, collapsed_slice_dims={0}, start_index_map={0}, index_vector_dim=1, slice_sizes={1,3}
}`;
  it('takes rows', () => {
    expect(nums(run(take, m33, s32([2], [2, 0])))).toEqual([6, 7, 8, 0, 1, 2]);
  });
  it('clamps start indices so the slice stays in bounds', () => {
    expect(nums(run(take, m33, s32([2], [5, -1])))).toEqual([6, 7, 8, 0, 1, 2]);
    const window = `HloModule t
ENTRY e {
  x = f32[5] parameter(0)
  i = s32[1,1] parameter(1)
  ROOT g = f32[1,3] gather(x, i), offset_dims={1}, collapsed_slice_dims={}, start_index_map={0}, index_vector_dim=1, slice_sizes={3}
}`;
    expect(nums(run(window, f32([5], [0, 1, 2, 3, 4]), s32([1, 1], [3])))).toEqual([2, 3, 4]);
  });
  it('gather_nd with index vectors in either dimension', () => {
    const nd = (ivd: number) => `HloModule t
ENTRY e {
  x = f32[2,3] parameter(0)
  i = s32[2,2] parameter(1)
  ROOT g = f32[2] gather(x, i), offset_dims={}, collapsed_slice_dims={0,1}, start_index_map={0,1}, index_vector_dim=${ivd}, slice_sizes={1,1}
}`;
    const x = f32([2, 3], [0, 1, 2, 3, 4, 5]);
    expect(nums(run(nd(1), x, s32([2, 2], [1, 2, 0, 1])))).toEqual([5, 1]);
    expect(nums(run(nd(0), x, s32([2, 2], [1, 0, 2, 1])))).toEqual([5, 1]);
  });
  it('batching dims pair operand and index batches', () => {
    const text = `HloModule t
ENTRY e {
  x = f32[2,3] parameter(0)
  i = s32[2,1] parameter(1)
  ROOT g = f32[2] gather(x, i), offset_dims={}, collapsed_slice_dims={1}, start_index_map={1}, operand_batching_dims={0}, start_indices_batching_dims={0}, index_vector_dim=1, slice_sizes={1,1}
}`;
    expect(nums(run(text, f32([2, 3], [0, 1, 2, 3, 4, 5]), s32([2, 1], [2, 0])))).toEqual([2, 3]);
  });
});

const ADD = 'add { a = f32[] parameter(0)\n b = f32[] parameter(1)\n ROOT s = f32[] add(a, b) }';

describe('scatter', () => {
  const scalarScatter = (comp: string, name: string) => `HloModule t
${comp}
ENTRY e {
  x = f32[5] parameter(0)
  i = s32[3] parameter(1)
  u = f32[3] parameter(2)
  ROOT s = f32[5] scatter(x, i, u), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=${name}
}`;
  const zeros = f32([5], [0, 0, 0, 0, 0]);
  it('adds duplicates', () => {
    expect(nums(run(scalarScatter(ADD, 'add'), zeros, s32([3], [1, 3, 1]), f32([3], [10, 20, 30])))).toEqual([0, 40, 0, 20, 0]);
  });
  it('skips out-of-bounds updates', () => {
    expect(nums(run(scalarScatter(ADD, 'add'), zeros, s32([3], [1, 5, -1]), f32([3], [1, 2, 3])))).toEqual([0, 1, 0, 0, 0]);
  });
  it('applies updates in order, current value first', () => {
    const assign = 'assign { a = f32[] parameter(0)\n ROOT b = f32[] parameter(1) }';
    expect(nums(run(scalarScatter(assign, 'assign'), zeros, s32([3], [1, 1, 0]), f32([3], [5, 7, 9])))).toEqual([9, 7, 0, 0, 0]);
    const sub = 'sub { a = f32[] parameter(0)\n b = f32[] parameter(1)\n ROOT s = f32[] subtract(a, b) }';
    const x = f32([5], [10, 0, 0, 0, 0]);
    expect(nums(run(scalarScatter(sub, 'sub'), x, s32([3], [0, 0, 4]), f32([3], [1, 2, 3])))).toEqual([7, 0, 0, 0, -3]);
  });
  it('scatters row windows', () => {
    const text = `HloModule t
${ADD}
ENTRY e {
  x = f32[3,2] parameter(0)
  i = s32[2] parameter(1)
  u = f32[2,2] parameter(2)
  ROOT s = f32[3,2] scatter(x, i, u), update_window_dims={1}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=add
}`;
    const r = run(text, f32([3, 2], [0, 0, 0, 0, 0, 0]), s32([2], [2, 0]), f32([2, 2], [1, 2, 3, 4]));
    expect(nums(r)).toEqual([3, 4, 0, 0, 1, 2]);
  });
  it('skips a window that is only partly out of bounds', () => {
    const text = `HloModule t
${ADD}
ENTRY e {
  x = f32[4] parameter(0)
  i = s32[2] parameter(1)
  u = f32[2,2] parameter(2)
  ROOT s = f32[4] scatter(x, i, u), update_window_dims={1}, inserted_window_dims={}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=add
}`;
    const r = run(text, f32([4], [0, 0, 0, 0]), s32([2], [1, 3]), f32([2, 2], [1, 2, 3, 4]));
    expect(nums(r)).toEqual([0, 1, 2, 0]);
  });
  it('variadic scatter updates several operands together', () => {
    const text = `HloModule t
both { a = f32[] parameter(0)
 b = s32[] parameter(1)
 c = f32[] parameter(2)
 d = s32[] parameter(3)
 s = f32[] add(a, c)
 n = s32[] add(b, d)
 ROOT t = (f32[], s32[]) tuple(s, n) }
ENTRY e {
  x = f32[3] parameter(0)
  y = s32[3] parameter(1)
  i = s32[3] parameter(2)
  u = f32[3] parameter(3)
  v = s32[3] parameter(4)
  ROOT s = (f32[3], s32[3]) scatter(x, y, i, u, v), update_window_dims={}, inserted_window_dims={0}, scatter_dims_to_operand_dims={0}, index_vector_dim=1, to_apply=both
}`;
    const r = elements(run(text, f32([3], [0, 0, 0]), s32([3], [0, 0, 0]), s32([3], [0, 0, 2]), f32([3], [1, 2, 3]), s32([3], [1, 1, 1])));
    expect(nums(r[0])).toEqual([3, 0, 3]);
    expect(nums(r[1])).toEqual([2, 0, 1]);
  });
  it('batching dims pair operand and index batches', () => {
    const text = `HloModule t
${ADD}
ENTRY e {
  x = f32[2,3] parameter(0)
  i = s32[2,1] parameter(1)
  u = f32[2] parameter(2)
  ROOT s = f32[2,3] scatter(x, i, u), update_window_dims={}, inserted_window_dims={1}, scatter_dims_to_operand_dims={1}, input_batching_dims={0}, scatter_indices_batching_dims={0}, index_vector_dim=1, to_apply=add
}`;
    const r = run(text, f32([2, 3], [0, 0, 0, 0, 0, 0]), s32([2, 1], [2, 0]), f32([2], [5, 6]));
    expect(nums(r)).toEqual([0, 0, 5, 6, 0, 0]);
  });
});
