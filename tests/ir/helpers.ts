// Small helpers for the IR tests: shapes from XLA's text, windows with defaults, and
// reducers built with the builder.
import type { WindowDim } from '../../ir/attrs.js';
import { ModuleBuilder } from '../../ir/builder.js';
import { isDType } from '../../ir/dtype.js';
import type { Computation } from '../../ir/module.js';
import { ArrayShape, Shape, array, scalar, shapeToString } from '../../ir/shape.js';

/** `f32[2,3]` -> an array shape (no layout, no tuples). */
export function S(text: string): ArrayShape {
  const m = /^(\w+)\[([\d,]*)\]$/.exec(text);
  if (!m || !isDType(m[1])) throw new Error(`bad shape text ${text}`);
  return array(m[1], m[2] === '' ? [] : m[2].split(',').map(Number));
}

export const str = (s: Shape): string => shapeToString(s, { layout: false });

export function win(...dims: Partial<WindowDim>[]): WindowDim[] {
  return dims.map((d) => ({ size: 1, stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false, ...d }));
}

/** Computations to hand to reduce, sort, map, call, while... */
export function computations() {
  const b = new ModuleBuilder('helpers');
  const binary = (name: string, t: 'f32' | 's32' | 'pred', op: 'add' | 'maximum' | 'and' = 'add') =>
    b.computation(name, (c) => c.op(op, [c.parameter(scalar(t)), c.parameter(scalar(t))], {}));
  const addF32 = binary('add_f32', 'f32');
  const addS32 = binary('add_s32', 's32');
  const maxF32 = binary('max_f32', 'f32', 'maximum');
  const ltF32 = b.computation('lt_f32', (c) => c.compare(c.parameter(scalar('f32')), c.parameter(scalar('f32')), 'LT'));
  const geF32 = b.computation('ge_f32', (c) => c.compare(c.parameter(scalar('f32')), c.parameter(scalar('f32')), 'GE'));
  // (f32, s32) pairs: argmax-style variadic reducer.
  const pairMax = b.computation('pair_max', (c) => {
    const [av, ai, bv, bi] = [c.parameter(scalar('f32')), c.parameter(scalar('s32')), c.parameter(scalar('f32')), c.parameter(scalar('s32'))];
    return [c.maximum(av, bv), c.maximum(ai, bi)];
  });
  const sortPairs = b.computation('sort_pairs', (c) => {
    const x = c.parameter(scalar('f32')), y = c.parameter(scalar('f32'));
    c.parameter(scalar('s32'));
    c.parameter(scalar('s32'));
    return c.compare(x, y, 'LT');
  });
  const add3 = b.computation('add3', (c) => c.add(c.add(c.parameter(scalar('f32')), c.parameter(scalar('f32'))), c.parameter(scalar('f32'))));
  /** A computation of one parameter of `shape` that returns it negated (arrays) or as is (tuples). */
  const unaryOf = (shape: Shape, name: string) => b.computation(name, (c) => {
    const x = c.parameter(shape);
    return x.shape.kind === 'array' ? c.negate(x) : x;
  });
  const lessThan10 = b.computation('lt10', (c) => c.compare(c.parameter(scalar('s32')), c.constantScalar('s32', 10), 'LT'));
  const inc = b.computation('inc', (c) => c.add(c.parameter(scalar('s32')), c.constantScalar('s32', 1)));
  return { addF32, addS32, maxF32, ltF32, geF32, pairMax, sortPairs, add3, unaryOf, lessThan10, inc };
}

/** The message of the error fn throws. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

export type { Computation };
