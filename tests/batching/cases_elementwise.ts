// Per-opcode cases for the elementwise rules: each a small per-example module.
import type { ComputationBuilder } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import type { Instruction } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { array, scalar } from '../../ir/shape.js';
import { mod } from './harness.js';
import type { Case } from './cases.js';

const FLOAT_UNARY = [
  'abs', 'negate', 'exponential', 'exponential-minus-one', 'log', 'log-plus-one', 'tanh', 'logistic', 'sqrt', 'rsqrt',
  'cbrt', 'sine', 'cosine', 'tan', 'floor', 'ceil', 'round-nearest-afz', 'round-nearest-even', 'sign', 'erf', 'copy',
  'real', 'imag', 'acos', 'acosh', 'asin', 'asinh', 'atanh', 'cosh', 'sinh',
] as const;
const INT_UNARY = ['not', 'popcnt', 'clz'] as const;
const FLOAT_BINARY = ['add', 'subtract', 'multiply', 'divide', 'remainder', 'power', 'maximum', 'minimum', 'atan2'] as const;
const INT_BINARY = ['and', 'or', 'xor', 'shift-left', 'shift-right-arithmetic', 'shift-right-logical'] as const;

/** Any opcode without attributes, over the operands. */
const plain = (c: ComputationBuilder, op: Opcode, xs: Instruction[]): Instruction => c.op(op, xs, {} as never) as Instruction;

const unary = (op: Opcode, dtype: DType): Case => ({
  module: () => mod([array(dtype, [2, 3])], (c, [x]) => plain(c, op, [x])),
});
/** A binary op: two batched-or-not operands, and one operand against a constant. */
const binary = (op: Opcode, dtype: DType): Case[] => [
  { module: () => mod([array(dtype, [2, 3]), array(dtype, [2, 3])], (c, [x, y]) => plain(c, op, [x, y])) },
  { module: () => mod([array(dtype, [3])], (c, [x]) => plain(c, op, [c.constantArray(dtype, [3], [1, 2, 3]), x])) },
];

export const ELEMENTWISE_CASES: { [O in Opcode]?: Case[] } = {
  ...Object.fromEntries(FLOAT_UNARY.map((op) => [op, [unary(op, 'f32')]])),
  ...Object.fromEntries(INT_UNARY.map((op) => [op, [unary(op, 's32')]])),
  ...Object.fromEntries(FLOAT_BINARY.map((op) => [op, binary(op, 'f32')])),
  ...Object.fromEntries(INT_BINARY.map((op) => [op, binary(op, 's32')])),
  'is-finite': [{ module: () => mod([array('f32', [2, 3])], (c, [x]) => c.isFinite(c.divide(x, x))) }],
  'reduce-precision': [{ module: () => mod([array('f32', [4])], (c, [x]) => c.reducePrecision(x, 5, 10)) }],
  convert: [
    { module: () => mod([array('f32', [2, 3])], (c, [x]) => c.convert(c.multiply(x, c.constantArray('f32', [2, 3], [9, 9, 9, 9, 9, 9])), 's32')) },
    { module: () => mod([array('s32', [3])], (c, [x]) => c.convert(x, 'f32')) },
  ],
  // The interpreter does not compute complex numbers: only the shapes are checked.
  complex: [{ module: () => mod([array('f32', [3]), array('f32', [3])], (c, [x, y]) => c.complex(x, y)), shapesOnly: true }],
  compare: (['EQ', 'NE', 'LT', 'GE'] as const).map((dir) => ({
    module: () => mod([array('s32', [2, 3]), array('s32', [2, 3])], (c, [x, y]) => c.compare(x, y, dir)),
  })),
  select: [
    { module: () => mod([array('pred', [2, 3]), array('f32', [2, 3]), array('f32', [2, 3])], (c, [p, x, y]) => c.select(p, x, y)) },
    { module: () => mod([scalar('pred'), array('f32', [2, 3]), array('f32', [2, 3])], (c, [p, x, y]) => c.select(p, x, y)) },
  ],
  clamp: [
    { module: () => mod([array('f32', [4]), array('f32', [4]), array('f32', [4])], (c, [lo, x, hi]) => c.clamp(lo, x, hi)) },
    { module: () => mod([scalar('f32'), array('f32', [2, 3]), scalar('f32')], (c, [lo, x, hi]) => c.clamp(lo, x, hi)) },
  ],
  'bitcast-convert': [
    { module: () => mod([array('f32', [2, 3])], (c, [x]) => c.bitcastConvert(x, 's32')) },
    { module: () => mod([array('f32', [3])], (c, [x]) => c.bitcastConvert(x, 'u8')) },
    { module: () => mod([array('u8', [3, 4])], (c, [x]) => c.bitcastConvert(x, 's32')) },
  ],
};
