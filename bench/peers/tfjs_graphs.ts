// The bench's graphs written with TensorFlow.js ops, from the ONNX initializers: one
// forward function per family and the ONNX → tfjs weight layouts. No imports at run time
// (`tf` is passed in), so both the wasm peer (peers/tfjs.ts, in Node) and the WebGPU page
// (webgpu/page.ts, bundled for the browser) use the very same graphs.
import type * as TF from '@tensorflow/tfjs-core';
import type { BenchModel } from '../runner.js';

export type Forward = (tf: typeof TF, w: Weights, inputs: TF.Tensor[]) => TF.Tensor;
export type Weights = Map<string, TF.Tensor>;

/** ONNX layouts → tfjs layouts, done once per model outside the timed runs. */
export function convertWeights(tf: typeof TF, model: Pick<BenchModel, 'family' | 'weights'>): Weights {
  const out: Weights = new Map();
  for (const [name, t] of model.weights) {
    const w = tf.tidy(() => {
      const w = tf.tensor(t.data, t.dims);
      if (t.dims.length === 4) return tf.transpose(w, [2, 3, 1, 0]); // OIHW → HWIO
      // ONNX flattens the NCHW [B,64,7,7] map channel-major, tfjs flattens NHWC [B,7,7,64]
      // channel-minor: permute fc1's rows to match.
      if (model.family === 'lenet' && name === 'fc1.w') return tf.reshape(tf.transpose(tf.reshape(w, [64, 7, 7, 1024]), [1, 2, 0, 3]), [3136, 1024]);
      return w;
    });
    out.set(name, w);
  }
  return out;
}

const get = (w: Weights, name: string) => w.get(name)!;

export const FORWARD: Partial<Record<BenchModel['family'], Forward>> = {
  matmul: (tf, _, [a, b]) => tf.matMul(a!, b!),

  mlp(tf, w, [x]) {
    const h = tf.fused.matMul({ a: x!, b: get(w, 'fc1.w'), bias: get(w, 'fc1.b'), activation: 'relu' });
    return tf.fused.matMul({ a: h, b: get(w, 'fc2.w'), bias: get(w, 'fc2.b') });
  },

  lenet(tf, w, [x]) {
    const batch = x!.shape[0]!;
    // [B,1,28,28] and [B,28,28,1] have the same bytes: one channel needs no transpose.
    let h = tf.reshape(x!, [batch, 28, 28, 1]) as TF.Tensor4D;
    for (const c of ['conv1', 'conv2']) {
      h = tf.fused.conv2d({ x: h, filter: get(w, `${c}.w`) as TF.Tensor4D, strides: 1, pad: 'same', bias: get(w, `${c}.b`), activation: 'relu' });
      h = tf.maxPool(h, 2, 2, 'valid');
    }
    const f = tf.fused.matMul({ a: tf.reshape(h, [batch, 3136]), b: get(w, 'fc1.w'), bias: get(w, 'fc1.b'), activation: 'relu' });
    return tf.fused.matMul({ a: f, b: get(w, 'fc2.w'), bias: get(w, 'fc2.b') });
  },

  chain(tf, w, [x]) {
    const mean = tf.mean(x!, -1, true);
    const centred = tf.sub(x!, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const norm = tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), get(w, 'ln.scale')), get(w, 'ln.bias'));
    const gelu = tf.mul(tf.mul(norm, 0.5), tf.add(tf.erf(tf.div(norm, Math.SQRT2)), 1));
    return tf.softmax(gelu, -1);
  },
};
