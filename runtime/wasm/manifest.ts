// The manifest that travels with a kiln wasm module: where each tensor lives in linear
// memory and how much memory to give it. Plain JSON. targets/wasm writes it (importing
// this type only, which erases); this runtime reads it. The parts every target shares
// (format, name, tensors, weights file) and their checks are the manifest core's.
import { checkFile, checkTensors, manifestChecker, type ManifestCore, type TensorSpec } from '../core/manifest.js';
import type { DType } from '../core/dtype.js';

/** Element types of tensors the module reads and writes (f16/bf16 travel as raw bits). */
export type WasmDType = DType;

export interface WasmTensor extends TensorSpec {
  /** Absolute byte address in linear memory. */
  readonly offset: number;
  /**
   * Outputs only: the input whose bytes this output ends in (input/output aliasing, a
   * donated input): same offset, dtype and dims. After a run the input's bytes hold it.
   */
  readonly aliases?: string;
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

export interface WasmManifest extends ManifestCore<WasmTensor> {
  readonly format: 'kiln-wasm/1';
  /** The module imports a shared memory (`env.memory`) and exports `init`; threads possible. */
  readonly shared: boolean;
  readonly memory: WasmMemoryLayout;
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

/** wasm32's largest memory: 65536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES: number = 2 ** 32;

/**
 * Refuses a manifest whose numbers cannot describe a wasm32 module's memory: sizes and
 * offsets that are not non-negative integers, more than 4 GiB, tensors outside the memory
 * or with a byte size that disagrees with their shape (the core's checks), file names
 * outside the artifact.
 */
export function checkManifest(m: WasmManifest): void {
  const c = manifestChecker('wasm', m, MAX_MEMORY_BYTES);
  const { bad, size } = c;
  const l = m.memory;
  if (typeof l !== 'object' || l === null) bad('memory', 'is missing');
  for (const k of ['scratchBytes', 'constantsOffset', 'constantsBytes', 'arenaOffset', 'arenaBytes', 'stackOffset', 'stackBytesPerThread'] as const) size(`memory.${k}`, l[k]);
  if (l.constantsOffset + l.constantsBytes > l.arenaOffset) bad('memory.constantsBytes', `${l.constantsBytes} overlaps the arena at ${l.arenaOffset}`);
  if (l.arenaOffset + l.arenaBytes > l.stackOffset) bad('memory.arenaBytes', `${l.arenaBytes} overlaps the stacks at ${l.stackOffset}`);
  if (memoryBytes(l, 1) > MAX_MEMORY_BYTES) bad('memory', `needs ${memoryBytes(l, 1)} bytes, more than wasm32's 4 GiB`);
  for (const k of ['count', 'generation', 'abort'] as const) if (size(`memory.barrier.${k}`, l.barrier?.[k]) + 4 > l.scratchBytes) bad(`memory.barrier.${k}`, 'is outside the scratch words');
  for (const t of checkTensors(m, c))
    if (size(`tensor '${t.name}' offset`, t.offset) + t.bytes > l.stackOffset) bad(`tensor '${t.name}'`, `at ${t.offset} (+${t.bytes} bytes) is outside the memory below ${l.stackOffset}`);
  for (const t of m.outputs) {
    if (t.aliases === undefined) continue;
    const i = m.inputs.find((x) => x.name === t.aliases);
    if (!i) bad(`output '${t.name}' aliases`, `'${String(t.aliases)}', which is no input`);
    else if (i.offset !== t.offset || i.dtype !== t.dtype || i.dims.join() !== t.dims.join())
      bad(`output '${t.name}'`, `aliases input '${i.name}' but differs from it in offset, dtype or dims`);
  }
  if (m.weights !== undefined) checkFile(c, 'weights', m.weights);
  for (const [k, file] of Object.entries(m.modules ?? {})) if (file !== undefined) checkFile(c, `modules.${k}`, file);
}
