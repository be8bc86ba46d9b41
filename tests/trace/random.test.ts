import { afterAll, describe, expect, it } from 'vitest';
import * as np from '../../compiler/frontends/trace/numpy/index.js';
import * as random from '../../compiler/frontends/trace/random.js';
import { jit } from '../../compiler/frontends/trace/jit.js';
import { setBackend } from '../../compiler/frontends/trace/config.js';
import { scalarTensor } from '../../compiler/frontends/trace/ops.js';
import type { Tensor } from '../../compiler/frontends/trace/tensor.js';
import { expectValues, values } from './helpers.js';

const u = (v: number) => scalarTensor(v, 'u32');

describe('threefry2x32', () => {
  // Random123's known-answer tests, as JAX's random_test checks them.
  const vectors: [number[], number[], number[]][] = [
    [[0, 0], [0, 0], [0x6b200159, 0x99ba4efe]],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
    [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
  ];
  for (const [k, x, want] of vectors)
    it(`key ${k.map((v) => v.toString(16))} counter ${x.map((v) => v.toString(16))}`, () => {
      const [y0, y1] = random.threefry2x32(u(k[0]), u(k[1]), u(x[0]), u(x[1]));
      expect([values(y0)[0], values(y1)[0]]).toEqual(want);
    });
});

describe('keys and bits as JAX', () => {
  it('key, split, foldIn, bits', () => {
    const k = random.key(0);
    expect(k.dtype).toBe('u32');
    expect(values(k)).toEqual([0, 0]);
    expect(values(random.key(-1))).toEqual([0, 0xffffffff]);
    expect(values(random.key(2 ** 32 + 5))).toEqual([1, 5]);
    expect(values(random.key(np.array(-1, { dtype: 's32' })))).toEqual([0, 0xffffffff]);
    // jax.random.split(jax.random.PRNGKey(0))
    expectValues(random.split(k), [2, 2], [4146024105, 967050713, 2718843009, 1272950319]);
    // jax.random.split(PRNGKey(42), 3), fold_in(PRNGKey(42), 7), bits(PRNGKey(42), (5,))
    expectValues(random.split(random.key(42), 3), [3, 2], [3134548294, 3733159049, 3746501087, 894150801, 801545058, 2363201431]);
    expectValues(random.foldIn(random.key(42), 7), [2], [2547012911, 1371500959]);
    expectValues(random.bits(random.key(42), [5]), [5], [3134548294, 3733159049, 843694964, 894150801, 801545058]);
    expect(() => random.split(np.zeros([2]))).toThrow(/u32\[2\].*got f32\[2\]/);
  });
  it('uniform and normal give JAX\'s values', () => {
    expectValues(random.uniform(random.key(0)), [], [0.41845703125], 7);
    expectValues(random.uniform(random.key(42), [5]), [5], [0.7298188209533691, 0.8691937923431396, 0.19643795490264893, 0.20818567276000977, 0.1866241693496704], 7);
    // jax.random.normal(PRNGKey(0), (10,)): JAX's quickstart
    expectValues(random.normal(random.key(0), [10]), [10],
      [-0.3721109, 0.26423115, -0.18252768, -0.7368197, -0.44030377, -0.1521442, -0.67135346, -0.5908641, 0.73168886, 0.5673026], 5);
  });
});

describe('distributions', () => {
  const n = 20000;
  const stats = (v: number[]) => {
    const m = v.reduce((a, b) => a + b) / v.length;
    return { mean: m, std: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length), min: Math.min(...v), max: Math.max(...v) };
  };
  it('uniform in [minval, maxval)', () => {
    const s = stats(values(random.uniform(random.key(1), [n], { minval: -2, maxval: 6 })));
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(6);
    expect(s.mean).toBeCloseTo(2, 1);
    expect(s.std).toBeCloseTo(8 / Math.sqrt(12), 1);
  });
  it('normal has mean 0, std 1, and normal tails', () => {
    const v = values(random.normal(random.key(2), [n]));
    const s = stats(v);
    expect(Math.abs(s.mean)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 1)).toBeLessThan(0.03);
    const beyond2 = v.filter((t) => Math.abs(t) > 2).length / n;
    expect(Math.abs(beyond2 - 0.0455)).toBeLessThan(0.008);
  });
  it('bernoulli', () => {
    const b = random.bernoulli(random.key(3), 0.3, [n]);
    expect(b.dtype).toBe('pred');
    expect(values(b).reduce((a, c) => a + c) / n).toBeCloseTo(0.3, 1);
    expect(random.bernoulli(random.key(3), np.array([0.1, 0.9])).shape).toEqual([2]);
  });
});

describe('random through jit on wasm', () => {
  afterAll(() => setBackend('wasm'));
  it('the same key gives the same numbers as the interpreter', async () => {
    setBackend('wasm');
    const sample = (k: Tensor) => {
      const [a, b] = [np.slice(random.split(k), 0), np.slice(random.split(k), 1)];
      return { u: random.uniform(a, [3, 5]), z: random.normal(b, [7]), c: random.bernoulli(random.foldIn(k, 3), 0.5, [4]), k2: random.split(k, 3) };
    };
    const k = random.key(1234);
    const got = jit(sample)(k), want = sample(k);
    // The bits are exact everywhere; normal's log and sqrt may differ by an ulp between backends.
    for (const name of ['u', 'c', 'k2'] as const)
      expect(Array.from(await got[name].data() as ArrayLike<number>, Number), name).toEqual(values(want[name]));
    const z = Array.from(await got.z.data() as ArrayLike<number>, Number), zWant = values(want.z);
    z.forEach((v, i) => expect(v).toBeCloseTo(zWant[i], 5));
  });
});
