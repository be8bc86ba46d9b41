// kiln: the whole step (loss, valueAndGrad, the optimizer update) is one jitted function,
// written with kiln's numpy/nn/optim as examples/mnist_cnn.ts writes it, compiled for wasm
// (one thread). Parameters and optimizer state are donated (donateArgnums): the step writes
// their new values over the old in the executable's memory and nothing is copied between
// steps but the batch in and the loss out.
import { jit, nn, numpy as np, optim, setBackend, valueAndGrad, type Tensor, type Tree } from '../../compiler/index.js';
import { readBatches, readF32, type Fixtures, type ModelName } from './fixtures.js';
import type { TrainPeer } from './peer.js';

function logits(model: ModelName, p: Tensor[], x: Tensor): Tensor {
  if (model === 'softmax') return nn.dense(x, p[0], p[1]);
  const [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b] = p;
  const pool = (t: Tensor) => nn.maxPool(t, { window: [2, 2], strides: [2, 2] });
  const h1 = pool(nn.relu(np.add(nn.conv2d(x, c1w, { padding: 'SAME' }), c1b)));
  const h2 = pool(nn.relu(np.add(nn.conv2d(h1, c2w, { padding: 'SAME' }), c2b)));
  const h3 = nn.relu(nn.dense(np.reshape(h2, [-1, 3136]), f1w, f1b));
  return nn.dense(h3, f2w, f2b);
}

const peer: TrainPeer = {
  name: 'kiln',
  init: async () => setBackend('wasm'),
  note: (model) => `kiln wasm (1 thread), jit(valueAndGrad + optim.${model === 'cnn' ? 'adam' : 'sgd'}), donated params and state`,

  async setup(fx: Fixtures, model: ModelName) {
    const spec = fx.models[model];
    const opt = spec.optimizer.kind === 'sgd'
      ? optim.sgd(spec.optimizer.lr)
      : optim.adam({ lr: spec.optimizer.lr, b1: spec.optimizer.beta1, b2: spec.optimizer.beta2, eps: spec.optimizer.eps });
    let params = spec.params.map((name) => np.array(readF32(fx, name), { shape: fx.tensors[name]!.shape }));
    let state = opt.init(params) as Tree;
    const batches = readBatches(fx, model).map((b) => ({
      x: np.array(b.images, { shape: model === 'cnn' ? [spec.batch, 28, 28, 1] : [spec.batch, 784] }),
      y: np.array(b.labels),
    }));
    const loss = (p: Tensor[], x: Tensor, y: Tensor) => nn.softmaxCrossEntropy(logits(model, p, x), y);
    const step = jit((p: Tensor[], s: Tree, x: Tensor, y: Tensor) => {
      const [value, grads] = valueAndGrad(loss)(p, x, y);
      const [updates, next] = (opt.update as unknown as (g: Tree, s: Tree) => [Tree, Tree])(grads, s);
      return [optim.applyUpdates(p, updates), next, value] as const;
    }, { donateArgnums: [0, 1] });
    let i = 0;
    return {
      async step() {
        const { x, y } = batches[i++ % batches.length]!;
        const [p, s, value] = step(params, state, x, y);
        [params, state] = [p as Tensor[], s];
        return Number(await value.item());
      },
      dispose() {},
    };
  },
};
export default peer;
