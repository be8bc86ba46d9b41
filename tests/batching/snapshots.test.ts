// The batched IR itself, for a few rules whose output is the point: small enough to read.
import { describe, expect, it } from 'vitest';
import { array, scalar } from '../../ir/shape.js';
import { vmap } from '../../passes/batching/index.js';
import { lines } from '../passes/helpers.js';
import { mod } from './harness.js';

const f32 = (...dims: number[]) => array('f32', dims);

describe('batched IR', () => {
  it('dot with one side batched adds a free dim, no transpose; the weights stay unbatched', () => {
    const m = mod([f32(3), f32(3, 4)], (c, [x, w]) => c.tanh(c.dot(x, w)));
    expect(lines(vmap(m, [0, null], 8).entry)).toMatchInlineSnapshot(`
      [
        "p0 = f32[8,3]{1,0} parameter(0)",
        "p1 = f32[3,4]{1,0} parameter(1)",
        "dot = f32[8,4]{1,0} dot(p0, p1), lhs_contracting_dims={1}, rhs_contracting_dims={0}",
        "ROOT tanh = f32[8,4]{1,0} tanh(dot)",
      ]
    `);
  });

  it('a batched start turns dynamic-slice into a gather with batching dims', () => {
    const m = mod([f32(6), scalar('s32')], (c, [x, i]) => c.dynamicSlice(x, [i], [2]));
    expect(lines(vmap(m, [0, 0], 4).entry)).toMatchInlineSnapshot(`
      [
        "p0 = f32[4,6]{1,0} parameter(0)",
        "p1 = s32[4]{0} parameter(1)",
        "reshape = s32[4,1]{1,0} reshape(p1)",
        "ROOT gather = f32[4,2]{1,0} gather(p0, reshape), offset_dims={1}, start_index_map={1}, operand_batching_dims={0}, start_indices_batching_dims={0}, index_vector_dim=1, slice_sizes={1,2}",
      ]
    `);
  });

  it('an unbatched start keeps the dynamic-slice, slicing the batch whole', () => {
    const m = mod([f32(6), scalar('s32')], (c, [x, i]) => c.dynamicSlice(x, [i], [2]));
    expect(lines(vmap(m, [0, null], 4).entry)).toMatchInlineSnapshot(`
      [
        "p0 = f32[4,6]{1,0} parameter(0)",
        "p1 = s32[] parameter(1)",
        "constant = s32[] constant(0)",
        "ROOT dynamic-slice = f32[4,2]{1,0} dynamic-slice(p0, constant, p1), dynamic_slice_sizes={4,2}",
      ]
    `);
  });

  it('a convolution batched on both sides becomes grouped', () => {
    const m = mod([f32(1, 4, 2), f32(3, 2, 5)], (c, [x, k]) => c.convolution(x, k));
    expect(lines(vmap(m, [0, 0], 2).entry)).toMatchInlineSnapshot(`
      [
        "p0 = f32[2,1,4,2]{3,2,1,0} parameter(0)",
        "p1 = f32[2,3,2,5]{3,2,1,0} parameter(1)",
        "transpose = f32[1,4,2,2]{3,2,1,0} transpose(p0), dimensions={1,2,0,3}",
        "reshape = f32[1,4,4]{2,1,0} reshape(transpose)",
        "transpose.1 = f32[3,2,2,5]{3,2,1,0} transpose(p1), dimensions={1,2,0,3}",
        "reshape.1 = f32[3,2,10]{2,1,0} reshape(transpose.1)",
        "convolution = f32[1,2,10]{2,1,0} convolution(reshape, reshape.1), window={size=3}, dim_labels=b0f_0io->b0f, feature_group_count=2",
        "reshape.2 = f32[1,2,2,5]{3,2,1,0} reshape(convolution)",
        "ROOT transpose.2 = f32[2,1,2,5]{3,2,1,0} transpose(reshape.2), dimensions={2,0,1,3}",
      ]
    `);
  });
});
