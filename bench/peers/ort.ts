// onnxruntime-web on its wasm backend (SIMD, optionally threaded), run in Node.
//
// Threads: under Node, ort-web's pthreads are worker_threads and SharedArrayBuffer is
// always there, so numThreads = 2 works with no cross-origin isolation and no wasmPaths
// (the loader finds ort-wasm-simd-threaded.{mjs,wasm} beside its own module). It must be
// set before the first session: ort instantiates its .wasm once per process, which is
// why every runner is measured in a child process of its own. Left unset, ort picks
// min(4, ceil(cores / 2)) — a single thread on this 2-core machine.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GraphBuilder } from '../onnx_builder.js';
import type { BenchModel, Prepared, Runner, Skip } from '../runner.js';
import { ortSession } from './ort_session.js';

const require = createRequire(import.meta.url);
// Both packages' `exports` hide package.json; resolve their entries instead.
const DIST = dirname(require.resolve('onnxruntime-web')); // .../onnxruntime-web/dist
const COMMON = join(dirname(require.resolve('onnxruntime-common')), '../esm');

/** What Node loads: the node entry, the shared JS API, the emscripten glue and its .wasm. */
const RUNTIME_FILES = [
  join(DIST, 'ort.node.min.mjs'),
  ...readdirSync(COMMON)
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(COMMON, f)),
  join(DIST, 'ort-wasm-simd-threaded.mjs'),
  join(DIST, 'ort-wasm-simd-threaded.wasm'),
];

/** A one-element Identity model: creating a session for it forces the runtime to start. */
function tinyModel(): Uint8Array {
  const g = new GraphBuilder();
  g.input('x', [1]);
  g.op('Identity', ['x'], {}, 'y');
  g.output('y', [1]);
  return g.toBytes('warmup', 17);
}

export async function createOrt(threads: number): Promise<Runner> {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  // 'all' is ort's default; spelled out because it is what makes ort fuse. Its verbose
  // log (env.logLevel = 'verbose', logSeverityLevel 0) shows, for these models:
  // MatMulAddFusion + GemmActivationFusion (MLP, LeNet), ConvActivationFusion (LeNet),
  // GeluFusionL2 (the chain's erf Gelu becomes one Gelu kernel).
  const options: import('onnxruntime-web').InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  await (await ort.InferenceSession.create(tinyModel(), options)).release();

  return {
    name: 'ort',
    threads,
    runtimeFiles: RUNTIME_FILES,
    note: `onnxruntime-web ${ort.env.versions.web} wasm EP, graph optimizations 'all'`,
    async prepare(model: BenchModel): Promise<Prepared | Skip> {
      if (!model.onnx) return { skip: 'no ONNX form' };
      return ortSession(ort, { ...model, onnx: model.onnx }, options);
    },
  };
}
