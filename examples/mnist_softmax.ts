// TensorFlow's first MNIST tutorial, compiled by kiln: softmax regression (784 → 10)
// trained by gradient descent (lr 0.5, batches of 100), then evaluated on held-out digits.
//
//   npx tsx examples/mnist_softmax.ts [--steps 1000] [--lr 0.5] [--fashion]
//
// Fashion-MNIST is harder and its 60,000 images take longer to go through: there the
// defaults are 5,000 steps at lr 0.2 (at lr 0.5 the loss oscillates).
import { jit, nn, numpy as np, optim, valueAndGrad, type Tensor } from 'kiln';
import { batcher, loadDigits, progress } from './mnist_data.js';

const flag = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const fashion = process.argv.includes('--fashion');
const steps = flag('--steps', fashion ? 5000 : 1000);
const lr = flag('--lr', fashion ? 0.2 : 0.5);
const batch = 100;
const data = loadDigits(fashion);
console.log(`${data.name}; ${steps} steps of ${batch}, gradient descent lr ${lr}`);

type Params = { w: Tensor; b: Tensor };
const logits = (p: Params, x: Tensor) => np.add(np.matmul(x, p.w), p.b);
const loss = (p: Params, x: Tensor, y: Tensor) => nn.softmaxCrossEntropy(logits(p, x), y);

const opt = optim.sgd(lr);
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
