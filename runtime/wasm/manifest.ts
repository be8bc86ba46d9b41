// The manifest that travels with a kiln wasm module: where each tensor lives in linear
// memory and how much memory to give it. Plain JSON. targets/wasm writes it (importing
// this type only, which erases); this runtime reads it.

/** Element types of tensors the module reads and writes (f16/bf16 travel as raw bits). */
export type WasmDType = 'pred' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 'f16' | 'bf16' | 'f32' | 's64' | 'u64' | 'f64';

export interface WasmTensor {
  readonly name: string;
  readonly dtype: WasmDType;
  readonly dims: readonly number[];
  /** Absolute byte address in linear memory. */
  readonly offset: number;
  readonly bytes: number;
}

/**
 * Linear memory, low to high: scratch (barrier words) at 0, constants at
 * `constantsOffset`, the arena at `arenaOffset`, then one stack frame per thread
 * (private arrays that do not fit in locals) from `stackOffset`.
 */
export interface WasmMemoryLayout {
  readonly scratchBytes: number;
  readonly constantsOffset: number;
  readonly constantsBytes: number;
  /**
   * true: the module holds the constants, as an active data segment at `constantsOffset`
   * (modules built before that may instead export an `init()` that copies them).
   * false: the runtime copies the weights file to `constantsOffset`.
   */
  readonly constantsEmbedded: boolean;
  readonly arenaOffset: number;
  readonly arenaBytes: number;
  readonly stackOffset: number;
  readonly stackBytesPerThread: number;
  /** Byte addresses (i32 words) of the barrier counter, generation and abort flag. */
  readonly barrier: { readonly count: number; readonly generation: number; readonly abort: number };
}

export interface WasmManifest {
  readonly format: 'kiln-wasm/1';
  readonly name: string;
  /** The module imports a shared memory (`env.memory`) and exports `init`; threads possible. */
  readonly shared: boolean;
  readonly memory: WasmMemoryLayout;
  readonly inputs: readonly WasmTensor[];
  readonly outputs: readonly WasmTensor[];
  /**
   * The artifact's module files, all with this manifest's layout and tensors: `simd128`
   * runs on every engine with wasm SIMD; `relaxedSimd`, where present, is the same program
   * with relaxed SIMD's fused multiply-add, for engines that have it (see wasmFile()).
   */
  readonly modules?: { readonly simd128: string; readonly relaxedSimd?: string };
}

/** Bytes of linear memory a module needs to run on `threads` threads. */
export function memoryBytes(layout: WasmMemoryLayout, threads: number): number {
  return layout.stackOffset + Math.max(1, threads) * layout.stackBytesPerThread;
}
