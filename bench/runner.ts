// The contract between the harness and whatever runs a model (a peer, kiln).
// A runner gets a BenchModel, prepares it once, and then runs it on inputs;
// the harness does all the timing, so every runner is measured the same way.
import type { Tensor } from './onnx_builder.js';

/**
 * What the graph is; runners that rebuild graphs by hand (tfjs) key on it. `corpus`: an
 * HLO-only workload; `vision`: a PyTorch export of bench/vision/ (ONNX only).
 */
export type Family = 'matmul' | 'mlp' | 'lenet' | 'chain' | 'corpus' | 'vision';

export interface TensorSpec {
  name: string;
  dims: number[];
}

export interface BenchModel {
  /** Unique and stable: `matmul-256`, `lenet-b64`; used by --only and in output file names. */
  name: string;
  family: Family;
  /** Shape parameters of the family, e.g. `{ n: 256 }` or `{ batch: 64 }`. */
  params: Record<string, number>;
  /** The ONNX file (written by models.ts); every runner that reads ONNX loads this one. */
  onnx?: string;
  /** XLA HLO text of the computation, for runners that take HLO (kiln); the only form of a corpus workload. */
  hlo?: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** .npy files of the inputs every runner gets, one per input; seeded uniform inputs otherwise. */
  inputFiles?: string[];
  /** The ONNX initializers by name, for runners that rebuild the graph with their own ops. */
  weights: Map<string, Tensor>;
  /** 2 × multiply-adds of the dots and convolutions (the rest is noise next to them). */
  flops?: number;
  /** Bytes a perfectly fused kernel must move (inputs read once, outputs written once). */
  bytes?: number;
}

/** Why a runner cannot run something here; shown in the table instead of a number. */
export interface Skip {
  skip: string;
}

export interface Prepared {
  /** One inference, including copying inputs in and outputs out, as an application would. */
  run(inputs: Float32Array[]): Promise<Float32Array[]>;
  /** Ahead-of-time compile time, for runners that compile (kiln); not part of cold start. */
  compileMs?: number;
  /** Bytes of code generated for this model (kiln's .wasm), where that is meaningful. */
  codeBytes?: number;
  dispose(): Promise<void>;
}

export interface Runner {
  name: string;
  threads: number;
  /** The runtime files this runner loads (its .wasm and .js), for the size table. */
  runtimeFiles: string[];
  /** Something the reader must know to interpret the numbers (e.g. which fusions are on). */
  note?: string;
  /**
   * Loads the model; the harness times prepare() plus the first run() as cold start.
   * One-time runtime start-up (instantiating the runtime's .wasm) belongs in the
   * runner's factory, which the harness times separately as init.
   */
  prepare(model: BenchModel): Promise<Prepared | Skip>;
}

/** An entry in run.ts's list: a runner, the thread counts to try, and how to make one. */
export interface RunnerSpec {
  name: string;
  threads: number[];
  /** Imported lazily, in the child process that measures this runner only. */
  create(threads: number): Promise<Runner | Skip>;
}

export function isSkip<T extends object>(x: T | Skip): x is Skip {
  return 'skip' in x;
}
