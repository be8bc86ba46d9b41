// Small models for the composition tests: an MLP and a LeNet-like convnet, each ending in
// a softmax cross-entropy loss, in f32 or f64.
import { type ComputationBuilder, ModuleBuilder } from '../../ir/builder.js';
import type { Instruction, Module } from '../../ir/module.js';
import { type ArrayShape, array, scalar } from '../../ir/shape.js';

type FloatType = 'f32' | 'f64';

/** Mean softmax cross-entropy of logits [n, k] against one-hot labels. */
function crossEntropy(c: ComputationBuilder, b: ModuleBuilder, logits: Instruction, labels: number[], t: FloatType): Instruction {
  const [n, k] = (logits.shape as ArrayShape).dims;
  const add = b.computation('add', (r) => r.add(r.parameter(scalar(t)), r.parameter(scalar(t))));
  const max = b.computation('max', (r) => r.maximum(r.parameter(scalar(t)), r.parameter(scalar(t))));
  const m = c.reduce(logits, c.constantScalar(t, -Infinity), [1], max);
  const z = c.subtract(logits, c.broadcast(m, [n, k], [0]));
  const lse = c.log(c.reduce(c.exponential(z), c.constantScalar(t, 0), [1], add));
  const logp = c.subtract(z, c.broadcast(lse, [n, k], [0]));
  const onehot = c.constantArray(t, [n, k], Array.from({ length: n * k }, (_, i) => (labels[Math.floor(i / k)] === i % k ? 1 : 0)));
  const total = c.reduce(c.multiply(onehot, logp), c.constantScalar(t, 0), [0, 1], add);
  return c.multiply(total, c.constantScalar(t, -1 / n));
}

const dense = (c: ComputationBuilder, x: Instruction, w: Instruction, bias: Instruction) => {
  const d = c.dot(x, w);
  const dims = (d.shape as ArrayShape).dims;
  return c.add(d, c.broadcast(bias, dims, [dims.length - 1]));
};
const relu = (c: ComputationBuilder, x: Instruction, t: FloatType) => c.maximum(x, c.broadcast(c.constantScalar(t, 0), (x.shape as ArrayShape).dims, []));

/** x [4,5] -> tanh dense 6 -> relu dense 3 -> softmax cross-entropy. Params: x, w1, b1, w2, b2. */
export function mlp(t: FloatType): Module {
  const b = new ModuleBuilder(`mlp_${t}`);
  b.entry('main', (c) => {
    const x = c.parameter(array(t, [4, 5]), 'x');
    const w1 = c.parameter(array(t, [5, 6]), 'w1'), b1 = c.parameter(array(t, [6]), 'b1');
    const w2 = c.parameter(array(t, [6, 3]), 'w2'), b2 = c.parameter(array(t, [3]), 'b2');
    const h = c.tanh(dense(c, x, w1, b1));
    return crossEntropy(c, b, relu(c, dense(c, h, w2, b2), t), [0, 2, 1, 2], t);
  });
  return b.build();
}

/**
 * x [2,8,8,1] -> conv 3x3 same, 4 ch, relu -> max-pool 2x2/2 -> conv 3x3 valid, 6 ch,
 * relu -> dense 3 -> softmax cross-entropy. Params: x, k1, c1, k2, c2, w, bias.
 */
export function lenet(t: FloatType): Module {
  const b = new ModuleBuilder(`lenet_${t}`);
  const max = b.computation('pool', (r) => r.maximum(r.parameter(scalar(t)), r.parameter(scalar(t))));
  b.entry('main', (c) => {
    const x = c.parameter(array(t, [2, 8, 8, 1]), 'x');
    const k1 = c.parameter(array(t, [3, 3, 1, 4]), 'k1'), c1 = c.parameter(array(t, [4]), 'c1');
    const k2 = c.parameter(array(t, [3, 3, 4, 6]), 'k2'), c2 = c.parameter(array(t, [6]), 'c2');
    const w = c.parameter(array(t, [24, 3]), 'w'), bias = c.parameter(array(t, [3]), 'bias');
    const conv1 = c.convolution(x, k1, { window: [{ padLow: 1, padHigh: 1 }, { padLow: 1, padHigh: 1 }] });
    const a1 = relu(c, c.add(conv1, c.broadcast(c1, [2, 8, 8, 4], [3])), t);
    const pool = c.reduceWindow(a1, c.constantScalar(t, -Infinity), [{}, { size: 2, stride: 2 }, { size: 2, stride: 2 }, {}], max);
    const conv2 = c.convolution(pool, k2);
    const a2 = relu(c, c.add(conv2, c.broadcast(c2, [2, 2, 2, 6], [3])), t);
    return crossEntropy(c, b, dense(c, c.reshape(a2, [2, 24]), w, bias), [1, 2], t);
  });
  return b.build();
}
