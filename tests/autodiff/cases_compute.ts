// Property-test cases for dot, reduce and convolution.
import type { ComputationBuilder, ConvOptions, ModuleBuilder } from '../../ir/builder.js';
import type { Computation } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { scalar } from '../../ir/shape.js';
import type { Case } from './harness.js';
import { mod } from './cases_elementwise.js';

export function reducer(b: ModuleBuilder, op: 'add' | 'maximum' | 'minimum' | 'multiply', dtype: 'f32' | 'f64' = 'f64'): Computation {
  return b.computation(op, (c: ComputationBuilder) => c.op(op, [c.parameter(scalar(dtype)), c.parameter(scalar(dtype))], {}));
}

const conv = (name: string, lhs: number[], rhs: number[], opts: ConvOptions): Case => ({
  name: `convolution ${name}`, build: mod('conv', [lhs, rhs], (c, [x, w]) => c.convolution(x, w, opts)),
});

const lessThan = (b: ModuleBuilder, n: number) => b.computation('lt', (c) => {
  const ps = Array.from({ length: 2 * n }, () => c.parameter(scalar('f64')));
  return c.compare(ps[0], ps[1], 'LT');
});

export const COMPUTE_CASES: Partial<Record<Opcode, Case[]>> = {
  sort: [
    { name: 'sort 1-d', build: mod('sort', [[6]], (c, [x], b) => c.sine(c.sort(x, 0, lessThan(b, 1)))) },
    { name: 'sort 2-d along dim 0', build: mod('sort', [[4, 3]], (c, [x], b) => c.sine(c.sort(c.multiply(x, x), 0, lessThan(b, 1)))) },
    { name: 'sort keys and values', build: mod('sort', [[5], [5]], (c, [k, v], b) => c.sort([k, c.exponential(v)], 0, lessThan(b, 2), true)) },
  ],
  dot: [
    { name: 'dot matmul', build: mod('dot', [[2, 3], [3, 4]], (c, [a, b]) => c.dot(a, b)) },
    { name: 'dot, batch last, two contracting dims out of order', build: mod('dot', [[3, 2, 4], [4, 3, 5, 2]], (c, [a, b]) =>
      c.dot(a, b, { lhsBatch: [2], rhsBatch: [0], lhsContracting: [1, 0], rhsContracting: [3, 1] })) },
    { name: 'dot batch', build: mod('dot', [[2, 3, 4], [4, 2, 5]], (c, [a, b]) => c.dot(a, b, { lhsBatch: [0], rhsBatch: [1], lhsContracting: [2], rhsContracting: [0] })) },
    { name: 'dot vector', build: mod('dot', [[4], [4]], (c, [a, b]) => c.dot(a, b, { lhsContracting: [0], rhsContracting: [0] })) },
  ],
  reduce: [
    { name: 'reduce add', build: mod('r', [[2, 3, 4], []], (c, [x, i], b) => c.reduce(c.sine(x), i, [0, 2], reducer(b, 'add'))) },
    { name: 'reduce max', build: mod('r', [[3, 4]], (c, [x], b) => c.reduce(x, c.constantScalar('f64', -Infinity), [1], reducer(b, 'maximum'))) },
    { name: 'reduce min', build: mod('r', [[3, 4]], (c, [x], b) => c.reduce(x, c.constantScalar('f64', Infinity), [0], reducer(b, 'minimum'))) },
    { name: 'reduce max, init wins', args: [[-3, -2, 1, -1, -5, -4]], wrt: [], build: mod('r', [[2, 3]], (c, [x], b) => c.reduce(x, c.constantScalar('f64', 0), [1], reducer(b, 'maximum'))) },
    { name: 'reduce multiply', build: mod('r', [[3, 4]], (c, [x], b) => c.reduce(x, c.constantScalar('f64', 1), [1], reducer(b, 'multiply'))) },
    {
      name: 'reduce multiply, with zeros', args: [[0, 0.5, -1.5, 2, 0, 0, 1.5, 3, 1.1, -0.7, 0.9, 1.3]],
      build: mod('r', [[3, 4]], (c, [x], b) => c.reduce(x, c.constantScalar('f64', 1), [1], reducer(b, 'multiply'))),
    },
  ],
  convolution: [
    conv('NHWC', [2, 5, 5, 3], [3, 3, 3, 4], {}),
    conv('strided, padded', [1, 7, 6, 2], [3, 2, 2, 3], { window: [{ stride: 2, padLow: 1, padHigh: 2 }, { stride: 3, padLow: 0, padHigh: 1 }] }),
    conv('dilated', [1, 6, 7, 2], [2, 3, 2, 2], { window: [{ lhsDilate: 2, rhsDilate: 1, padLow: 1 }, { rhsDilate: 2, stride: 2 }] }),
    conv('NCHW/OIHW', [2, 3, 5, 4], [4, 3, 2, 3], { dimLabels: 'bf01_oi01->bf01', window: [{ padLow: 1, padHigh: 1 }, { stride: 2 }] }),
    conv('odd labels', [3, 5, 2, 4], [3, 2, 4, 3], { dimLabels: 'f0b1_i0o1->1bf0', window: [{ stride: 2, padLow: 1 }, { rhsDilate: 2, padHigh: 2 }] }),
    conv('feature groups', [2, 5, 4], [3, 2, 6], { featureGroupCount: 2 }),
    conv('batch groups', [4, 6, 3], [2, 3, 4], { batchGroupCount: 2 }),
    conv('1x1 depthwise', [1, 4, 4, 3], [1, 1, 1, 6], { featureGroupCount: 3, window: [{ stride: 2 }, { stride: 2 }] }),
  ],
};
