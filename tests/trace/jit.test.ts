// The traced array API's core: eager reads, JAX's promotion, pytrees, jit's cache and
// asynchronous results, closures, nesting, and the errors a user meets first.
import { afterAll, describe, expect, it } from 'vitest';
import { clearExecutables, jit, numpy as np, setBackend, Tensor } from '../../compiler/index.js';

afterAll(async () => {
  setBackend('wasm');
  await clearExecutables();
});

const values = (t: Tensor) => Array.from(t.dataSync() as Float32Array);
const list = async (t: Tensor) => Array.from((await t.data()) as Float32Array);

describe('eager arrays', () => {
  it('computes on read, on the interpreter (dataSync) and on a backend (data)', async () => {
    const x = np.array([[1, 2, 3], [4, 5, 6]]);
    const y = np.add(np.matmul(x, np.array([[1, 0], [0, 1], [1, 1]])), 1);
    expect(y.shape).toEqual([2, 2]);
    expect(values(y)).toEqual([5, 6, 11, 12]);
    setBackend('interpreter');
    expect(await list(np.sum(x, 0))).toEqual([5, 7, 9]);
  });

  it('promotes as JAX does, a JS number being weak', () => {
    const i = np.arange(4);
    expect(i.dtype).toBe('s32');
    expect(np.add(i, 1).dtype).toBe('s32');
    expect(np.add(i, 0.5).dtype).toBe('f32');
    expect(np.multiply(np.array([1, 2], { dtype: 'f16' }), 2).dtype).toBe('f16');
    expect(np.add(np.array([1], { dtype: 's8' }), np.array([1], { dtype: 'u8' })).dtype).toBe('s16');
    expect(np.add(np.array([1], { dtype: 'u32' }), np.array([1], { dtype: 's32' })).dtype).toBe('s64');
    expect(np.add(np.array([true]), 1).dtype).toBe('s32');
    expect(np.divide(i, 2).dtype).toBe('f32');
  });

  it('broadcasts as NumPy does and names the shapes that do not', () => {
    const col = np.array([[1], [2]]);
    expect(values(np.multiply(col, np.array([1, 10, 100])))).toEqual([1, 10, 100, 2, 20, 200]);
    expect(() => np.add(np.zeros([2, 3]), np.zeros([4]))).toThrow(/\[2,3\] and \[4\] do not broadcast/);
  });

  it('reduces with keepdims, over negative axes, and logsumexp stably', () => {
    const x = np.array([[1, 2], [3, 4]]);
    expect(np.max(x, -1, { keepdims: true }).shape).toEqual([2, 1]);
    expect(values(np.mean(x, 0))).toEqual([2, 3]);
    const big = np.logsumexp(np.array([1000, 1000]));
    expect(values(big)[0]).toBeCloseTo(1000 + Math.log(2), 3);
  });
});

describe('jit', () => {
  it('traces once per signature and returns pytrees of results', async () => {
    setBackend('wasm');
    let traces = 0;
    const f = jit((p: { w: Tensor; b: Tensor }, x: Tensor) => {
      traces++;
      return { y: np.add(np.matmul(x, p.w), p.b), n: np.sum(x) };
    });
    const p = { w: np.array([[1, 2], [3, 4]]), b: np.array([10, 20]) };
    const r1 = f(p, np.array([[1, 1]]));
    const r2 = f(p, np.array([[2, 0]]));
    expect(await list(r1.y)).toEqual([14, 26]);
    expect(await list(r2.y)).toEqual([12, 24]);
    expect(await r2.n.item()).toBe(2);
    expect(traces).toBe(1);
    f(p, np.array([[1, 1], [2, 2]]));
    expect(traces).toBe(2);
  });

  it('prints the traced HLO', () => {
    const text = jit(function affine(x: Tensor) { return np.tanh(np.multiply(x, 2)); }).lower(np.zeros([3])).asText();
    expect(text).toContain('HloModule affine');
    expect(text).toMatch(/tanh\(f32\[3\]/);
    expect(text).toMatch(/constant\(2\)/);
  });

  it('feeds results still being computed into the next call', async () => {
    const inc = jit((x: Tensor) => np.add(x, 1));
    let x = np.zeros([4]);
    for (let i = 0; i < 5; i++) x = inc(x);
    expect(await list(x)).toEqual([5, 5, 5, 5]);
  });

  it('closes over arrays (as parameters) and scalars (as constants), and inlines nested jits', async () => {
    const scale = np.array([1, 2, 3]);
    const inner = jit((x: Tensor) => np.multiply(x, scale));
    const outer = jit((x: Tensor) => np.add(inner(x), 0.5));
    const text = outer.lower(np.ones([3])).asText();
    expect(text).not.toContain('call(');
    expect(text).toMatch(/in0 = f32\[3\]/);
    expect(await list(outer(np.ones([3])))).toEqual([1.5, 2.5, 3.5]);
  });

  it('keys static arguments by value', async () => {
    let traces = 0;
    const pow = jit((x: Tensor, n: number) => { traces++; let y = x; for (let i = 1; i < n; i++) y = np.multiply(y, x); return y; }, { staticArgnums: [1] });
    expect(await list(pow(np.array([2]), 3))).toEqual([8]);
    expect(await list(pow(np.array([3]), 3))).toEqual([27]);
    expect(await list(pow(np.array([2]), 4))).toEqual([16]);
    expect(traces).toBe(2);
  });

  it('refuses to read a traced value', () => {
    const f = jit((x: Tensor) => { x.dataSync(); return x; });
    expect(() => f(np.zeros([1]))).toThrow(/traced value has no data/);
  });

  it('reports a shape error where the op is called', () => {
    const f = jit((x: Tensor) => np.matmul(x, x));
    expect(() => f(np.zeros([2, 3]))).toThrow(/contracting dims 3 and 2 differ/);
  });
});

describe('jit with donated arguments (wasm)', () => {
  it('updates state in place over steps: no new memory, the old state consumed, results equal to copying', async () => {
    setBackend('wasm');
    const body = (p: { w: Tensor; v: Tensor }, g: Tensor) => {
      const v = np.add(np.multiply(p.v, 0.9), g);
      return [{ w: np.subtract(p.w, np.multiply(v, 0.1)), v }, np.sum(p.w)] as const;
    };
    const donating = jit(body, { donateArgnums: [0] });
    const copying = jit(body);
    const g = np.array(Array.from({ length: 64 }, (_, i) => Math.sin(i)));
    let a = { w: np.ones([64]), v: np.zeros([64]) };
    let b = { w: np.ones([64]), v: np.zeros([64]) };
    const text = donating.lower(a, g).asText();
    expect(text).toContain('HloModule body');
    let firstStep: { w: Tensor; v: Tensor } | undefined;
    let bytes = 0;
    for (let i = 0; i < 6; i++) {
      const [na, sa] = donating(a, g);
      const [nb, sb] = copying(b, g);
      expect(await sa.item()).toBe(await sb.item());
      if (i === 0) firstStep = na;
      [a, b] = [na, nb];
      const buffer = ((a.w.node as { array?: Float32Array }).array)!.buffer;
      if (i === 0) bytes = buffer.byteLength;
      expect(buffer.byteLength).toBe(bytes);
    }
    expect(await list(a.w)).toEqual(await list(b.w));
    expect(await list(a.v)).toEqual(await list(b.v));
    await expect(firstStep!.w.data()).rejects.toThrow(/donated to a jitted call/);
  });
});
