import { afterAll, describe, expect, it } from 'vitest';
import * as np from '../../compiler/frontends/trace/numpy/index.js';
import * as nn from '../../compiler/frontends/trace/nn/index.js';
import { jit } from '../../compiler/frontends/trace/jit.js';
import { setBackend } from '../../compiler/frontends/trace/config.js';
import type { Tensor } from '../../compiler/frontends/trace/tensor.js';
import { expectValues } from './helpers.js';
import { conv2dNHWC, poolNHWC, wavy, type ConvCase } from './nn_reference.js';

const xsShape = [2, 7, 6, 4];
const xData = wavy(2 * 7 * 6 * 4);
const x = np.array(xData, { shape: xsShape });

describe('activations', () => {
  const v = np.array([-3, -0.5, 0, 0.5, 2, 8]);
  const vals = [-3, -0.5, 0, 0.5, 2, 8];
  const sig = (t: number) => 1 / (1 + Math.exp(-t));
  it('relu, relu6, sigmoid, softplus, silu', () => {
    expectValues(nn.relu(v), [6], vals.map((t) => Math.max(t, 0)));
    expectValues(nn.relu6(v), [6], vals.map((t) => Math.min(Math.max(t, 0), 6)));
    expectValues(nn.sigmoid(v), [6], vals.map(sig));
    expectValues(nn.softplus(v), [6], vals.map((t) => Math.log1p(Math.exp(t))));
    expectValues(nn.softplus(np.array([100, -100])), [2], [100, Math.log1p(Math.exp(-100))]);
    expectValues(nn.silu(v), [6], vals.map((t) => t * sig(t)));
    expect(nn.relu(np.array([-1, 2], { dtype: 's32' })).dtype).toBe('s32');
  });
  it('gelu, tanh and erf forms', () => {
    // jax.nn.gelu(x, approximate=True / False) at x = [-3, -0.5, 0, 0.5, 2, 8]
    expectValues(nn.gelu(v), [6], [-0.00363752, -0.15428598, 0, 0.34571401, 1.95459769, 8]);
    expectValues(nn.gelu(v, { approximate: false }), [6], [-0.00404969, -0.15426877, 0, 0.34573123, 1.95449974, 8]);
  });
  it('softmax and logSoftmax are stable', () => {
    const z = np.array([[1, 2, 3], [1000, 1000, 1000]]);
    const e = [1, 2, 3].map((t) => Math.exp(t - 3)), s = e.reduce((a, b) => a + b);
    expectValues(nn.softmax(z), [2, 3], [...e.map((t) => t / s), 1 / 3, 1 / 3, 1 / 3]);
    expectValues(nn.logSoftmax(z), [2, 3], [...e.map((t) => Math.log(t / s)), -Math.log(3), -Math.log(3), -Math.log(3)]);
    expectValues(nn.softmax(z, 0), [2, 3], [0, 0, 0, 1, 1, 1]);
  });
});

describe('conv2d', () => {
  const cases: [string, ConvCase, number[], nn.Conv2dOptions][] = [
    ['valid', { strides: [1, 1], pads: [[0, 0], [0, 0]], dilation: [1, 1], groups: 1 }, [3, 2, 4, 5], {}],
    ['same, strided', { strides: [2, 2], pads: [[1, 1], [0, 1]], dilation: [1, 1], groups: 1 }, [3, 2, 4, 3], { strides: 2, padding: 'SAME' }],
    ['explicit pads, dilated', { strides: [1, 2], pads: [[2, 0], [1, 1]], dilation: [2, 1], groups: 1 }, [2, 3, 4, 2], { strides: [1, 2], padding: [[2, 0], [1, 1]], dilation: [2, 1] }],
    ['grouped', { strides: [1, 1], pads: [[1, 1], [1, 1]], dilation: [1, 1], groups: 2 }, [3, 3, 2, 6], { padding: 'SAME', groups: 2 }],
  ];
  for (const [name, c, ws, opts] of cases)
    it(`NHWC/HWIO ${name} matches a direct loop`, () => {
      const wData = wavy(ws.reduce((a, b) => a * b), 3);
      const ref = conv2dNHWC(xData, xsShape, wData, ws, c);
      expectValues(nn.conv2d(x, np.array(wData, { shape: ws }), opts), ref.shape, ref.values, 4);
    });
  it('NCHW/OIHW gives the transposed result', () => {
    const ws = [3, 3, 2, 6], wData = wavy(3 * 3 * 2 * 6, 5);
    const ref = conv2dNHWC(xData, xsShape, wData, ws, { strides: [2, 1], pads: [[1, 1], [1, 1]], dilation: [1, 1], groups: 2 });
    const nchw = np.transpose(x, [0, 3, 1, 2]), oihw = np.transpose(np.array(wData, { shape: ws }), [3, 2, 0, 1]);
    const y = nn.conv2d(nchw, oihw, { layout: 'NCHW', strides: [2, 1], padding: 'SAME', groups: 2 });
    expectValues(np.transpose(y, [0, 2, 3, 1]), ref.shape, ref.values, 4);
  });
  it('names the shapes when channels do not match', () => {
    expect(() => nn.conv2d(x, np.zeros([3, 3, 3, 8]))).toThrow(/NHWC input \[2,7,6,4\] with HWIO kernel \[3,3,3,8\]/);
    expect(() => nn.conv2d(x, np.zeros([3, 3, 4]))).toThrow(/rank-4 input and kernel, got \[2,7,6,4\] and \[3,3,4\]/);
  });
});

describe('pools', () => {
  it('maxPool and avgPool match direct loops', () => {
    let ref = poolNHWC(xData, xsShape, [2, 2], [2, 2], [[0, 0], [0, 0]], 'max');
    expectValues(nn.maxPool(x, { window: 2, strides: 2 }), ref.shape, ref.values);
    ref = poolNHWC(xData, xsShape, [3, 2], [2, 1], [[1, 1], [0, 1]], 'max');
    expectValues(nn.maxPool(x, { window: [3, 2], strides: [2, 1], padding: 'SAME' }), ref.shape, ref.values);
    ref = poolNHWC(xData, xsShape, [2, 2], [1, 1], [[0, 0], [0, 0]], 'avg');
    expectValues(nn.avgPool(x, { window: 2 }), ref.shape, ref.values);
    ref = poolNHWC(xData, xsShape, [3, 3], [2, 2], [[1, 1], [0, 1]], 'avg');
    expectValues(nn.avgPool(x, { window: 3, strides: 2, padding: 'SAME' }), ref.shape, ref.values);
    ref = poolNHWC(xData, xsShape, [3, 3], [2, 2], [[1, 1], [0, 1]], 'avg', false);
    expectValues(nn.avgPool(x, { window: 3, strides: 2, padding: 'SAME', countIncludePad: false }), ref.shape, ref.values);
  });
  it('maxPool keeps integer dtypes (padding reads as the dtype\'s lowest value)', () => {
    const q = nn.maxPool(np.array([0, 3, 2, 1, 0, 0], { dtype: 'u8', shape: [1, 2, 3, 1] }), { window: 2, padding: 'SAME' });
    expect(q.dtype).toBe('u8');
    expectValues(q, [1, 2, 3, 1], [3, 3, 2, 1, 0, 0]);
  });
  it('NCHW pools the last two dims', () => {
    const ref = poolNHWC(xData, xsShape, [2, 3], [2, 3], [[0, 0], [0, 0]], 'max');
    const y = nn.maxPool(np.transpose(x, [0, 3, 1, 2]), { window: [2, 3], strides: [2, 3], layout: 'NCHW' });
    expectValues(np.transpose(y, [0, 2, 3, 1]), ref.shape, ref.values);
  });
});

describe('layers and losses', () => {
  it('dense', () => {
    const a = np.array([[1, 2], [3, 4], [5, 6]]), w = np.array([[1, 0, 2], [0, 1, -1]]);
    expectValues(nn.dense(a, w, np.array([10, 20, 30])), [3, 3], [11, 22, 30, 13, 24, 32, 15, 26, 34]);
    expectValues(nn.dense(a, w), [3, 3], [1, 2, 0, 3, 4, 2, 5, 6, 4]);
    expect(() => nn.dense(a, np.zeros([3, 3]))).toThrow(/x \[3,2\] with w \[3,3\]/);
  });
  it('layerNorm', () => {
    // rows [1,2,3,4] and [2,2,2,6]: mean 2.5, var 1.25; mean 3, var 3
    const a = np.array([[1, 2, 3, 4], [2, 2, 2, 6]]);
    const norm = (r: number[], m: number, v: number) => r.map((t) => (t - m) / Math.sqrt(v + 1e-6));
    expectValues(nn.layerNorm(a), [2, 4], [...norm([1, 2, 3, 4], 2.5, 1.25), ...norm([2, 2, 2, 6], 3, 3)]);
    const g = np.array([1, 2, 1, 2]), b = np.array([0, 0, 1, 1]);
    const want = [...norm([1, 2, 3, 4], 2.5, 1.25), ...norm([2, 2, 2, 6], 3, 3)].map((t, i) => t * [1, 2, 1, 2][i % 4] + [0, 0, 1, 1][i % 4]);
    expectValues(nn.layerNorm(a, g, b), [2, 4], want);
  });
  it('softmaxCrossEntropy averages -log softmax at the labels', () => {
    const logits = [[2, 1, 0.1], [0.5, 2.5, -1]], labels = [0, 2];
    const want = logits.map((r, i) => Math.log(r.reduce((s, t) => s + Math.exp(t), 0)) - r[labels[i]]).reduce((a, b) => a + b) / 2;
    expectValues(nn.softmaxCrossEntropy(np.array(logits), np.array(labels, { dtype: 's32' })), [], [want]);
    expect(() => nn.softmaxCrossEntropy(np.array(logits), np.array([0, 1, 2], { dtype: 's32' }))).toThrow(/logits \[2,3\] and labels \[3\]/);
  });
});

describe('nn through jit on wasm', () => {
  afterAll(() => setBackend('wasm'));
  it('a small convnet step gives the interpreter\'s values', async () => {
    setBackend('wasm');
    const ws = [3, 3, 4, 6];
    const w = np.array(wavy(3 * 3 * 4 * 6, 7), { shape: ws });
    const dw = np.array(wavy(6 * 3 * 3 * 5, 9), { shape: [54, 5] });
    const net = (img: Tensor, k: Tensor, d: Tensor, labels: Tensor) => {
      const h = nn.relu(nn.conv2d(img, k, { padding: 'SAME', strides: 1 }));
      const p = nn.maxPool(h, { window: 2, strides: 2 });
      const a = nn.avgPool(p, { window: 2, padding: 'SAME', countIncludePad: false });
      const logits = nn.dense(np.reshape(a, [2, -1]), d, np.array([0.1, 0, 0, 0, -0.1]));
      const z = nn.gelu(nn.logSoftmax(logits));
      return { loss: nn.softmaxCrossEntropy(logits, labels), probs: nn.softmax(z), pred: np.argmax(logits, 1), sg: nn.sigmoid(nn.silu(nn.softplus(logits))) };
    };
    const labels = np.array([1, 4], { dtype: 's32' });
    const f = jit(net);
    const got = f(x, w, dw, labels);
    const want = net(x, w, dw, labels);
    for (const k of ['loss', 'probs', 'pred', 'sg'] as const) {
      const g = Array.from(await got[k].data() as ArrayLike<number>, Number), e = Array.from(want[k].dataSync() as ArrayLike<number>, Number);
      expect(g.length).toBe(e.length);
      g.forEach((v, i) => expect(v, `${k}[${i}]`).toBeCloseTo(e[i], 4));
    }
  });
  it('conv2d NCHW lowers to a convolution with bf01_oi01->bf01', () => {
    const text = jit((a: Tensor, k: Tensor) => nn.conv2d(a, k, { layout: 'NCHW', padding: 'SAME', strides: 2 })).lower(np.zeros([1, 3, 8, 8]), np.zeros([4, 3, 3, 3])).asText();
    expect(text).toMatch(/f32\[1,4,4,4\]\{[0-9,]+\} convolution\(.*\), window=\{size=3x3 stride=2x2 pad=0_1x0_1\}, dim_labels=bf01_oi01->bf01/);
  });
});
