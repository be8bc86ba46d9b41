// The targets kiln knows: `--target NAME` and the driver look a description up here,
// and nothing else in the compiler lists targets. Each target owns its description
// (targets/NAME/target.ts, data only and light to import: the CLI's option tables read
// this file). `kiln compile`'s builders (compiler/cli/compile.ts) are typed over these names, so a
// target added here does not compile until `kiln compile` can build its folder.
import type { TargetDescription } from '../ir/target.js';
import { CUDA_TARGET } from '../targets/cuda/target.js';
import { WASM_TARGET } from '../targets/wasm/target.js';
import { WGSL_TARGET } from '../targets/wgsl/target.js';

export interface KnownTarget {
  readonly description: TargetDescription;
  /** What the target makes, for `--target`'s help. */
  readonly summary: string;
}

export const TARGETS = {
  wasm: { description: WASM_TARGET, summary: 'WebAssembly SIMD: one module of v128 kernels, run by runtime/wasm' },
  wgsl: { description: WGSL_TARGET, summary: 'WGSL compute shaders (shaders/*.wgsl) for any WebGPU device, run by runtime/webgpu' },
  cuda: { description: CUDA_TARGET, summary: 'CUDA C (model.cu, model.h) for NVIDIA GPUs, with model.ptx where nvcc is here, run by runtime/cuda or built into a C++ program' },
} as const satisfies Readonly<Record<string, KnownTarget>>;

export type TargetName = keyof typeof TARGETS;

/** What `kiln compile` and compileProgram use when no target is named. */
export const DEFAULT_TARGET: TargetName = 'wasm';

/** Whether `name` is a target of the table (an own key only: `constructor` is no target). */
export const isTargetName = (name: string): name is TargetName => Object.prototype.hasOwnProperty.call(TARGETS, name);

export const targetNames = (): string[] => Object.keys(TARGETS);
