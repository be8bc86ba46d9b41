// jax-js (@jax-js/jax) on its wasm backend: the whole step (loss, valueAndGrad, the
// optimizer update) is one jit-compiled function, called with the parameters and the
// optimizer state and returning their new values, as one writes a train step in JAX.
//
// Convolutions are im2col + dot: 25 shifted slices of the padded input concatenated
// along channels, then one [N·H·W, 25·C] × [25·C, O] dot. jax-js's lax.convGeneralDilated
// is far slower on wasm (see README.md); KILN_BENCH_JAXJS_CONV=lax switches to it to check.
// Max pooling is a reshape to 2×2 windows and a max over them.
//
// Threads: jax-js's wasm backend starts workers only where the `Worker` global exists;
// Node 20 has none, so it runs on one thread (init checks).
//
// jax-js moves arrays into the operations that use them: `.ref` keeps a second use alive.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readBatches, readF32, type Fixtures, type ModelName } from './fixtures.js';
import type { TrainPeer } from './peer.js';

type Jax = typeof import('@jax-js/jax');
type Arr = import('@jax-js/jax').Array;
let jax: Jax;
/** Its package.json is not in its exports map; read it next to dist/. */
const VERSION = JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('@jax-js/jax')), '..', 'package.json'), 'utf8')).version as string;
const CONV = process.env.KILN_BENCH_JAXJS_CONV === 'lax' ? 'lax' : 'im2col';

/** conv2d 'same', stride 1, NHWC input, HWIO kernel (odd k). */
function conv(x: Arr, w: Arr): Arr {
  const { numpy: np, lax } = jax;
  const [n, h, wd, c] = x.shape as [number, number, number, number];
  const [k, , , o] = w.shape as [number, number, number, number];
  const p = (k - 1) / 2;
  if (CONV === 'lax') {
    const y = lax.convGeneralDilated(x.transpose([0, 3, 1, 2]), w.transpose([3, 2, 0, 1]), [1, 1], 'SAME');
    return y.transpose([0, 2, 3, 1]);
  }
  const xp = np.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
  const cols: Arr[] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) cols.push(xp.ref.slice([], [i, i + h], [j, j + wd], []));
  xp.dispose();
  const patches = np.concatenate(cols, -1).reshape([n * h * wd, k * k * c]);
  return np.dot(patches, w.reshape([k * k * c, o])).reshape([n, h, wd, o]);
}

function maxPool2(x: Arr): Arr {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  return x.reshape([n, h / 2, 2, w / 2, 2, c]).max([2, 4]);
}

function logits(model: ModelName, p: Arr[], x: Arr): Arr {
  const { numpy: np, nn } = jax;
  if (model === 'softmax') return np.dot(x, p[0]!).add(p[1]!);
  const [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b] = p as [Arr, Arr, Arr, Arr, Arr, Arr, Arr, Arr];
  let h = maxPool2(nn.relu(conv(x, c1w).add(c1b)));
  h = maxPool2(nn.relu(conv(h, c2w).add(c2b)));
  const f = nn.relu(np.dot(h.reshape([h.shape[0]!, 3136]), f1w).add(f1b));
  return np.dot(f, f2w).add(f2b);
}

/** Mean softmax cross-entropy with integer labels. */
function loss(model: ModelName, p: Arr[], x: Arr, y: Arr): Arr {
  const { numpy: np, nn } = jax;
  const logp = nn.logSoftmax(logits(model, p, x), -1);
  return np.sum(nn.oneHot(y, 10).mul(logp), -1).mean().mul(-1);
}

const peer: TrainPeer = {
  name: 'jax-js',
  async init() {
    jax = await import('@jax-js/jax');
    if (!(await jax.init('wasm')).includes('wasm')) throw new Error('jax-js: no wasm backend');
    jax.defaultDevice('wasm');
    if (typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined') throw new Error('jax-js: Worker exists, its wasm backend would use threads');
  },
  note: (model) => `jax-js ${VERSION} wasm (1 thread), jit(valueAndGrad + ${model === 'cnn' ? `Adam by hand), conv as ${CONV === 'lax' ? 'lax.convGeneralDilated' : 'im2col + dot'}` : 'SGD)'}`,

  async setup(fx: Fixtures, model: ModelName) {
    const { numpy: np } = jax;
    const spec = fx.models[model];
    const opt = spec.optimizer;
    let params = spec.params.map((name) => np.array(readF32(fx, name), { shape: fx.tensors[name]!.shape }));
    const batches = readBatches(fx, model).map((b) => ({
      x: np.array(b.images, { shape: model === 'cnn' ? [spec.batch, 28, 28, 1] : [spec.batch, 784] }),
      y: np.array(b.labels, { shape: [spec.batch], dtype: np.int32 }),
    }));
    const grad = jax.valueAndGrad((p: Arr[], x: Arr, y: Arr) => loss(model, p, x, y));

    if (opt.kind === 'sgd') {
      const step = jax.jit((p: Arr[], x: Arr, y: Arr): [Arr, Arr[]] => {
        const [l, g] = grad(p.map((a) => a.ref), x, y);
        return [l, p.map((a, i) => a.sub(g[i]!.mul(opt.lr)))];
      });
      let i = 0;
      return {
        async step() {
          const { x, y } = batches[i++ % batches.length]!;
          const [l, next] = step(params, x.ref, y.ref);
          params = next;
          return (await l.data())[0]!;
        },
        dispose() {
          step.dispose();
          for (const a of [...params, ...batches.flatMap((b) => [b.x, b.y])]) a.dispose();
        },
      };
    }

    const { lr, beta1: b1, beta2: b2, eps } = opt;
    // Adam as PyTorch and tf.train.adam write it: m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t),
    // p −= lr · m̂ / (√v̂ + ε); the bias corrections come in as scalars.
    const step = jax.jit((p: Arr[], m: Arr[], v: Arr[], c1: Arr, c2: Arr, x: Arr, y: Arr): [Arr, Arr[], Arr[], Arr[]] => {
      const [l, g] = grad(p.map((a) => a.ref), x, y);
      const m2 = m.map((a, i) => a.mul(b1).add(g[i]!.ref.mul(1 - b1)));
      const v2 = v.map((a, i) => a.mul(b2).add(g[i]!.ref.mul(g[i]!).mul(1 - b2)));
      const p2 = p.map((a, i) => a.sub(m2[i]!.ref.div(c1.ref).div(np.sqrt(v2[i]!.ref.div(c2.ref)).add(eps)).mul(lr)));
      c1.dispose();
      c2.dispose();
      return [l, p2, m2, v2];
    });
    let m = params.map((a) => np.zerosLike(a.ref));
    let v = params.map((a) => np.zerosLike(a.ref));
    let t = 0;
    return {
      async step() {
        const { x, y } = batches[t % batches.length]!;
        t++;
        const [l, p2, m2, v2] = step(params, m, v, np.array([1 - b1 ** t]).reshape([]), np.array([1 - b2 ** t]).reshape([]), x.ref, y.ref);
        params = p2;
        m = m2;
        v = v2;
        return (await l.data())[0]!;
      },
      dispose() {
        step.dispose();
        for (const a of [...params, ...m, ...v, ...batches.flatMap((b) => [b.x, b.y])]) a.dispose();
      },
    };
  },
};
export default peer;
