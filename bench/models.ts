// The benchmark models, built deterministically: the same seeds give the same
// weights, inputs and .onnx bytes on every machine, so numbers and outputs can be
// compared across runs and runners.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpyFile } from '../compiler/io/npy.js';
import { rng } from '../compiler/random.js';
import { GraphBuilder } from './onnx_builder.js';
import type { BenchModel, Family, TensorSpec } from './runner.js';

export const OUT_DIR = join(import.meta.dirname, 'out');
export const MODEL_DIR = join(OUT_DIR, 'models');

/** LayerNormalization is in the default domain from opset 17. */
const OPSET = 17;

/** Uniform in [-scale, scale), from a seeded mulberry32 stream. */
function uniform(n: number, next: () => number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (next() * 2 - 1) * scale;
  return a;
}

const prod = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

interface Def {
  name: string;
  family: Family;
  params: Record<string, number>;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  flops?: number;
  bytes?: number;
  /** Adds the nodes and weights; `next` is the family's seeded stream (see build()). */
  build(g: GraphBuilder, next: () => number): void;
}

/** Weights scaled by 1/sqrt(fan-in) keep activations near unit size through the layers. */
function dense(g: GraphBuilder, next: () => number, x: string, name: string, k: number, n: number, relu: boolean): string {
  const w = g.weight(`${name}.w`, [k, n], uniform(k * n, next, 1 / Math.sqrt(k)));
  const b = g.weight(`${name}.b`, [n], uniform(n, next, 0.1));
  const y = g.op('Add', [g.op('MatMul', [x, w]), b]);
  return relu ? g.op('Relu', [y]) : y;
}

function conv(g: GraphBuilder, next: () => number, x: string, name: string, cin: number, cout: number): string {
  const w = g.weight(`${name}.w`, [cout, cin, 5, 5], uniform(cout * cin * 25, next, 1 / Math.sqrt(cin * 25)));
  const b = g.weight(`${name}.b`, [cout], uniform(cout, next, 0.1));
  return g.op('Conv', [x, w, b], { kernel_shape: [5, 5], pads: [2, 2, 2, 2], strides: [1, 1] });
}

function matmul(n: number): Def {
  return {
    name: `matmul-${n}`,
    family: 'matmul',
    params: { n },
    inputs: [{ name: 'A', dims: [n, n] }, { name: 'B', dims: [n, n] }],
    outputs: [{ name: 'Y', dims: [n, n] }],
    flops: 2 * n ** 3,
    build: (g) => void g.op('MatMul', ['A', 'B'], {}, 'Y'),
  };
}

function mlp(batch: number): Def {
  return {
    name: `mlp-b${batch}`,
    family: 'mlp',
    params: { batch },
    inputs: [{ name: 'x', dims: [batch, 784] }],
    outputs: [{ name: 'y', dims: [batch, 10] }],
    flops: 2 * batch * (784 * 1024 + 1024 * 10),
    build(g, next) {
      const h = dense(g, next, 'x', 'fc1', 784, 1024, true);
      g.op('Identity', [dense(g, next, h, 'fc2', 1024, 10, false)], {}, 'y');
    },
  };
}

/** LeNet-5-style MNIST CNN (the TensorFlow tutorial's shape), NCHW as ONNX has it. */
function lenet(batch: number): Def {
  return {
    name: `lenet-b${batch}`,
    family: 'lenet',
    params: { batch },
    inputs: [{ name: 'x', dims: [batch, 1, 28, 28] }],
    outputs: [{ name: 'y', dims: [batch, 10] }],
    flops: 2 * batch * (28 * 28 * 32 * 25 + 14 * 14 * 64 * 32 * 25 + 3136 * 1024 + 1024 * 10),
    build(g, next) {
      const pool = (x: string) => g.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
      const p1 = pool(g.op('Relu', [conv(g, next, 'x', 'conv1', 1, 32)]));
      const p2 = pool(g.op('Relu', [conv(g, next, p1, 'conv2', 32, 64)]));
      const flat = g.op('Reshape', [p2, g.int64s('flat.shape', [batch, 3136])]);
      const h = dense(g, next, flat, 'fc1', 3136, 1024, true);
      g.op('Identity', [dense(g, next, h, 'fc2', 1024, 10, false)], {}, 'y');
    },
  };
}

/**
 * The non-matmul part of a transformer block: LayerNorm, then Gelu spelled out as
 * ONNX exporters write it (0.5·x·(1+erf(x/√2))), then Softmax over the last axis.
 * Memory-bound: a fused kernel reads x once and writes y once.
 */
function chain(batch: number, seq: number, hidden: number): Def {
  const dims = [batch, seq, hidden];
  return {
    name: `chain-${batch}x${seq}x${hidden}`,
    family: 'chain',
    params: { batch, seq, hidden },
    inputs: [{ name: 'x', dims }],
    outputs: [{ name: 'y', dims }],
    bytes: 2 * 4 * batch * seq * hidden,
    build(g, next) {
      const scale = g.weight('ln.scale', [hidden], uniform(hidden, next, 0.1).map((v) => 1 + v));
      const bias = g.weight('ln.bias', [hidden], uniform(hidden, next, 0.1));
      const h = g.op('LayerNormalization', ['x', scale, bias], { axis: -1, epsilon: 1e-5 });
      const scalar = (name: string, v: number) => g.weight(name, [], new Float32Array([v]));
      const erf = g.op('Erf', [g.op('Div', [h, scalar('sqrt2', Math.SQRT2)])]);
      const gelu = g.op('Mul', [g.op('Mul', [h, g.op('Add', [erf, scalar('one', 1)])]), scalar('half', 0.5)]);
      g.op('Softmax', [gelu], { axis: -1 }, 'y');
    },
  };
}

// The chain is 8 sequences of 128 tokens at BERT-base width (3 MiB in, 3 MiB out): tens of
// ms on the peers rather than the hundreds [64,128,768] takes, so reps stay affordable.
const DEFS: Def[] = [matmul(256), matmul(512), matmul(1024), mlp(64), lenet(1), lenet(64), chain(8, 128, 768)];

/**
 * The GPU bench's models (bench/cuda/prepare.ts): the same families at sizes that fill a GPU.
 * Not in DEFS: the wasm bench does not run them.
 */
const GPU_DEFS: Def[] = [matmul(4096), mlp(1024), lenet(256), chain(8, 128, 768)];

/** The GPU bench's models with their serialized ONNX. */
export function gpuOnnxModels(): { model: BenchModel; bytes: Uint8Array }[] {
  return GPU_DEFS.map((d) => {
    const { model, graph } = build(d);
    return { model, bytes: graph.toBytes(model.name, OPSET) };
  });
}

/** Seeds from the name, so adding a model never changes another model's weights. */
function seedOf(name: string): number {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

function build(def: Def): { model: BenchModel; graph: GraphBuilder } {
  const g = new GraphBuilder();
  for (const t of def.inputs) g.input(t.name, t.dims);
  // Weights of the LeNet at batch 1 and 64 must be the same: seed by family, not by name.
  def.build(g, rng(seedOf(def.family)));
  for (const t of def.outputs) g.output(t.name, t.dims);
  const { build: _, ...rest } = def;
  return { model: { ...rest, onnx: join(MODEL_DIR, `${def.name}.onnx`), weights: g.weights }, graph: g };
}

/** The models selected by `only` (all when empty), built in memory. */
export function benchModels(only: readonly string[] = []): BenchModel[] {
  return selected(only).map((d) => build(d).model);
}

/** The selected models with their serialized ONNX. */
export function onnxModels(only: readonly string[] = []): { model: BenchModel; bytes: Uint8Array }[] {
  return selected(only).map((d) => {
    const { model, graph } = build(d);
    return { model, bytes: graph.toBytes(model.name, OPSET) };
  });
}

/** Builds and writes the selected models' .onnx files; returns the models. */
export function writeModels(only: readonly string[] = []): BenchModel[] {
  mkdirSync(MODEL_DIR, { recursive: true });
  return onnxModels(only).map(({ model, bytes }) => {
    writeFileSync(model.onnx!, bytes);
    return model;
  });
}

function selected(only: readonly string[]): Def[] {
  const defs = only.length === 0 ? DEFS : DEFS.filter((d) => only.some((o) => d.name === o || d.family === o));
  if (defs.length === 0) throw new Error(`no model matches ${only.join(', ')}; models: ${DEFS.map((d) => d.name).join(', ')}`);
  return defs;
}

/** The inputs every runner gets: its inputFiles, or uniform in [-1, 1) seeded by the model's name. */
export function modelInputs(model: BenchModel): Float32Array[] {
  if (model.inputFiles) return model.inputFiles.map((f) => Float32Array.from(readNpyFile(f).data as Float64Array));
  const next = rng(seedOf(`${model.name}/inputs`));
  return model.inputs.map((t) => uniform(prod(t.dims), next));
}
