// The manifest that travels with a kiln CUDA artifact: the module (PTX for one
// architecture), one entry per `__global__` kernel, the launches and control flow a run
// performs, and where each input and output lives. Plain JSON. targets/cuda writes it
// (importing these types only, which erases); runtime/cuda reads it, and the host launcher
// in model.cu does the same steps in C.
//
// Memory: as on every kiln target, a program's buffers live in two regions (the kernel IR's
// `Program`): `constants` (the weights, uploaded once, read-only) and `arena` (inputs,
// outputs and intermediates). Each region is one device allocation; a kernel takes each of
// its buffers as a typed pointer, which the launch computes as region base + byte offset.
import type { DType } from '../core/dtype.js';
import type { ManifestCore, TensorSpec } from '../core/manifest.js';

export type CudaRegion = 'constants' | 'arena';

export interface CudaTensor extends TensorSpec {
  /** Byte offset within the arena (inputs and outputs always live there). */
  readonly offset: number;
}

/** A kernel argument: the device address region base + `offset` (bytes). */
export interface CudaArg {
  readonly region: CudaRegion;
  readonly offset: number;
}

export interface CudaKernel {
  /** The `extern "C" __global__` function's name in the module (model prefix + kernel name). */
  readonly entry: string;
  /** The HLO instruction it came from. */
  readonly source: string;
  /** Its buffer parameters, in order: each a pointer (8 bytes in cuLaunchKernel's kernelParams). */
  readonly params: number;
  /** Bytes of static `__shared__` arrays (as declared; ptxas reports the same). */
  readonly sharedBytes: number;
}

/**
 * What a run does, in order. `launch` runs kernel `kernel` over `grid` blocks of `block`
 * threads with pointer arguments `args`. `while` and `switch` are HLO control flow: the host
 * reads the pred (a byte: 0 false) or the s32 index at arena byte offset `pred`/`index` back
 * after the steps before it (as XLA's GPU runtime reads a while loop's predicate).
 */
export type CudaStep =
  | { readonly k: 'launch'; readonly kernel: number; readonly grid: readonly [number, number, number]; readonly block: readonly [number, number, number]; readonly args: readonly CudaArg[] }
  | { readonly k: 'while'; readonly cond: readonly CudaStep[]; readonly pred: number; readonly body: readonly CudaStep[] }
  /** pred true → branch 0, false → 1; an s32 outside [0, N) → the last branch (HLO `conditional`). */
  | { readonly k: 'switch'; readonly index: number; readonly indexType: 's32' | 'pred'; readonly branches: readonly (readonly CudaStep[])[] };

export interface CudaManifest extends ManifestCore<CudaTensor> {
  readonly format: 'kiln-cuda/1';
  /** The C identifier every symbol of the model starts with (`kiln_<id>_run`, `<id>_<kernel>`). */
  readonly id: string;
  /** The architecture the PTX was built for (`sm_90`). */
  readonly arch: string;
  /** The PTX file beside the manifest (absent when the compiler had no nvcc: build model.cu yourself). */
  readonly ptx?: string;
  /** Byte sizes of the two regions. */
  readonly constantsBytes: number;
  readonly arenaBytes: number;
  /** The weights file holding the constants region image, or undefined when no constant has data. */
  readonly weights?: string;
  readonly kernels: readonly CudaKernel[];
  readonly steps: readonly CudaStep[];
}

export type { DType };
