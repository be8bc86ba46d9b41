// Per-opcode cases for dot, convolution, reductions, windows, sort, map and control flow.
import type { ComputationBuilder, ModuleBuilder } from '../../ir/builder.js';
import type { Instruction } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { type Shape, array, scalar, tuple } from '../../ir/shape.js';
import { mod, scalarFn } from './harness.js';
import type { Case } from './cases.js';

const f32 = (...dims: number[]) => array('f32', dims);
const add = (b: ModuleBuilder) => scalarFn(b, 'add', 'f32', (c, x, y) => c.add(x, y));
const max = (b: ModuleBuilder) => scalarFn(b, 'max', 'f32', (c, x, y) => c.maximum(x, y));

function argmaxComputation(b: ModuleBuilder) {
  return b.computation('argmax', (c) => {
    const [v, i, w, j] = [c.parameter(scalar('f32')), c.parameter(scalar('s32')), c.parameter(scalar('f32')), c.parameter(scalar('s32'))];
    const keep = c.compare(v, w, 'GE');
    return [c.select(keep, v, w), c.select(keep, i, j)];
  });
}

export const COMPUTE_CASES: { [O in Opcode]?: Case[] } = {
  dot: [
    { module: () => mod([f32(2, 3), f32(3, 4)], (c, [x, y]) => c.dot(x, y)) },
    { module: () => mod([f32(2, 3, 4), f32(2, 4, 5)], (c, [x, y]) => c.dot(x, y, { lhsBatch: [0], rhsBatch: [0], lhsContracting: [2], rhsContracting: [1] })) },
    { module: () => mod([f32(3), f32(3, 4)], (c, [x, y]) => c.dot(x, y)) },
    { module: () => mod([f32(3, 2), f32(4, 3)], (c, [x, y]) => c.dot(x, y, { lhsContracting: [0], rhsContracting: [1] })) },
  ],
  convolution: [
    { module: () => mod([f32(1, 5, 5, 2), f32(3, 3, 2, 4)], (c, [x, k]) => c.convolution(x, k, { window: [{ padLow: 1, padHigh: 1 }, { stride: 2 }] })) },
    { module: () => mod([f32(2, 4, 4, 4), f32(2, 2, 2, 6)], (c, [x, k]) => c.convolution(x, k, { featureGroupCount: 2, window: [{ stride: 2 }, { rhsDilate: 2, padHigh: 1 }] })) },
    { module: () => mod([f32(4, 3, 3, 2), f32(2, 2, 2, 4)], (c, [x, k]) => c.convolution(x, k, { batchGroupCount: 2 })) },
    { module: () => mod([f32(2, 3, 4, 4), f32(5, 3, 2, 2)], (c, [x, k]) => c.convolution(x, k, { dimLabels: 'bf01_oi01->bf01', window: [{ lhsDilate: 2 }, {}] })) },
    { module: () => mod([f32(3, 6, 2), f32(3, 2, 4)], (c, [x, k]) => c.convolution(x, k, { dimLabels: '0bf_0io->0bf' })) },
  ],
  reduce: [
    { module: () => mod([f32(2, 3, 4)], (c, [x], [sum]) => c.reduce(x, c.constantScalar('f32', 0), [1], sum), (b) => [add(b)]) },
    { module: () => mod([f32(2, 3, 4)], (c, [x], [sum]) => c.reduce(x, c.constantScalar('f32', 0), [0, 2], sum), (b) => [add(b)]) },
    {
      // The init a parameter, kept unbatched.
      module: () => mod([f32(3, 4), scalar('f32')], (c, [x, init], [m]) => c.reduce(x, init, [0], m), (b) => [max(b)]),
      axes: [[0, null], [2, null], [1, null]],
    },
    {
      // The init batched too: each example folds its own init first.
      module: () => mod([f32(3, 2, 4), scalar('f32')], (c, [x, init], [sum]) => c.reduce(c.multiply(x, x), init, [0, 2], sum), (b) => [add(b)]),
      axes: [[0, 0], [3, 0], [null, 0], [1, 0]],
    },
    {
      // Variadic with batched inits: the max and where it is, from a per-example start.
      module: () => mod([f32(3, 4), scalar('f32'), scalar('s32')], (c, [x, v0, i0], [argmax]) => c.reduce([x, c.iota(array('s32', [3, 4]), 0)], [v0, i0], [0], argmax),
        (b) => [argmaxComputation(b)]),
    },
    {
      // Variadic: the max and where it is, along dim 1.
      module: () => mod([f32(3, 4)], (c, [x], [argmax]) => c.reduce([x, c.iota(array('s32', [3, 4]), 1)], [c.constantScalar('f32', -Infinity), c.constantScalar('s32', 0)], [1], argmax),
        (b) => [argmaxComputation(b)]),
    },
  ],
  'reduce-window': [
    { module: () => mod([f32(4, 4)], (c, [x], [m]) => c.reduceWindow(x, c.constantScalar('f32', -Infinity), [{ size: 2, stride: 2 }, { size: 2, stride: 2 }], m), (b) => [max(b)]) },
    { module: () => mod([f32(5, 3)], (c, [x], [s]) => c.reduceWindow(x, c.constantScalar('f32', 0), [{ size: 3, padLow: 1, padHigh: 1 }, { size: 2, lhsDilate: 2 }], s), (b) => [add(b)]) },
  ],
  'select-and-scatter': [{
    module: () => mod([f32(4, 4), f32(2, 2)], (c, [x, src], [ge, sum]) => c.op('select-and-scatter', [x, src, c.constantScalar('f32', 0)], {
      window: [0, 1].map(() => ({ size: 2, stride: 2, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false })), select: ge, scatter: sum,
    }), (b) => [b.computation('ge', (c) => c.compare(c.parameter(scalar('f32')), c.parameter(scalar('f32')), 'GE')), add(b)]),
  }],
  sort: [
    { module: () => mod([f32(3, 5)], (c, [x], [lt]) => c.sort(x, 1, lt), (b) => [b.computation('lt', (c) => c.compare(c.parameter(scalar('f32')), c.parameter(scalar('f32')), 'LT'))]) },
    {
      module: () => mod([f32(4, 2), array('s32', [4, 2])], (c, [k, v], [lt]) => c.sort([k, v], 0, lt, true),
        (b) => [b.computation('lt2', (c) => {
          const [x, y] = [c.parameter(scalar('f32')), c.parameter(scalar('f32'))];
          c.parameter(scalar('s32')); c.parameter(scalar('s32'));
          return c.compare(x, y, 'LT');
        })]),
    },
  ],
  map: [{
    module: () => mod([f32(2, 3), f32(2, 3)], (c, [x, y], [f]) => c.map([x, y], f),
      (b) => [scalarFn(b, 'fma', 'f32', (c, x, y) => c.add(c.multiply(x, y), x))]),
  }],
};

/** A loop counter `i < bound` over a (s32 i, ...) carry. */
function counterLoop(b: ModuleBuilder, carry: Shape, bound: (c: ComputationBuilder, t: Instruction) => Instruction, name = 'cond') {
  return b.computation(name, (c) => {
    const t = c.parameter(carry);
    return c.compare(c.getTupleElement(t, 0), bound(c, t), 'LT');
  });
}

/** Loops over (i, n, x, acc): the outer runs i < n, its body an inner loop of i steps adding x to acc. */
function nestedLoops(b: ModuleBuilder) {
  const outer = tuple([scalar('s32'), scalar('s32'), f32(2), f32(2)]);
  const inner = tuple([scalar('s32'), scalar('s32'), f32(2), f32(2)]);
  const lt = (name: string, s: Shape) => counterLoop(b, s, (c, t) => c.getTupleElement(t, 1), name);
  const innerCond = lt('inner_cond', inner);
  const innerBody = b.computation('inner_body', (c) => {
    const t = c.parameter(inner);
    const [j, m, x, acc] = [0, 1, 2, 3].map((k) => c.getTupleElement(t, k));
    return [c.add(j, c.constantScalar('s32', 1)), m, x, c.add(acc, x)];
  });
  const outerCond = lt('outer_cond', outer);
  const outerBody = b.computation('outer_body', (c) => {
    const t = c.parameter(outer);
    const [i, n, x, acc] = [0, 1, 2, 3].map((k) => c.getTupleElement(t, k));
    const r = c.whileLoop(innerCond, innerBody, c.tuple([c.constantScalar('s32', 0), i, x, acc]));
    return [c.add(i, c.constantScalar('s32', 1)), n, x, c.getTupleElement(r, 3)];
  });
  return [outerCond, outerBody];
}

const carry3 = tuple([scalar('s32'), f32(3), f32(3)]);
const carryN = tuple([scalar('s32'), scalar('s32'), f32(3)]);

export const CONTROL_CASES: { [O in Opcode]?: Case[] } = {
  call: [{
    module: () => mod([f32(3), f32(3)], (c, [x, y], [f]) => c.call(f, [x, y]),
      (b) => [b.computation('f', (c) => c.add(c.multiply(c.parameter(f32(3)), c.parameter(f32(3))), c.constantArray('f32', [3], [1, 1, 1])))]),
  }],
  while: [
    {
      // Nested loops: for i < n: for j < i: acc += x; the inner bound is the outer counter.
      module: () => mod([scalar('s32'), f32(2)], (c, [n, x], [outerCond, outerBody]) =>
        c.getTupleElement(c.whileLoop(outerCond, outerBody, c.tuple([c.constantScalar('s32', 0), n, x, c.constantArray('f32', [2], [0, 0])])), 3),
      (b) => nestedLoops(b)),
    },
    {
      // (i, x, w) -> (i + 1, x * w + 1, w) four times; the bound is a constant.
      module: () => mod([f32(3), f32(3)], (c, [x, w], [cond, body]) => c.getTupleElement(c.whileLoop(cond, body, c.tuple([c.constantScalar('s32', 0), x, w])), 1),
        (b) => [
          counterLoop(b, carry3, (c) => c.constantScalar('s32', 4)),
          b.computation('body', (c) => {
            const t = c.parameter(carry3);
            const [i, x, w] = [0, 1, 2].map((k) => c.getTupleElement(t, k));
            return [c.add(i, c.constantScalar('s32', 1)), c.add(c.multiply(x, w), c.constantArray('f32', [3], [1, 1, 1])), w];
          }),
        ]),
    },
    {
      // (i, n, acc) -> (i + 1, n, acc + x): acc enters as a constant and becomes batched when x is.
      module: () => mod([scalar('s32'), f32(3)], (c, [n, x], [cond, body]) => {
        const r = c.whileLoop(cond, body, c.tuple([c.constantScalar('s32', 0), n, c.constantArray('f32', [3], [0, 0, 0])]));
        return c.add(c.getTupleElement(r, 2), x);
      }, (b) => [
        counterLoop(b, carryN, (c, t) => c.getTupleElement(t, 1)),
        b.computation('body', (c) => {
          const t = c.parameter(carryN);
          const [i, n, acc] = [0, 1, 2].map((k) => c.getTupleElement(t, k));
          const step = c.add(acc, c.broadcast(c.convert(i, 'f32'), [3]));
          return [c.add(i, c.constantScalar('s32', 1)), n, step];
        }),
      ]),
    },
  ],
  conditional: [
    {
      // Tuple results, one branch leaving its operand alone.
      module: () => mod([scalar('pred'), f32(2, 3)], (c, [p, x], [t, f]) => {
        const r = c.conditional(p, [t, f], [x, x]);
        return [c.getTupleElement(r, 0), c.getTupleElement(r, 1)];
      }, (b) => {
        const sum = add(b);
        const pair = (name: string, flip: boolean) => b.computation(name, (c) => {
          const x = c.parameter(f32(2, 3));
          const s = c.reduce(x, c.constantScalar('f32', 0), [1], sum);
          return flip ? [c.negate(s), c.constantArray('f32', [2, 3], [1, 2, 3, 4, 5, 6])] : [s, x];
        });
        return [pair('t', false), pair('f', true)];
      }),
    },
    {
      module: () => mod([scalar('pred'), f32(3), f32(2, 3)], (c, [p, x, y], [, t, f]) => c.conditional(p, [t, f], [x, y]),
        (b) => {
          const sum = add(b);
          return [
            sum,
            b.computation('t', (c) => c.multiply(c.parameter(f32(3)), c.constantArray('f32', [3], [2, 2, 2]))),
            b.computation('f', (c) => c.reduce(c.parameter(f32(2, 3)), c.constantScalar('f32', 0), [0], sum)),
          ];
        }),
    },
    {
      module: () => mod([scalar('s32'), f32(3)], (c, [i, x], branches) => c.conditional(i, branches, [x, x, x]),
        (b) => [
          b.computation('b0', (c) => c.negate(c.parameter(f32(3)))),
          b.computation('b1', (c) => c.exponential(c.parameter(f32(3)))),
          b.computation('b2', (c) => {
            c.parameter(f32(3));
            return c.constantArray('f32', [3], [7, 8, 9]);
          }),
        ]),
    },
  ],
};
