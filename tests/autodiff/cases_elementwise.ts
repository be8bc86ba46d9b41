// Property-test cases for the elementwise rules, one or more per opcode.
import { type ComputationBuilder, ModuleBuilder } from '../../ir/builder.js';
import type { Instruction, Module } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { type ArrayShape, array, scalar } from '../../ir/shape.js';
import { type Case, type Gen, PM, U } from './harness.js';

const F = (dims: number[]) => array('f64', dims);

/** A module of f64 parameters of the given dims whose root `body` computes. */
export function mod(name: string, dims: (number[] | ArrayShape)[], body: (c: ComputationBuilder, ps: Instruction[], b: ModuleBuilder) => Instruction | Instruction[]): () => Module {
  return () => {
    const b = new ModuleBuilder(name);
    b.entry('main', (c) => body(c, dims.map((d) => c.parameter(Array.isArray(d) ? F(d) : d)), b));
    return b.build();
  };
}

const unary = (op: Opcode, gen: Gen): Case => ({
  name: op, args: [gen], build: mod(op, [[2, 3]], (c, [x]) => c.op(op, [x], {} as never) as Instruction),
});
const binary = (op: Opcode, a: Gen, b: Gen): Case => ({
  name: op, args: [a, b], build: mod(op, [[2, 3], [2, 3]], (c, [x, y]) => c.op(op, [x, y], {} as never) as Instruction),
});

/** x · convert(f(x as s32)): the integer path carries no derivative. */
const integer = (op: Opcode, f: (c: ComputationBuilder, i: Instruction) => Instruction): Case => ({
  name: op, args: [U(1.2, 3.8)],
  build: mod(op, [[4]], (c, [x]) => c.multiply(x, c.convert(f(c, c.convert(x, 's32')), 'f64'))),
});
const s32 = (c: ComputationBuilder, v: number) => c.broadcast(c.constantScalar('s32', v), [4], []);

export const ELEMENTWISE_CASES: Partial<Record<Opcode, Case[]>> = {
  abs: [unary('abs', PM(0.2, 1))], negate: [unary('negate', U(-1, 1))], exponential: [unary('exponential', U(-1, 1))],
  'exponential-minus-one': [unary('exponential-minus-one', U(-1, 1))], log: [unary('log', U(0.5, 2))],
  'log-plus-one': [unary('log-plus-one', U(-0.5, 1))], tanh: [unary('tanh', U(-2, 2))], logistic: [unary('logistic', U(-3, 3))],
  sqrt: [unary('sqrt', U(0.5, 2))], rsqrt: [unary('rsqrt', U(0.5, 2))], cbrt: [unary('cbrt', PM(0.3, 2))],
  sine: [unary('sine', U(-3, 3))], cosine: [unary('cosine', U(-3, 3))], tan: [unary('tan', U(-1, 1))],
  asin: [unary('asin', U(-0.8, 0.8))], acos: [unary('acos', U(-0.8, 0.8))], atanh: [unary('atanh', U(-0.8, 0.8))],
  asinh: [unary('asinh', U(-2, 2))], acosh: [unary('acosh', U(1.2, 3))], sinh: [unary('sinh', U(-2, 2))],
  cosh: [unary('cosh', U(-2, 2))], erf: [unary('erf', U(-1.5, 1.5))], copy: [unary('copy', U(-1, 1))],
  floor: [unary('floor', U(1.1, 1.9))], ceil: [unary('ceil', U(1.1, 1.9))], 'round-nearest-afz': [unary('round-nearest-afz', U(1.1, 1.4))],
  'round-nearest-even': [unary('round-nearest-even', U(1.6, 1.9))], sign: [unary('sign', PM(0.2, 1))],
  'reduce-precision': [{ name: 'reduce-precision', build: mod('rp', [[3]], (c, [x]) => c.reducePrecision(x, 11, 52)) }],
  convert: [
    { name: 'convert f64->f64', build: mod('cv', [[3]], (c, [x]) => c.convert(c.multiply(x, x), 'f64')) },
    integer('convert', (_c, i) => i),
  ],

  add: [binary('add', U(-1, 1), U(-1, 1))], subtract: [binary('subtract', U(-1, 1), U(-1, 1))],
  multiply: [binary('multiply', U(-1, 1), U(-1, 1))], divide: [binary('divide', U(-1, 1), PM(0.5, 2))],
  power: [binary('power', U(0.5, 2), U(-1.5, 1.5))], maximum: [binary('maximum', U(-1, 1), U(-1, 1))],
  minimum: [binary('minimum', U(-1, 1), U(-1, 1))], atan2: [binary('atan2', PM(0.3, 1), PM(0.3, 1))],
  remainder: [binary('remainder', U(1, 5), U(0.7, 1.3))],
  compare: [{ name: 'compare', args: [U(-1, 1), U(-1, 1)], build: mod('cmp', [[5], [5]], (c, [x, y]) => c.multiply(x, c.convert(c.compare(x, y, 'GT'), 'f64'))) }],
  select: [
    { name: 'select', args: [U(-1, 1), U(-1, 1)], build: mod('sel', [[5], [5]], (c, [x, y]) => c.select(c.compare(x, y, 'GT'), c.multiply(x, y), c.sine(y))) },
    { name: 'select, scalar pred', build: mod('sel', [[], [3], [3]], (c, [p, x, y]) => c.select(c.compare(p, c.constantScalar('f64', 0), 'GT'), x, y)) },
  ],
  clamp: [
    { name: 'clamp', args: [U(-1, -0.3), U(-1.5, 1.5), U(0.3, 1)], build: mod('clamp', [[6], [6], [6]], (c, [lo, x, hi]) => c.clamp(lo, x, hi)) },
    { name: 'clamp, scalar bounds', args: [U(-0.6, -0.3), U(-1.5, 1.5), U(0.3, 0.6)], build: mod('clamp', [[], [8], []], (c, [lo, x, hi]) => c.clamp(lo, x, hi)) },
  ],
  not: [integer('not', (c, i) => c.not(i))],
  'is-finite': [{ name: 'is-finite', build: mod('isf', [[3]], (c, [x]) => c.select(c.isFinite(x), c.multiply(x, x), x)) }],
  popcnt: [integer('popcnt', (c, i) => c.popcnt(i))], clz: [integer('clz', (c, i) => c.clz(i))],
  and: [integer('and', (c, i) => c.and(i, s32(c, 3)))], or: [integer('or', (c, i) => c.or(i, s32(c, 4)))],
  xor: [integer('xor', (c, i) => c.xor(i, s32(c, 5)))], 'shift-left': [integer('shift-left', (c, i) => c.shiftLeft(i, s32(c, 1)))],
  'shift-right-arithmetic': [integer('shift-right-arithmetic', (c, i) => c.shiftRightArithmetic(i, s32(c, 1)))],
  'shift-right-logical': [integer('shift-right-logical', (c, i) => c.shiftRightLogical(i, s32(c, 1)))],
};
export const scalarF64 = scalar('f64');
