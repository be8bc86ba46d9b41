// Runs the network examples/mnist_cnn.ts trained and wrote, without kiln: only the folder
// it wrote (its model.js, runtime and weights) and Node. Classifies the 2,000 held-out digits.
//
//   npx tsx examples/mnist_predict.ts [examples/out/mnist_cnn] [--fashion]
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadDigits } from './mnist_data.js';

const dir = pathToFileURL(resolve(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'examples/out/mnist_cnn') + '/');
const { load, wasmFile } = await import(new URL('model.js', dir).href);
const model = await load(await readFile(new URL(wasmFile(), dir)), await readFile(new URL('weights.bin', dir)));
const { test } = loadDigits();
let right = 0;
for (let i = 0; i < test.count; i++) {
  const { probs } = await model.run({ image: test.images.subarray(i * 784, (i + 1) * 784) });
  const guess = probs.indexOf(Math.max(...probs));
  if (guess === test.labels[i]) right++;
}
model.dispose();
console.log(`${test.count} held-out digits, classified by ${new URL('model.wasm', dir).pathname}: accuracy ${(right / test.count).toFixed(4)}`);
