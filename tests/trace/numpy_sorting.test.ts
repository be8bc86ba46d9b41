import { afterAll, describe, expect, it } from 'vitest';
import * as np from '../../compiler/frontends/trace/numpy/index.js';
import * as random from '../../compiler/frontends/trace/random.js';
import { jit } from '../../compiler/frontends/trace/jit.js';
import { setBackend } from '../../compiler/frontends/trace/config.js';
import type { Tensor } from '../../compiler/frontends/trace/tensor.js';
import { expectValues, values } from './helpers.js';

describe('sort, argsort', () => {
  it('sorts along an axis with NaNs last', () => {
    const m = np.array([[3, NaN, 1, 2], [0, -1, -Infinity, 5]]);
    expectValues(np.sort(m), [2, 4], [1, 2, 3, NaN, -Infinity, -1, 0, 5]);
    expectValues(np.sort(m, 0), [2, 4], [0, -1, -Infinity, 2, 3, NaN, 1, 5]);
    expectValues(np.sort(np.array([[2, 1], [0, 3]], { dtype: 's32' }), null), [4], [0, 1, 2, 3]);
  });
  it('argsort is stable', () => {
    const v = np.array([2, 1, 2, 0, 1, NaN, 1]);
    const i = np.argsort(v);
    expect(i.dtype).toBe('s32');
    expectValues(i, [7], [3, 1, 4, 6, 0, 2, 5]);
    expectValues(np.argsort(np.array([[5, 4], [1, 9]]), 0), [2, 2], [1, 0, 0, 1]);
  });
});

describe('random.permutation', () => {
  afterAll(() => setBackend('wasm'));
  it('permutes arange(n) or an axis by one sort of fresh bits, as JAX', async () => {
    // jax.random.permutation's algorithm (_shuffle: split, bits, stable sort) run in NumPy on these keys
    expectValues(random.permutation(random.key(0), 10), [10], [2, 7, 9, 6, 0, 8, 1, 3, 4, 5]);
    const p = random.permutation(random.key(42), np.reshape(np.arange(12), [2, 6]), 1);
    expectValues(p, [2, 6], [3, 0, 2, 1, 5, 4, 9, 6, 8, 7, 11, 10]);
    const big = values(random.permutation(random.key(7), 3000));
    expect([...big].sort((x, y) => x - y)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    setBackend('wasm');
    const f = jit((k: Tensor, x: Tensor) => ({ p: random.permutation(k, 50), s: np.sort(x), a: np.argsort(x) }));
    const x = random.normal(random.key(3), [4, 9]);
    const got = f(random.key(5), x);
    expect(Array.from(await got.p.data() as Int32Array)).toEqual(values(random.permutation(random.key(5), 50)));
    expect(Array.from(await got.s.data() as Float32Array)).toEqual(values(np.sort(x)));
    expect(Array.from(await got.a.data() as Int32Array)).toEqual(values(np.argsort(x)));
  });
});
