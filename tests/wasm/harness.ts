// Builds small kernel-IR programs by hand, runs them through targets/wasm + runtime/wasm
// and through the reference executor (ir/kernel/interpret.ts), and compares.
import { allocateMemory, runProgram } from '../../ir/kernel/interpret.js';
import type { Kernel, KernelParam, Program, ProgramBuffer, Stmt, StorageType } from '../../ir/kernel/kernel.js';
import { loadModel, type TypedArray } from '../../runtime/wasm/index.js';
import { compileWasm, type WasmOptions } from '../../targets/wasm/index.js';

export const ARRAY_OF: Record<StorageType, new (n: number | ArrayBufferLike) => TypedArray> = {
  f32: Float32Array, s32: Int32Array, u32: Uint32Array, s8: Int8Array, u8: Uint8Array, pred: Uint8Array,
  s16: Int16Array, u16: Uint16Array, f16: Uint16Array, bf16: Uint16Array, f64: Float64Array, s64: BigInt64Array, u64: BigUint64Array,
};
const BYTES: Record<StorageType, number> = { pred: 1, s8: 1, u8: 1, s16: 2, u16: 2, s32: 4, u32: 4, f16: 2, bf16: 2, f32: 4, s64: 8, u64: 8, f64: 8 };

/** Outputs of programs without s64/u64 outputs: arrays of numbers. */
export type NumberOutputs = Record<string, Exclude<TypedArray, BigInt64Array | BigUint64Array>>;

export interface BufferSpec {
  readonly name: string;
  readonly dtype: StorageType;
  readonly size: number;
  readonly role: 'input' | 'output' | 'temp' | 'constant';
  readonly data?: TypedArray;
}

export interface KernelSpec {
  readonly name: string;
  /** Names of the buffers the kernel takes, in parameter order. */
  readonly args: readonly string[];
  readonly body: readonly Stmt[];
}

/** A program over named buffers; kernels launch in order. */
export function program(name: string, buffers: readonly BufferSpec[], kernels: readonly KernelSpec[]): Program {
  const offsets = { constants: 0, arena: 0 };
  const bufs: ProgramBuffer[] = buffers.map((b, id) => {
    const region = b.role === 'constant' ? 'constants' : 'arena';
    const bytes = b.size * BYTES[b.dtype];
    const offset = offsets[region];
    offsets[region] = Math.ceil((offset + bytes) / 16) * 16;
    const data = b.data ? new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength).slice() : undefined;
    return { id, name: b.name, dtype: b.dtype, dims: [b.size], region, offset, bytes, ...(data ? { data } : {}) };
  });
  const id = (n: string): number => {
    const i = buffers.findIndex((b) => b.name === n);
    if (i < 0) throw new Error(`no buffer ${n}`);
    return i;
  };
  const ks: Kernel[] = kernels.map((k) => ({
    name: k.name, source: k.name, schedule: {}, body: k.body,
    params: k.args.map((a): KernelParam => {
      const b = buffers[id(a)];
      return { name: b.name, dtype: b.dtype, size: b.size, access: b.role === 'input' || b.role === 'constant' ? 'read' : 'readwrite' };
    }),
  }));
  return {
    name, kernels: ks, buffers: bufs,
    steps: kernels.map((k, i) => ({ k: 'launch' as const, kernel: i, args: k.args.map(id) })),
    inputs: buffers.filter((b) => b.role === 'input').map((b) => ({ name: b.name, buffer: id(b.name) })),
    outputs: buffers.filter((b) => b.role === 'output').map((b) => ({ name: b.name, buffer: id(b.name) })),
    constantsBytes: offsets.constants, arenaBytes: offsets.arena,
  };
}

/** Outputs of the reference executor (numbers; `referenceAll` for programs with s64/u64 outputs). */
export const reference = (p: Program, inputs: Record<string, TypedArray>): NumberOutputs => referenceAll(p, inputs) as NumberOutputs;

export function referenceAll(p: Program, inputs: Record<string, TypedArray>): Record<string, TypedArray> {
  const mem = allocateMemory(p);
  for (const io of p.inputs) {
    const b = p.buffers[io.buffer], x = inputs[io.name];
    mem.arena.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), b.offset);
  }
  // In order and unchecked, as wasm runs a parallel loop's iterations within a thread: some
  // programs here rely on it (program.test.ts's 'serialonly' runs on thread 0 only).
  runProgram(p, mem, { order: 'inOrder', races: false });
  const out: Record<string, TypedArray> = {};
  for (const io of p.outputs) {
    const b = p.buffers[io.buffer];
    const bytes = mem.arena.slice(b.offset, b.offset + b.bytes);
    out[io.name] = new ARRAY_OF[b.dtype](bytes.buffer);
  }
  return out;
}

export interface RunOptions extends WasmOptions {
  readonly threads?: number;
}

/** Outputs of the wasm target (numbers; `runWasmAll` for programs with s64/u64 outputs). */
export const runWasm = async (p: Program, inputs: Record<string, TypedArray>, opts: RunOptions = {}): Promise<NumberOutputs> =>
  (await runWasmAll(p, inputs, opts)) as NumberOutputs;

export async function runWasmAll(p: Program, inputs: Record<string, TypedArray>, opts: RunOptions = {}): Promise<Record<string, TypedArray>> {
  const { wasm, manifest, weights } = compileWasm(p, opts);
  const model = await loadModel(wasm, manifest, { threads: opts.threads, weights });
  try {
    return await model.run(inputs);
  } finally {
    model.dispose();
  }
}

export function fill(dt: StorageType, values: readonly (number | bigint)[]): TypedArray {
  const a = new ARRAY_OF[dt](values.length);
  const big = a instanceof BigInt64Array || a instanceof BigUint64Array;
  values.forEach((v, i) => (a[i] = big ? BigInt(v) : Number(v)));
  return a;
}

/** Values padded to a multiple of 4 by repeating the first. */
export function pad4<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  while (out.length % 4) out.push(xs[0]);
  return out;
}
