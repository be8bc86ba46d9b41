// TensorFlow.js: tfjs-core + tfjs-backend-wasm (SIMD, XNNPACK), one thread, eager.
// The step is `tf.variableGrads` of the loss, then the optimizer's applyGradients
// (tf.train.adam / tf.train.sgd), as `optimizer.minimize` does it.
//
// Two workarounds, both for tfjs's Node build:
// - tfjs-core's Node entry registers no gradients; tfjs-layers' import registers them all.
// - tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so conv2d's built-in gradient
//   fails. The convolutions are written as one tf.customGrad each (fused conv + bias + relu
//   forward, as tfjs's fused op runs it), whose filter gradient is itself a convolution that
//   XNNPACK runs: over the input with batch and channels swapped, using dy as the kernel
//   (see filterGrad). The input gradient is a forward convolution too, with the kernel
//   flipped and its channels swapped: the wasm backend's Conv2DBackpropInput
//   (conv2dTranspose) is a plain loop, 7x slower than XNNPACK's conv at conv2's size.
//   The first layer's input gradient is not computed (nothing needs it; autodiff in the
//   other peers skips it too).
// Everything else (matMul, maxPool, softmax cross-entropy, Adam) is tfjs's own.
//
// Threads: tfjs-backend-wasm turns threads off under Node (tensorflow/tfjs#3830; see
// bench/peers/tfjs.ts); setThreadsCount(1) says so explicitly.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import { readBatches, readF32, type Fixtures, type ModelName } from './fixtures.js';
import type { TrainPeer } from './peer.js';

const require = createRequire(import.meta.url);
const WASM = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

let tf: typeof TF;

/**
 * d loss / d filter of a stride-1 'same' convolution with an odd k×k kernel, as a forward
 * convolution: dW[i, j, ci, co] = Σ_{n,h,w} xpad[n, h+i, w+j, ci] · dy[n, h, w, co] is the
 * convolution of x as [ci, H, W, N] (ci images of N channels) with dy as an [H, W, N, co] kernel.
 */
function filterGrad(x: TF.Tensor4D, dy: TF.Tensor4D, k: number): TF.Tensor4D {
  const p = (k - 1) / 2;
  const out = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), 1, [[0, 0], [p, p], [p, p], [0, 0]]);
  return tf.transpose(out, [1, 2, 0, 3]);
}

/** d loss / d x of the same convolution: dy convolved with w flipped in space, in and out channels swapped. */
function inputGrad(dy: TF.Tensor4D, w: TF.Tensor4D): TF.Tensor4D {
  return tf.conv2d(dy, tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as TF.Tensor4D, 1, 'same');
}

/** relu(conv2d(x, w, 'same') + b), with the gradient tfjs-backend-wasm cannot compute written out. */
function convBiasRelu(needInputGrad: boolean) {
  return tf.customGrad((...args: (TF.Tensor | TF.GradSaveFunc)[]) => {
    const [x, w, b] = args as TF.Tensor4D[];
    const save = args[3] as TF.GradSaveFunc;
    const y = tf.fused.conv2d({ x: x!, filter: w!, strides: 1, pad: 'same', bias: b, activation: 'relu' });
    save([x!, w!, y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [x, w, y] = saved as [TF.Tensor4D, TF.Tensor4D, TF.Tensor4D];
        const g = tf.mul(dy, tf.step(y)) as TF.Tensor4D;
        return [needInputGrad ? inputGrad(g, w) : tf.zerosLike(x), filterGrad(x, g, w.shape[0]), tf.sum(g, [0, 1, 2])];
      },
    };
  }) as (x: TF.Tensor, w: TF.Tensor, b: TF.Tensor) => TF.Tensor4D;
}

const peer: TrainPeer = {
  name: 'tfjs',
  async init() {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-layers');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(WASM + '/');
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
    await tf.ready();
    if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) throw new Error('tfjs: no wasm SIMD');
    if (tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')) throw new Error('tfjs: multithreaded; this bench is one thread');
  },
  note: (model) =>
    `tfjs ${tf.version_core} wasm (SIMD, XNNPACK, 1 thread), eager, variableGrads + ${model === 'cnn' ? 'train.adam; conv gradients by customGrad (both as XNNPACK conv2d)' : 'train.sgd'}`,

  async setup(fx: Fixtures, model: ModelName) {
    const spec = fx.models[model];
    const vars = spec.params.map((name) => tf.variable(tf.tensor(readF32(fx, name), fx.tensors[name]!.shape), true, name));
    const batches = readBatches(fx, model).map((b) => ({
      x: model === 'cnn' ? tf.tensor4d(b.images, [spec.batch, 28, 28, 1]) : tf.tensor2d(b.images, [spec.batch, 784]),
      y: tf.tensor1d(b.labels, 'int32'),
    }));
    const opt: TF.Optimizer = spec.optimizer.kind === 'adam' ? tf.train.adam(spec.optimizer.lr, spec.optimizer.beta1, spec.optimizer.beta2, spec.optimizer.eps) : tf.train.sgd(spec.optimizer.lr);
    const conv1 = convBiasRelu(false), conv2 = convBiasRelu(true);
    const logits =
      model === 'cnn'
        ? (x: TF.Tensor) => {
            const [c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b] = vars as TF.Tensor[];
            let h = tf.maxPool(conv1(x, c1w!, c1b!), 2, 2, 'valid');
            h = tf.maxPool(conv2(h, c2w!, c2b!), 2, 2, 'valid');
            const f = tf.fused.matMul({ a: tf.reshape(h, [spec.batch, 3136]), b: f1w as TF.Tensor2D, bias: f1b, activation: 'relu' });
            return tf.fused.matMul({ a: f, b: f2w as TF.Tensor2D, bias: f2b });
          }
        : (x: TF.Tensor) => tf.add(tf.matMul(x as TF.Tensor2D, vars[0] as TF.Tensor2D), vars[1]!);
    let i = 0;
    return {
      async step() {
        const { x, y } = batches[i++ % batches.length]!;
        const loss = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), logits(x)) as TF.Scalar);
          opt.applyGradients(grads);
          return value;
        });
        const v = (await loss.data())[0]!;
        loss.dispose();
        return v;
      },
      dispose() {
        opt.dispose();
        for (const t of [...vars, ...batches.flatMap((b) => [b.x, b.y])]) t.dispose();
      },
    };
  },
};
export default peer;
