// Property-test cases for reduce-window, select-and-scatter, gather and scatter.
import type { WindowDim } from '../../ir/attrs.js';
import type { ComputationBuilder, ModuleBuilder } from '../../ir/builder.js';
import type { Instruction } from '../../ir/module.js';
import type { OpAttrs, Opcode } from '../../ir/opcodes.js';
import { array, scalar } from '../../ir/shape.js';
import type { Case } from './harness.js';
import { mod } from './cases_elementwise.js';
import { reducer } from './cases_compute.js';

const W = (w: Partial<WindowDim>[]): WindowDim[] =>
  w.map((d) => ({ size: 1, stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false, ...d }));

const rw = (name: string, dims: number[], op: 'add' | 'maximum' | 'minimum', init: number, w: Partial<WindowDim>[]): Case => ({
  name: `reduce-window ${name}`,
  build: mod('rw', [dims], (c, [x], b) => c.reduceWindow(x, c.constantScalar('f64', init), w, reducer(b, op))),
});

const ge = (b: ModuleBuilder, d: 'GE' | 'GT' | 'LE') => b.computation('sel', (c) => c.compare(c.parameter(scalar('f64')), c.parameter(scalar('f64')), d));

const sas = (name: string, d: 'GE' | 'GT' | 'LE', w: Partial<WindowDim>[], dims: number[], src: number[]): Case => ({
  name: `select-and-scatter ${name}`,
  build: mod('sas', [dims, src, []], (c, [x, s, i], b) =>
    c.op('select-and-scatter', [x, s, i], { window: W(w), select: ge(b, d), scatter: reducer(b, 'add') })),
});

const S32 = (dims: number[]) => array('s32', dims);

function gather(c: ComputationBuilder, x: Instruction, idx: Instruction, a: OpAttrs<'gather'>): Instruction {
  return c.op('gather', [x, idx], a);
}
const rows = (cols: number): OpAttrs<'gather'> => ({ offset_dims: [1], collapsed_slice_dims: [0], start_index_map: [0], index_vector_dim: 1, slice_sizes: [1, cols] });
/** Windows of 2x2 at (row, col) pairs from a [n, 2] index array. */
const patches: OpAttrs<'gather'> = { offset_dims: [1, 2], start_index_map: [0, 1], index_vector_dim: 1, slice_sizes: [2, 2] };

function scatter(c: ComputationBuilder, b: ModuleBuilder, ops: Instruction[], a: Omit<OpAttrs<'scatter'>, 'to_apply'>, overwrite: boolean): Instruction {
  const f = overwrite
    ? b.computation('over', (k) => { k.parameter(scalar('f64')); return k.parameter(scalar('f64')); })
    : reducer(b, 'add');
  return c.op('scatter', ops, { ...a, to_apply: f });
}
const rowUpdates = { update_window_dims: [1], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0], index_vector_dim: 1 };

export const WINDOW_CASES: Partial<Record<Opcode, Case[]>> = {
  'reduce-window': [
    rw('add, strided, padded', [5, 6], 'add', 0, [{ size: 2, stride: 2, padLow: 1 }, { size: 3, stride: 1, padHigh: 1 }]),
    rw('add, dilated', [5, 4], 'add', 0, [{ size: 2, lhsDilate: 2, padLow: 1 }, { size: 2, rhsDilate: 2 }]),
    rw('max 2x2/2', [1, 4, 6, 2], 'maximum', -Infinity, [{}, { size: 2, stride: 2 }, { size: 2, stride: 2 }, {}]),
    rw('max 3x3/2, padded', [6, 5], 'maximum', -Infinity, [{ size: 3, stride: 2, padLow: 1, padHigh: 1 }, { size: 3, stride: 2, padLow: 1, padHigh: 1 }]),
    rw('max, init 0', [6, 4], 'maximum', 0, [{ size: 2, stride: 2 }, { size: 2 }]),
    rw('min, overlapping', [5, 5], 'minimum', Infinity, [{ size: 3 }, { size: 2 }]),
    {
      name: 'reduce-window add, init varies',
      build: mod('rw', [[4, 4], []], (c, [x, i], b) => c.reduceWindow(x, i, [{ size: 2, stride: 2, padLow: 1 }, { size: 2 }], reducer(b, 'add'))),
    },
  ],
  'select-and-scatter': [
    sas('GE 2x2/2', 'GE', [{ size: 2, stride: 2 }, { size: 2, stride: 2 }], [4, 6], [2, 3]),
    sas('GT 3x3/2 padded', 'GT', [{ size: 3, stride: 2, padLow: 1, padHigh: 1 }, { size: 3, stride: 2, padLow: 1, padHigh: 1 }], [5, 5], [3, 3]),
    sas('LE overlapping', 'LE', [{ size: 2 }, { size: 3 }], [4, 5], [3, 3]),
  ],
  gather: [
    { name: 'gather rows, repeated and clamped', args: [undefined, [2, 0, 7, 2]], build: mod('g', [[4, 3], S32([4])], (c, [x, i]) => gather(c, c.sine(x), c.reshape(i, [4, 1]), rows(3))) },
    { name: 'gather 2x2 patches', args: [undefined, [0, 1, 2, 2, 3, 0]], build: mod('g', [[4, 4], S32([3, 2])], (c, [x, i]) => gather(c, x, i, patches)) },
  ],
  scatter: [
    {
      name: 'scatter add, repeated and out-of-bounds rows', args: [undefined, [1, 3, 1, 9], undefined],
      build: mod('s', [[4, 3], S32([4, 1]), [4, 3]], (c, [x, i, u], b) => c.sine(scatter(c, b, [c.multiply(x, x), i, c.sine(u)], rowUpdates, false))),
    },
    {
      name: 'scatter overwrite, unique rows', args: [undefined, [2, 0], undefined],
      build: mod('s', [[4, 3], S32([2, 1]), [2, 3]], (c, [x, i, u], b) => c.sine(scatter(c, b, [c.multiply(x, x), i, c.sine(u)], rowUpdates, true))),
    },
    {
      name: 'scatter add, 2x2 patches', args: [undefined, [0, 1, 2, 2, 1, 1], undefined],
      build: mod('s', [[4, 4], S32([3, 2]), [3, 2, 2]], (c, [x, i, u], b) => scatter(c, b, [x, i, u], { update_window_dims: [1, 2], scatter_dims_to_operand_dims: [0, 1], index_vector_dim: 1 }, false)),
    },
  ],
};
