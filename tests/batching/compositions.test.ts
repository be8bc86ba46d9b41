// Whole models: an MLP run per example over a batch with shared weights (and an ensemble
// with per-member weights), and a small conv net written for one image, vmapped to a batch.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../ir/builder.js';
import type { Module } from '../../ir/module.js';
import { array, scalar } from '../../ir/shape.js';
import { checkVmap, scalarFn } from './harness.js';

const f32 = (...dims: number[]) => array('f32', dims);
const opcodes = (m: Module) => m.entry.instructions.map((i) => i.opcode);

/** x[4] -> tanh(x W1 + b1) W2 + b2 -> log-softmax, over 3 classes. */
function mlp(): Module {
  const b = new ModuleBuilder('mlp');
  const add = scalarFn(b, 'add', 'f32', (c, x, y) => c.add(x, y));
  const max = scalarFn(b, 'max', 'f32', (c, x, y) => c.maximum(x, y));
  b.entry('main', (c) => {
    const [x, w1, b1, w2, b2] = [f32(4), f32(4, 8), f32(8), f32(8, 3), f32(3)].map((s) => c.parameter(s));
    const h = c.tanh(c.add(c.dot(x, w1), b1));
    const logits = c.add(c.dot(h, w2), b2);
    const m = c.reduce(logits, c.constantScalar('f32', -Infinity), [0], max);
    const shifted = c.subtract(logits, c.broadcast(m, [3]));
    const lse = c.log(c.reduce(c.exponential(shifted), c.constantScalar('f32', 0), [0], add));
    return c.subtract(shifted, c.broadcast(lse, [3]));
  });
  return b.build();
}

/** One NHWC image [8,8,1]: conv 3x3 (4 features) + bias, relu, 2x2 max pool, dense to 10. */
function convNet(): Module {
  const b = new ModuleBuilder('convnet');
  const max = scalarFn(b, 'max', 'f32', (c, x, y) => c.maximum(x, y));
  b.entry('main', (c) => {
    const [img, k, bias, w] = [f32(8, 8, 1), f32(3, 3, 1, 4), f32(4), f32(64, 10)].map((s) => c.parameter(s));
    const x = c.reshape(img, [1, 8, 8, 1]);
    const conv = c.convolution(x, k, { window: [{ padLow: 1, padHigh: 1 }, { padLow: 1, padHigh: 1 }] });
    const act = c.maximum(c.add(conv, c.broadcast(bias, [1, 8, 8, 4], [3])), c.broadcast(c.constantScalar('f32', 0), [1, 8, 8, 4]));
    const pool = c.reduceWindow(act, c.constantScalar('f32', -Infinity), [{}, { size: 2, stride: 2 }, { size: 2, stride: 2 }, {}], max);
    return c.reshape(c.dot(c.reshape(pool, [1, 64]), w), [10]);
  });
  return b.build();
}

describe('compositions', () => {
  it('an MLP per example over a batch of inputs, weights shared', () => {
    const batched = checkVmap(mlp(), [0, null, null, null, null], 5);
    expect(batched.entry.params.map((p) => p.shape.kind === 'array' && p.shape.dims)).toEqual([[5, 4], [4, 8], [8], [8, 3], [3]]);
    expect(opcodes(batched).filter((o) => o === 'dot')).toHaveLength(2);
  });

  it('an MLP ensemble: per-member weights and shared inputs, members last in the output', () => {
    checkVmap(mlp(), [null, 2, 0, 1, 0], 4, [1]);
  });

  it('a conv net on one image, vmapped to a batch of images: still one convolution', () => {
    const batched = checkVmap(convNet(), [0, null, null, null], 6);
    expect(opcodes(batched).filter((o) => o === 'convolution')).toHaveLength(1);
    expect(batched.entry.root.shape).toMatchObject({ dims: [6, 10] });
  });

  it('a conv net with per-example kernels folds the batch into feature groups', () => {
    const batched = checkVmap(convNet(), [3, 0, null, null], 2);
    const conv = batched.entry.instructions.find((i) => i.opcode === 'convolution')!;
    expect(conv.opcode === 'convolution' && conv.attrs.feature_group_count).toBe(2);
  });

  it('vmap of vmap: a batch of batches', () => {
    const once = checkVmap(mlp(), [0, null, null, null, null], 3);
    checkVmap(once, [1, null, null, null, null], 2);
  });

  it('scalar per-example functions become vector ones', () => {
    const b = new ModuleBuilder('poly');
    b.entry('main', (c) => {
      const x = c.parameter(scalar('f32'));
      return c.add(c.multiply(x, x), c.constantScalar('f32', 1));
    });
    const batched = checkVmap(b.build(), [0], 7);
    expect(batched.entry.root.shape).toMatchObject({ dims: [7] });
  });
});
