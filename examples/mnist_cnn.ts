// TensorFlow's "Deep MNIST" tutorial, compiled by kiln: a LeNet-5 style network (conv 5×5×32,
// max-pool, conv 5×5×64, max-pool, dense 1024, dense 10) trained with Adam, evaluated on
// held-out digits, then written as a `kiln compile` artifact that runs without kiln.
//
//   npx tsx examples/mnist_cnn.ts [--steps 600] [--batch 64] [--lr 0.001] [--fashion] [--out examples/out/mnist_cnn]
//
// Fashion-MNIST trains for 3,000 steps by default (about three passes over its 60,000
// images: 89.5% on its 10,000 test images, 13 minutes here).
import { jit, nn, numpy as np, optim, random, valueAndGrad, type Tensor } from 'kiln';
import { writeArtifact } from 'kiln/node';
import { batcher, loadDigits, progress } from './mnist_data.js';

const flag = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const fashion = process.argv.includes('--fashion');
const steps = Number(flag('--steps', fashion ? '3000' : '600'));
const batch = Number(flag('--batch', '64'));
const lr = Number(flag('--lr', '0.001'));
const out = flag('--out', 'examples/out/mnist_cnn');
const data = loadDigits(fashion);
console.log(`${data.name}; ${steps} steps of ${batch}, Adam lr ${lr}`);

type Params = Record<'conv1' | 'b1' | 'conv2' | 'b2' | 'fc1' | 'b3' | 'fc2' | 'b4', Tensor>;

/** The tutorial's initialisation: weights from a normal with std 0.1 (truncated there), biases 0.1. */
function init(seed: number): Params {
  const root = random.key(seed);
  const [k1, k2, k3, k4] = [1, 2, 3, 4].map((i) => random.foldIn(root, i));
  const w = (k: Tensor, shape: number[]) => np.multiply(np.clip(random.normal(k, shape), -2, 2), 0.1);
  const b = (n: number) => np.full([n], 0.1);
  return {
    conv1: w(k1, [5, 5, 1, 32]), b1: b(32),
    conv2: w(k2, [5, 5, 32, 64]), b2: b(64),
    fc1: w(k3, [7 * 7 * 64, 1024]), b3: b(1024),
    fc2: w(k4, [1024, 10]), b4: b(10),
  };
}

function logits(p: Params, images: Tensor): Tensor {
  const x = np.reshape(images, [-1, 28, 28, 1]);
  const pool = (t: Tensor) => nn.maxPool(t, { window: [2, 2], strides: [2, 2] });
  const h1 = pool(nn.relu(np.add(nn.conv2d(x, p.conv1, { padding: 'SAME' }), p.b1)));
  const h2 = pool(nn.relu(np.add(nn.conv2d(h1, p.conv2, { padding: 'SAME' }), p.b2)));
  const h3 = nn.relu(nn.dense(np.reshape(h2, [-1, 7 * 7 * 64]), p.fc1, p.b3));
  return nn.dense(h3, p.fc2, p.b4);
}

const loss = (p: Params, x: Tensor, y: Tensor) => nn.softmaxCrossEntropy(logits(p, x), y);
const opt = optim.adam({ lr });
type State = ReturnType<typeof opt.init>;

// One compiled step: forward, backward, Adam. Parameters and optimiser state are donated:
// the step writes their new values over the old ones in its own memory.
const step = jit((p: Params, s: State, x: Tensor, y: Tensor) => {
  const [value, grads] = valueAndGrad(loss)(p, x, y);
  const [updates, state] = opt.update(grads, s);
  return [optim.applyUpdates(p, updates), state, value] as const;
}, { donateArgnums: [0, 1] });
const correct = jit((p: Params, x: Tensor, y: Tensor) => np.sum(np.equal(np.argmax(logits(p, x), 1), y)));

let params = init(0);
let state = opt.init(params);
const next = batcher(data.train, batch);
const show = progress(steps);
for (let k = 1; k <= steps; k++) {
  const { images, labels } = next(k - 1);
  const [p, s, value] = step(params, state, np.array(images, { shape: [batch, 784] }), np.array(labels));
  [params, state] = [p, s];
  if (k % 10 === 0 || k === steps) show(k, Number(await value.item()));
}

// Evaluated in slices of 500, so the evaluation module stays small.
let right = 0;
const test = data.test;
for (let at = 0; at < test.count; at += 500) {
  const n = Math.min(500, test.count - at);
  const x = np.array(test.images.subarray(at * 784, (at + n) * 784), { shape: [n, 784] });
  right += Number(await correct(params, x, np.array(test.labels.subarray(at, at + n))).item());
}

const files = await writeArtifact((x: Tensor) => nn.softmax(logits(params, x)), [np.zeros([1, 784])], out, { name: 'mnist_cnn', inputNames: ['image'], outputNames: ['probs'] });
console.log(`wrote ${out}/ (${files.join(', ')}): its model.js runs the trained network without kiln`);
console.log(`test accuracy: ${(right / test.count).toFixed(4)}`);
