// TensorFlow's first MNIST tutorial, compiled by kiln: softmax regression (784 → 10)
// trained by gradient descent (lr 0.5, batches of 100), then evaluated on held-out digits.
//
//   npx tsx examples/mnist_softmax.ts [--steps 1000] [--fashion]
import { jit, nn, numpy as np, optim, valueAndGrad, type Tensor } from 'kiln';
import { batcher, loadDigits, progress } from './mnist_data.js';

const steps = Number(process.argv[process.argv.indexOf('--steps') + 1]) || 1000;
const batch = 100;
const data = loadDigits();
console.log(`${data.name}; ${steps} steps of ${batch}`);

type Params = { w: Tensor; b: Tensor };
const logits = (p: Params, x: Tensor) => np.add(np.matmul(x, p.w), p.b);
const loss = (p: Params, x: Tensor, y: Tensor) => nn.softmaxCrossEntropy(logits(p, x), y);

const opt = optim.sgd(0.5);
// One compiled step: forward, backward and the update; the parameters are donated, so the
// new ones are written over the old in the step's memory.
const step = jit((p: Params, x: Tensor, y: Tensor) => {
  const [value, grads] = valueAndGrad(loss)(p, x, y);
  const [updates] = opt.update(grads, opt.init(p));
  return [optim.applyUpdates(p, updates), value] as const;
}, { donateArgnums: [0] });
const accuracy = jit((p: Params, x: Tensor, y: Tensor) => np.mean(np.equal(np.argmax(logits(p, x), 1), y)));

let params: Params = { w: np.zeros([784, 10]), b: np.zeros([10]) };
const next = batcher(data.train, batch);
const show = progress(steps);
for (let k = 1; k <= steps; k++) {
  const { images, labels } = next(k - 1);
  const [p, value] = step(params, np.array(images, { shape: [batch, 784] }), np.array(labels));
  params = p;
  if (k % 50 === 0 || k === steps) show(k, Number(await value.item()));
}
const test = data.test;
const acc = await accuracy(params, np.array(test.images, { shape: [test.count, 784] }), np.array(test.labels)).item();
console.log(`test accuracy: ${Number(acc).toFixed(4)}`);
