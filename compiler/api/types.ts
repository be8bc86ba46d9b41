// The library's public types (what `import { compile } from 'kiln'` gives): tensors are the
// typed arrays the runtimes take (runtime/core/dtype.ts's ARRAY_OF), so an array moves
// between a compiled Executable and an artifact's model.js unchanged.
import type { DType, TypedArray } from '../../runtime/core/dtype.js';

export type { DType, TypedArray };

/** The backends `compile` runs on (compiler/backend.ts's table, as `kiln run --backend` names them). */
export type BackendName = 'wasm' | 'webgpu' | 'interpreter' | 'kernels';

export interface CompileOptions {
  /**
   * What runs the model (default 'wasm'): 'wasm' (WebAssembly SIMD, what `kiln compile`
   * writes, through the same runtime), 'webgpu' (WGSL; in Node through a Deno child process,
   * as `kiln run --backend webgpu`), 'interpreter' (the reference interpreter, the oracle)
   * or 'kernels' (the compiled kernel IR on its checking executor).
   */
  backend?: BackendName;
  /** wasm: threads to run on (default 1); more than one builds for shared memory and workers. */
  threads?: number;
  /** Run the fusion pass (default true). */
  fusion?: boolean;
  /** wasm: use relaxed SIMD's fused multiply-add (default: where this engine has relaxed SIMD). */
  relaxedSimd?: boolean;
  /**
   * Outputs that end in an input's bytes (donated inputs, XLA's must-alias): output leaf
   * `output` (0 for a single output) gets entry parameter `param`'s buffer; same shape and
   * dtype, each at most once, else a KilnError with code 3. The wasm backend lays memory
   * out so (a train step's new weights over the old, nothing copied); `run` returns the
   * same values with or without it, and other backends only check it.
   */
  aliases?: readonly { readonly output: number; readonly param: number }[];
  /** The model's name in error messages (a file name), default '<model>'. */
  name?: string;
  /** ONNX models: dims for inputs the model leaves symbolic, as `kiln run --shape` and `--dim`. */
  onnx?: OnnxOptions;
}

export interface OnnxOptions {
  /** Dims per graph input name (`--shape NAME=D0,D1`). */
  shapes?: Readonly<Record<string, readonly number[]>>;
  /** Values of symbolic dimension names (`--dim batch=8`), wherever they appear. */
  dims?: Readonly<Record<string, number>>;
  /** Float initializers become trailing inputs instead of constants (`--weights-as-params`). */
  weightsAsParameters?: boolean;
}

/** An input or output: its name (the source's, as an artifact's model.js names it), element type and dims. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
}

/** An output: its info and its values, in the typed array ARRAY_OF gives its dtype (f16/bf16 as raw bits). */
export interface Output extends TensorInfo {
  readonly data: TypedArray;
}

/** Inputs by name (an object) or by position (an array), each the typed array its dtype wants. */
export type Inputs = Readonly<Record<string, TypedArray>> | readonly TypedArray[];

/** A compiled model, ready to run. */
export interface Executable {
  readonly backend: BackendName;
  /** The inputs `run` takes, in order: one per array leaf of the entry's parameters. */
  readonly inputs: readonly TensorInfo[];
  /** The outputs `run` returns: one per array leaf of the entry's result. */
  readonly outputs: readonly TensorInfo[];
  /** Runs the model; outputs by name. The arrays given may be reused as soon as the promise is made. */
  run(inputs: Inputs): Promise<Record<string, Output>>;
  /** Frees what the backend holds (wasm workers, GPU buffers); `run` fails afterwards. */
  dispose(): Promise<void>;
}
