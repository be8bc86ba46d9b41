// TensorFlow.js (tfjs-core + tfjs-backend-wasm, SIMD) running the same graphs, rebuilt
// with tfjs ops from the ONNX initializers. tfjs has no ONNX importer, so each family
// is written by hand below, using tfjs's fused ops where it has them (as a tfjs user
// would), NHWC with weights transposed once at prepare time.
//
// Threads: tfjs-backend-wasm reports WASM_HAS_MULTITHREAD_SUPPORT = false under Node on
// purpose (tensorflow/tfjs#3830). Forcing the flag makes its emscripten glue start
// `new Worker('blob:nodedata:...')`, which Node refuses (ERR_WORKER_PATH), and the
// backend fails to initialise. So tfjs runs single-threaded here.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs-core';
import type { BenchModel, Prepared, Runner, Skip } from '../runner.js';

const require = createRequire(import.meta.url);
const CORE = dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
const WASM = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

/** What Node loads: the CommonJS builds (package.json `main`) and the SIMD .wasm. */
const RUNTIME_FILES = [join(CORE, 'dist/tf-core.node.js'), join(WASM, 'tf-backend-wasm.node.js'), join(WASM, 'tfjs-backend-wasm-simd.wasm')];

export const TFJS_THREADS_SKIP = 'tfjs-backend-wasm disables threads under Node (tfjs#3830); forced on, its blob: worker fails with ERR_WORKER_PATH';

type Forward = (tf: typeof TF, w: Weights, inputs: TF.Tensor[]) => TF.Tensor;
type Weights = Map<string, TF.Tensor>;

/** ONNX layouts → tfjs layouts, done once per model outside the timed runs. */
function convertWeights(tf: typeof TF, model: BenchModel): Weights {
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

const FORWARD: Partial<Record<BenchModel['family'], Forward>> = {
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

export async function createTfjs(threads: number): Promise<Runner | Skip> {
  if (threads !== 1) return { skip: TFJS_THREADS_SKIP };
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(WASM + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
  await tf.ready();
  if (!tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) throw new Error('tfjs: no wasm SIMD; the numbers would not be comparable');

  return {
    name: 'tfjs',
    threads,
    runtimeFiles: RUNTIME_FILES,
    note: `tfjs ${tf.version_core} wasm backend (SIMD, XNNPACK), fused matMul/conv2d + bias + relu`,
    async prepare(model: BenchModel): Promise<Prepared | Skip> {
      const forward = FORWARD[model.family];
      if (!forward) return { skip: `no tfjs graph for ${model.family} workloads` };
      const weights = convertWeights(tf, model);
      return {
        async run(inputs) {
          const y = tf.tidy(() => forward(tf, weights, inputs.map((data, i) => tf.tensor(data, model.inputs[i]!.dims))));
          const data = (await y.data()) as Float32Array;
          y.dispose();
          return [data];
        },
        async dispose() {
          for (const t of weights.values()) t.dispose();
        },
      };
    },
  };
}
