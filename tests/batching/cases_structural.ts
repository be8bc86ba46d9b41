// Per-opcode cases for the structural and indexing rules.
import type { Opcode } from '../../ir/opcodes.js';
import { array, scalar, tuple } from '../../ir/shape.js';
import { mod, scalarFn } from './harness.js';
import type { Case } from './cases.js';

const f32 = (...dims: number[]) => array('f32', dims);
const s32 = scalar('s32');

export const STRUCTURAL_CASES: { [O in Opcode]?: Case[] } = {
  parameter: [{ module: () => mod([f32(2, 3), f32(3)], (_c, [x, y]) => [x, y]) }],
  constant: [{ module: () => mod([f32(3)], (c, [x]) => c.add(x, c.constantArray('f32', [3], [1, -2, 3]))) }],
  iota: [{ module: () => mod([f32(2, 3)], (c, [x]) => c.multiply(x, c.iota(f32(2, 3), 1))) }],
  broadcast: [
    { module: () => mod([f32(3)], (c, [x]) => c.broadcast(x, [2, 3, 4], [1])) },
    { module: () => mod([f32(3, 2)], (c, [x]) => c.broadcast(x, [3, 4, 2], [0, 2])) },
  ],
  reshape: [{ module: () => mod([f32(2, 3, 2)], (c, [x]) => c.reshape(x, [3, 4])) }],
  bitcast: [
    { module: () => mod([f32(2, 3)], (c, [x]) => c.op('bitcast', [x], {}, f32(3, 2))) },
    { module: () => mod([array('u32', [6])], (c, [x]) => c.op('bitcast', [x], {}, f32(2, 3))) },
  ],
  transpose: [{ module: () => mod([f32(2, 3, 4)], (c, [x]) => c.transpose(x, [2, 0, 1])) }],
  slice: [{ module: () => mod([f32(5, 6)], (c, [x]) => c.slice(x, [1, 0], [5, 6], [2, 3])) }],
  reverse: [{ module: () => mod([f32(2, 3, 4)], (c, [x]) => c.reverse(x, [0, 2])) }],
  concatenate: [
    { module: () => mod([f32(2, 3), f32(2, 1), f32(2, 2)], (c, [x, y, z]) => c.concatenate([x, y, z], 1)) },
    { module: () => mod([f32(2, 3), f32(1, 3)], (c, [x, y]) => c.concatenate([x, y], 0)) },
  ],
  pad: [
    { module: () => mod([f32(2, 3), scalar('f32')], (c, [x, v]) => c.pad(x, v, [[1, 0, 1], [0, 2, 0]])) },
    { module: () => mod([f32(4), scalar('f32')], (c, [x, v]) => c.pad(x, v, [[-1, 2, 1]])) },
  ],
  tuple: [{ module: () => mod([f32(2), f32(3)], (c, [x, y]) => c.tuple([c.negate(x), y])) }],
  'get-tuple-element': [{
    module: () => mod([f32(2), f32(3)], (c, [x, y]) => {
      const t = c.tuple([x, c.exponential(y)]);
      return c.add(c.getTupleElement(t, 1), c.getTupleElement(t, 1));
    }),
  }],
  'dynamic-slice': [
    { module: () => mod([f32(5, 4), s32, s32], (c, [x, i, j]) => c.dynamicSlice(x, [i, j], [2, 3])) },
    { module: () => mod([f32(6), s32], (c, [x, i]) => c.dynamicSlice(x, [i], [3])) },
    // Old dumps' form: one vector of starts.
    { module: () => mod([f32(5, 4), array('s32', [2])], (c, [x, i]) => c.op('dynamic-slice', [x, i], { dynamic_slice_sizes: [2, 3] })) },
  ],
  'dynamic-update-slice': [
    { module: () => mod([f32(5, 4), f32(2, 3), s32, s32], (c, [x, u, i, j]) => c.dynamicUpdateSlice(x, u, [i, j])) },
    { module: () => mod([f32(6), f32(2), s32], (c, [x, u, i]) => c.dynamicUpdateSlice(x, u, [i])) },
    { module: () => mod([f32(5, 4), f32(2, 3), array('s32', [2])], (c, [x, u, i]) => c.op('dynamic-update-slice', [x, u, i], {})) },
  ],
  gather: [
    {
      // An embedding lookup: rows of a [5,4] table.
      module: () => mod([f32(5, 4), array('s32', [3])], (c, [x, i]) => c.op('gather', [x, i], {
        offset_dims: [1], collapsed_slice_dims: [0], start_index_map: [0], index_vector_dim: 1, slice_sizes: [1, 4],
      })),
    },
    {
      // Windows of 2x2 at [3,2] start vectors.
      module: () => mod([f32(4, 5), array('s32', [3, 2])], (c, [x, i]) => c.op('gather', [x, i], {
        offset_dims: [1, 2], collapsed_slice_dims: [], start_index_map: [0, 1], index_vector_dim: 1, slice_sizes: [2, 2],
      })),
    },
    {
      // Already batched: operand dim 0 pairs with indices dim 0.
      module: () => mod([f32(2, 5), array('s32', [2, 3])], (c, [x, i]) => c.op('gather', [x, i], {
        offset_dims: [], collapsed_slice_dims: [1], start_index_map: [1], operand_batching_dims: [0], start_indices_batching_dims: [0],
        index_vector_dim: 2, slice_sizes: [1, 1],
      })),
    },
  ],
  scatter: [
    {
      module: () => mod([f32(5, 4), array('s32', [3, 1]), f32(3, 4)], (c, [x, i, u], [add]) => c.op('scatter', [x, i, u], {
        update_window_dims: [1], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0], index_vector_dim: 1, to_apply: add,
      }), (b) => [scalarFn(b, 'add', 'f32', (c, x, y) => c.add(x, y))]),
    },
    {
      // Two operands scattered together, with a two-output combiner.
      module: () => mod([f32(4), f32(4), array('s32', [3]), f32(3), f32(3)], (c, [x, y, i, u, v], [comb]) => c.op('scatter', [x, y, i, u, v], {
        update_window_dims: [], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0], index_vector_dim: 1, to_apply: comb,
      }), (b) => [b.computation('comb', (c) => {
        const [a, bb, p, q] = [c.parameter(scalar('f32')), c.parameter(scalar('f32')), c.parameter(scalar('f32')), c.parameter(scalar('f32'))];
        return [c.add(a, p), c.maximum(bb, q)];
      })]),
    },
  ],
};

export const TUPLE_PARAM = tuple([f32(2)]);
