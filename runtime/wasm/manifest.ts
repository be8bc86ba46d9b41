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

/** wasm32's largest memory: 65536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES: number = 2 ** 32;

const ELEMENT_BYTES: Record<WasmDType, number> = {
  pred: 1, s8: 1, u8: 1, s16: 2, u16: 2, f16: 2, bf16: 2, s32: 4, u32: 4, f32: 4, s64: 8, u64: 8, f64: 8,
};

/**
 * Refuses a manifest whose numbers cannot describe a wasm32 module's memory: sizes and
 * offsets that are not non-negative integers, more than 4 GiB, tensors outside the memory
 * or with a byte size that disagrees with their shape. The compiler does not write such
 * manifests; this guards against a damaged or hand-edited model.json before it turns into
 * a huge allocation or a copy out of bounds.
 */
export function checkManifest(m: WasmManifest): void {
  const bad = (what: string, why: string): never => { throw new RangeError(`kiln wasm: ${m.name}: manifest ${what} ${why}`); };
  const size = (what: string, x: unknown): number =>
    typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= MAX_MEMORY_BYTES ? x : bad(what, `is ${JSON.stringify(x)}, not an integer in [0, 2^32]`);
  const l = m.memory;
  if (typeof l !== 'object' || l === null) bad('memory', 'is missing');
  for (const k of ['scratchBytes', 'constantsOffset', 'constantsBytes', 'arenaOffset', 'arenaBytes', 'stackOffset', 'stackBytesPerThread'] as const) size(`memory.${k}`, l[k]);
  if (l.constantsOffset + l.constantsBytes > l.arenaOffset) bad('memory.constantsBytes', `${l.constantsBytes} overlaps the arena at ${l.arenaOffset}`);
  if (l.arenaOffset + l.arenaBytes > l.stackOffset) bad('memory.arenaBytes', `${l.arenaBytes} overlaps the stacks at ${l.stackOffset}`);
  if (memoryBytes(l, 1) > MAX_MEMORY_BYTES) bad('memory', `needs ${memoryBytes(l, 1)} bytes, more than wasm32's 4 GiB`);
  for (const k of ['count', 'generation', 'abort'] as const) if (size(`memory.barrier.${k}`, l.barrier?.[k]) + 4 > l.scratchBytes) bad(`memory.barrier.${k}`, 'is outside the scratch words');
  for (const t of [...(m.inputs ?? bad('inputs', 'are missing')), ...(m.outputs ?? bad('outputs', 'are missing'))]) checkTensor(t, l, size, bad);
}

function checkTensor(t: WasmTensor, l: WasmMemoryLayout, size: (what: string, x: unknown) => number, bad: (what: string, why: string) => never): void {
  const what = `tensor '${t.name}'`;
  const per = ELEMENT_BYTES[t.dtype] ?? bad(what, `has unknown dtype ${JSON.stringify(t.dtype)}`);
  if (!Array.isArray(t.dims)) bad(what, 'has no dims');
  const count = t.dims.reduce((a, d, i) => a * size(`${what} dim ${i}`, d), 1);
  if (size(`${what} bytes`, t.bytes) < count * per) bad(what, `is ${t.bytes} bytes, too few for ${count} ${t.dtype} elements`);
  if (size(`${what} offset`, t.offset) + t.bytes > l.stackOffset) bad(what, `at ${t.offset} (+${t.bytes} bytes) is outside the memory below ${l.stackOffset}`);
}
