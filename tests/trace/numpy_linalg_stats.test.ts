import { afterAll, describe, expect, it } from 'vitest';
import * as np from '../../compiler/frontends/trace/numpy/index.js';
import { jit } from '../../compiler/frontends/trace/jit.js';
import { setBackend } from '../../compiler/frontends/trace/config.js';
import type { Tensor } from '../../compiler/frontends/trace/tensor.js';
import { expectValues, values } from './helpers.js';

// a = arange(24).reshape(2,3,4)*0.5-3, b = arange(40).reshape(2,4,5)*0.25-2; expected values from NumPy.
const a = np.subtract(np.multiply(np.reshape(np.arange(24), [2, 3, 4]), 0.5), 3);
const b = np.subtract(np.multiply(np.reshape(np.arange(40), [2, 4, 5]), 0.25), 2);
const BIK = [4.25, 2.0, -0.25, -2.5, -4.75, 3.25, 3.0, 2.75, 2.5, 2.25, 2.25, 4.0, 5.75, 7.5, 9.25, 76.25, 80.0, 83.75, 87.5, 91.25, 115.25, 121.0, 126.75, 132.5, 138.25, 154.25, 162.0, 169.75, 177.5, 185.25];
const IK = [80.5, 82.0, 83.5, 85.0, 86.5, 118.5, 124.0, 129.5, 135.0, 140.5, 156.5, 166.0, 175.5, 185.0, 194.5];

describe('einsum, tensordot', () => {
  it('batch matmul, transposed outputs, contracted batch letters', () => {
    expectValues(np.einsum('bij,bjk->bik', a, b), [2, 3, 5], BIK);
    expectValues(np.einsum('bij,bjk->kbi', a, b), [5, 2, 3], [4.25, 3.25, 2.25, 76.25, 115.25, 154.25, 2.0, 3.0, 4.0, 80.0, 121.0, 162.0, -0.25, 2.75, 5.75, 83.75, 126.75, 169.75, -2.5, 2.5, 7.5, 87.5, 132.5, 177.5, -4.75, 2.25, 9.25, 91.25, 138.25, 185.25]);
    expectValues(np.einsum('bij,bkj->ik', a, np.transpose(b, [0, 2, 1])), [3, 5], IK);
  });
  it('one operand, implicit outputs, summed letters, outer products', () => {
    const m = np.array([[1, 2, 3], [4, 5, 6]]);
    expectValues(np.einsum('ij->ji', m), [3, 2], [1, 4, 2, 5, 3, 6]);
    expectValues(np.einsum('ij->i', m), [2], [6, 15]);
    expectValues(np.einsum('ij', m), [2, 3], [1, 2, 3, 4, 5, 6]);
    expectValues(np.einsum('i,i', np.array([1, 2, 3]), np.array([4, 5, 6])), [], [32]);
    expectValues(np.einsum('i,j', np.array([1, 2]), np.array([3, 4, 5])), [2, 3], [3, 4, 5, 6, 8, 10]);
    expectValues(np.einsum('ij,k->i', m, np.array([1, 1])), [2], [12, 30]);
  });
  it('refuses what it does not do, naming shapes', () => {
    expect(() => np.einsum('ii->i', np.zeros([2, 2]))).toThrow(/repeats a letter/);
    expect(() => np.einsum('...i,i', np.zeros([2, 2]), np.zeros([2]))).toThrow(/ellipses/);
    expect(() => np.einsum('ij,jk', np.zeros([2, 3]), np.zeros([4, 2]))).toThrow(/'j' is 3 in one place and 4 in another \(shapes \[2,3\], \[4,2\]\)/);
    expect(() => np.einsum('ij,jk->il', np.zeros([2, 3]), np.zeros([3, 2]))).toThrow(/output letter 'l'/);
  });
  it('tensordot', () => {
    expectValues(np.tensordot(a, b, [[0, 2], [0, 1]]), [3, 5], IK);
    const m = np.reshape(np.arange(6), [2, 3]), n = np.reshape(np.arange(12), [3, 4]);
    expectValues(np.tensordot(m, n, 1), [2, 4], [20, 23, 26, 29, 56, 68, 80, 92]);
    expectValues(np.tensordot(m, m), [], [55]);
    expect(() => np.tensordot(m, n, [[0], [0]])).toThrow(/\[2,3\] and \[3,4\]: axes \[0\] and \[0\]/);
  });
});

describe('var, std, cumsum, cumprod, eye, linspace', () => {
  it('var and std', () => {
    expectValues(np.var(a, 1), [2, 4], Array(8).fill(2.6666667461395264));
    expectValues(np.std(a, null, { ddof: 1 }), [], [3.535534]);
    expect(np.variance(a, [0, 2], { keepdims: true }).shape).toEqual([1, 3, 1]);
  });
  it('cumulative sums and products', () => {
    const m = np.array([[1, 2, 3], [4, 5, 6]]);
    expectValues(np.cumsum(m, 1), [2, 3], [1, 3, 6, 4, 9, 15]);
    expectValues(np.cumsum(m), [6], [1, 3, 6, 10, 15, 21]);
    expectValues(np.cumprod(m, 0), [2, 3], [1, 2, 3, 4, 10, 18]);
    const c = np.cumsum(np.array([true, false, true]));
    expect(c.dtype).toBe('s32');
    expect(values(c)).toEqual([1, 1, 2]);
  });
  it('eye and linspace', () => {
    expectValues(np.eye(2, 3, 1), [2, 3], [0, 1, 0, 0, 0, 1]);
    expect(np.eye(2, undefined, 0, 's32').dtype).toBe('s32');
    expectValues(np.linspace(0, 1, 5), [5], [0, 0.25, 0.5, 0.75, 1]);
    expectValues(np.linspace(-1, 2, 4, { endpoint: false }), [4], [-1, -0.25, 0.5, 1.25]);
    expectValues(np.linspace(3, 3, 1), [1], [3]);
  });
});

describe('numpy through jit on wasm', () => {
  afterAll(() => setBackend('wasm'));
  it('indexing, joins, searches, contractions and statistics give the interpreter\'s values', async () => {
    setBackend('wasm');
    const f = (x: Tensor, y: Tensor, idx: Tensor) => ({
      sl: np.slice(x, -1, [null, null, -2], [1, 3]),
      tk: np.take(x, idx, 2),
      ta: np.takeAlongAxis(x, np.reshape(idx, [1, 1, 2]), 2),
      pj: np.concatenate([np.pad(np.flip(x, 1), [[0, 0], [1, 0], [0, 0]], { constantValues: 7 }), np.tile(np.slice(x, null, [0, 1]), [1, 2, 1])], 1),
      st: np.stack(np.split(x, 2, 2), 0),
      am: np.argmax(x, 2),
      ai: np.argmin(np.repeat(x, 2, 1), 1, { keepdims: true }),
      oh: np.oneHot(idx, 4),
      es: np.einsum('bij,bjk->kbi', x, y),
      td: np.tensordot(x, y, [[0, 2], [0, 1]]),
      vs: np.std(x, 1),
      cs: np.cumsum(y, 2),
      ey: np.add(np.eye(3, 4, -1), np.linspace(0, 1, 4)),
    });
    const idx = np.array([3, -1], { dtype: 's32' });
    const got = jit(f)(a, b, idx), want = f(a, b, idx);
    for (const [k, t] of Object.entries(want)) {
      const g = Array.from(await (got as Record<string, Tensor>)[k].data() as ArrayLike<number>, Number), e = values(t);
      expect((got as Record<string, Tensor>)[k].shape, k).toEqual(t.shape);
      g.forEach((v, i) => expect(v, `${k}[${i}]`).toBeCloseTo(e[i], 4));
    }
  });
});
