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
import type { BenchModel, Prepared, Runner, Skip } from '../runner.js';
import { convertWeights, FORWARD } from './tfjs_graphs.js';

const require = createRequire(import.meta.url);
const CORE = dirname(require.resolve('@tensorflow/tfjs-core/package.json'));
const WASM = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

/** What Node loads: the CommonJS builds (package.json `main`) and the SIMD .wasm. */
const RUNTIME_FILES = [join(CORE, 'dist/tf-core.node.js'), join(WASM, 'tf-backend-wasm.node.js'), join(WASM, 'tfjs-backend-wasm-simd.wasm')];

export const TFJS_THREADS_SKIP = 'tfjs-backend-wasm disables threads under Node (tfjs#3830); forced on, its blob: worker fails with ERR_WORKER_PATH';

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
