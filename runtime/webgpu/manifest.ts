// The manifest that travels with a kiln WebGPU artifact: the storage buffers, one compute
// pipeline per kernel (its WGSL file, entry point and bindings), the dispatches and
// control flow a run encodes, and where each input and output lives. Plain JSON.
// targets/wgsl writes it (importing these types only, which erases); runtime/webgpu reads it.
//
// Memory: a program's buffers live in two regions, as in every kiln target (the kernel
// IR's `Program`): `constants` (the weights, uploaded once at load, read-only) and
// `arena` (inputs, outputs and intermediates, read-write). Each region is one GPUBuffer;
// a shader binds the regions it touches as `array<u32>` (or `array<atomic<u32>>`) storage
// buffers and addresses a tensor by the constant word offset built into its code, so no
// shader needs more than two storage buffers and no uniform is written per run.
//
// The parts every target's manifest shares (format, name, tensors, weights file) are the
// manifest core's (runtime/core/manifest.ts), which also has their checks and the
// dtype → typed array table.
import type { DType } from '../core/dtype.js';
import type { ManifestCore, TensorSpec } from '../core/manifest.js';

/** Element types of tensors (f16/bf16 travel as raw bits, 64-bit types as two words). */
export type GpuDType = DType;

/** A storage region of the program: one GPUBuffer each. */
export type GpuRegion = 'constants' | 'arena';

export interface GpuTensor extends TensorSpec {
  /** Byte offset within the arena (inputs and outputs always live there); a multiple of 4. */
  readonly offset: number;
}

/** A binding of a pipeline: `@group(0) @binding(binding)` is region `region`. */
export interface GpuBinding {
  readonly binding: number;
  readonly region: GpuRegion;
  /** 'read-only-storage' for constants and for arena reads only; 'storage' when the shader writes. */
  readonly type: 'read-only-storage' | 'storage';
}

export interface GpuShader {
  /** The kernel's name (it says which HLO fusion it came from). */
  readonly name: string;
  /** The WGSL file in the artifact, e.g. `shaders/fusion_3.wgsl`. */
  readonly file: string;
  readonly entryPoint: string;
  /** `@workgroup_size(x, y, z)` of the entry point. */
  readonly workgroupSize: readonly [number, number, number];
  readonly bindings: readonly GpuBinding[];
}

/**
 * What a run does, in order. `dispatch` runs shader `shader` over `workgroups`. `while`
 * and `switch` are HLO control flow: the runtime reads the pred (a byte: 0 false) or the
 * s32 index at arena byte `offset` back after encoding what precedes it (as XLA's GPU
 * runtime reads a while loop's predicate), so their bodies can be chosen on the host.
 */
export type GpuStep =
  | { readonly k: 'dispatch'; readonly shader: number; readonly workgroups: readonly [number, number, number] }
  | { readonly k: 'while'; readonly cond: readonly GpuStep[]; readonly pred: number; readonly body: readonly GpuStep[] }
  /** pred true → branch 0, false → 1; an s32 outside [0, N) → the last branch (HLO `conditional`). */
  | { readonly k: 'switch'; readonly index: number; readonly indexType: 's32' | 'pred'; readonly branches: readonly (readonly GpuStep[])[] };

export interface WebGpuManifest extends ManifestCore<GpuTensor> {
  readonly format: 'kiln-webgpu/1';
  /** Byte sizes of the two regions (each a multiple of 4; a region of 0 bytes is not bound). */
  readonly constantsBytes: number;
  readonly arenaBytes: number;
  /** The weights file holding the constants region image, or undefined when no constant has data. */
  readonly weights?: string;
  /** Device features the shaders need (e.g. 'shader-f16'); the runtime refuses a device without them. */
  readonly features: readonly string[];
  /** The largest storage binding any shader uses, in bytes: the runtime checks the device's limit. */
  readonly maxBindingBytes: number;
  /**
   * Arena byte offset of a u32 the shaders set (to their index + 1) when a loop ended before
   * its bound, which some drivers do without a word (Mesa's llvmpipe stops every loop nest
   * after 65535 iterations). The runtime zeroes it before a run and rejects the run when it is
   * set, instead of returning wrong numbers. Added to the contract for that: nothing else in a
   * run could tell.
   */
  readonly loopCheck?: number;
  readonly shaders: readonly GpuShader[];
  readonly steps: readonly GpuStep[];
}
