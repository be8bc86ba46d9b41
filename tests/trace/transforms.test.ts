// grad, valueAndGrad, vjp, jvp and vmap through the traced API: against derivatives by
// hand, against each other, eagerly and inside jit, nested, and closing over traced values.
import { afterAll, describe, expect, it } from 'vitest';
import { clearExecutables, grad, jit, jvp, nn, numpy as np, optim, setBackend, valueAndGrad, vjp, vmap, type Tensor } from '../../compiler/index.js';
import { webgpuUnavailable } from '../../compiler/webgpu_backend.js';

const gpuWhy = await webgpuUnavailable();

afterAll(async () => {
  setBackend('wasm');
  await clearExecutables();
});

const values = (t: unknown) => Array.from((t as Tensor).dataSync() as Float32Array);
const close = (a: number[], b: number[], tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]))));
};

describe('grad', () => {
  it('differentiates elementwise math, reductions and products', () => {
    // f(x) = sum(sin(x) * x^2) → f'(x) = cos(x) x^2 + 2 x sin(x)
    const xs = [0.3, -1.2, 2.5];
    const g = grad((x: Tensor) => np.sum(np.multiply(np.sin(x), np.square(x))))(np.array(xs));
    close(values(g), xs.map((x) => Math.cos(x) * x * x + 2 * x * Math.sin(x)));
    // f(w) = sum(x·w) → df/dw[i][j] = sum over rows of x[:, i]
    const x = np.array([[1, 2], [3, 4], [5, 6]]);
    close(values(grad((w: Tensor) => np.sum(np.matmul(x, w)))(np.ones([2, 3]))), [9, 9, 9, 12, 12, 12]);
  });

  it('gives gradients shaped like a pytree of parameters, for several argnums, with aux', () => {
    const params = { w: np.array([[1, 2], [3, 4]]), b: np.array([0.5, -0.5]) };
    const x = np.array([[1, 1]]);
    const loss = (p: typeof params, x: Tensor) => np.sum(np.square(np.add(np.matmul(x, p.w), p.b)));
    const [value, g] = valueAndGrad(loss)(params, x);
    // y = x·w + b = [4.5, 5.5]; loss = 4.5² + 5.5²; dL/db = 2y; dL/dw = x^T 2y
    close(values(value), [4.5 ** 2 + 5.5 ** 2]);
    expect(Object.keys(g).sort()).toEqual(['b', 'w']);
    close(values(g.b), [9, 11]);
    close(values(g.w), [9, 11, 9, 11]);
    const [gp, gx] = grad(loss, { argnums: [0, 1] })(params, x) as [typeof params, Tensor];
    close(values(gp.b), [9, 11]);
    close(values(gx), [9 * 1 + 11 * 2, 9 * 3 + 11 * 4]);
    const [[v2, aux], g2] = valueAndGrad((p: typeof params) => [loss(p, x), np.max(p.w)], { hasAux: true })(params) as [[Tensor, Tensor], typeof params];
    close(values(v2), values(value));
    close(values(aux), [4]);
    close(values(g2.w), values(g.w));
  });

  it('nests: second derivatives, grad inside jit, grad closing over a traced value', async () => {
    const d2 = grad((x: Tensor) => np.sum(grad((y: Tensor) => np.sum(np.power(y, 3)))(x)));
    close(values(d2(np.array([2, -1]))), [12, -6]);
    setBackend('wasm');
    const inJit = jit((w: Tensor, x: Tensor) => grad((v: Tensor) => np.sum(np.multiply(np.tanh(v), x)))(w));
    const w = np.array([0.1, 0.7]), x = np.array([2, 3]);
    close(Array.from((await inJit(w, x).data()) as Float32Array), [0.1, 0.7].map((v, i) => (1 - Math.tanh(v) ** 2) * [2, 3][i]), 1e-5);
  });

  it.skipIf(gpuWhy !== undefined)('runs a jitted gradient on webgpu (WGSL through Deno)', async () => {
    const f = jit((w: Tensor, x: Tensor) => grad((v: Tensor) => np.sum(np.square(np.matmul(x, v))))(w), { backend: 'webgpu' });
    // d/dw sum((x·w)²) = 2 xᵀ(x·w)
    expect(Array.from((await f(np.array([1, 2]), np.array([[1, 0], [0, 1], [1, 1]])).data()) as Float32Array)).toEqual([8, 10]);
  });

  it('refuses what it cannot differentiate, saying why', () => {
    expect(() => grad((x: Tensor) => np.multiply(x, 2))(np.ones([2]))).toThrow(/scalar floating-point/);
    expect(() => grad((x: Tensor) => np.sum(np.astype(x, 'f32')))(np.arange(3))).toThrow(/floating-point inputs; leaf 0 is s32/);
  });
});

describe('vjp and jvp', () => {
  it('agree with each other: <v, J u> = <J^T v, u>', () => {
    const f = (a: Tensor, b: Tensor) => ({ y: np.tanh(np.matmul(a, b)), s: np.sum(np.exp(a)) });
    const a = np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6]]), b = np.array([[1, -1], [0.5, 2], [-0.3, 0.1]]);
    const ua = np.array([[1, 0, -1], [0.5, 0.5, 0]]), ub = np.array([[0.2, 0], [0, 0.3], [1, 1]]);
    const vy = np.array([[1, 2], [-1, 0.5]]), vs = np.array(0.7);
    const [, tangents] = jvp(f, [a, b], [ua, ub]) as [unknown, { y: Tensor; s: Tensor }];
    const [, back] = vjp(f, a, b);
    const [ga, gb] = back({ y: vy, s: vs }) as Tensor[];
    const lhs = np.add(np.sum(np.multiply(vy, tangents.y)), np.multiply(vs, tangents.s));
    const rhs = np.add(np.sum(np.multiply(ga, ua)), np.sum(np.multiply(gb, ub)));
    close(values(lhs), values(rhs), 1e-5);
  });
});

describe('vmap', () => {
  it('maps over a batch axis, with unbatched arguments and other axes', () => {
    const w = np.array([[1, 2], [3, 4], [5, 6]]);
    const xs = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 1], [2, 0, -1]]);
    const perExample = (x: Tensor, w: Tensor) => np.tanh(np.matmul(x, w));
    const batched = vmap(perExample, [0, null])(xs, w) as Tensor;
    expect(batched.shape).toEqual([4, 2]);
    close(values(batched), values(np.tanh(np.matmul(xs, w))));
    const byColumn = vmap((c: Tensor) => np.sum(c), 1)(xs) as Tensor;
    close(values(byColumn), [4, 2, 0]);
  });

  it('gives per-example gradients (vmap of grad)', () => {
    const w = np.array([0.5, -1]);
    const xs = np.array([[1, 2], [3, 4], [0, 1]]);
    const loss = (w: Tensor, x: Tensor) => np.square(np.sum(np.multiply(w, x)));
    const per = vmap(grad(loss), [null, 0])(w, xs) as Tensor;
    // d/dw (w·x)² = 2 (w·x) x
    const expected = [[1, 2], [3, 4], [0, 1]].flatMap((x) => { const d = 0.5 * x[0] - x[1]; return x.map((v) => 2 * d * v); });
    close(values(per), expected);
  });
});

describe('optim', () => {
  it('adam takes the steps optax takes', () => {
    const opt = optim.adam({ lr: 0.1 });
    let p: Tensor = np.array([1, -2]);
    let s = opt.init(p);
    const g = np.array([0.5, 0.25]);
    for (let t = 0; t < 2; t++) {
      const [u, next] = opt.update(g, s);
      p = optim.applyUpdates(p, u) as Tensor;
      s = next;
    }
    // With a constant gradient, m̂ = g and v̂ = g² every step: each step moves lr · g / (|g| + eps).
    close(values(p), [1 - 0.2, -2 - 0.2], 1e-5);
    close(values(s.count as Tensor), [2]);
  });

  it('trains a tiny classifier inside one jitted step', async () => {
    setBackend('wasm');
    const x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = np.array([0, 1, 1, 0], { dtype: 's32' });
    const opt = optim.adam({ lr: 0.05 });
    const init = { w1: np.array([[0.5, -0.4, 0.3, 0.1], [-0.2, 0.6, 0.2, -0.5]]), b1: np.zeros([4]), w2: np.array([[0.3, -0.3], [0.2, 0.4], [-0.5, 0.1], [0.4, 0.2]]), b2: np.zeros([2]) };
    type P = typeof init;
    const loss = (p: P) => nn.softmaxCrossEntropy(nn.dense(np.tanh(nn.dense(x, p.w1, p.b1)), p.w2, p.b2), y);
    const step = jit((p: P, s: ReturnType<typeof opt.init>) => {
      const [l, g] = valueAndGrad(loss)(p);
      const [u, next] = opt.update(g, s);
      return [optim.applyUpdates(p, u), next, l] as const;
    }, { donateArgnums: [0, 1] });
    let p = init, s = opt.init(init), first = 0, last = 0;
    for (let i = 0; i < 300; i++) {
      const [np_, ns, l] = step(p, s);
      [p, s] = [np_, ns];
      if (i === 0) first = Number(await l.item());
      if (i === 299) last = Number(await l.item());
    }
    expect(first).toBeGreaterThan(0.6);
    expect(last).toBeLessThan(0.05);
  });
});
