// Helpers of the CUDA tests: compiling modules for CUDA_TARGET into the artifacts the
// cuda-cpu backend and nvcc build, many at once.
import type { Module } from '../../ir/module.js';
import { compileEach, type CpuModel } from '../../compiler/cuda/cpu_backend.js';
import { cudaTool } from '../../compiler/cuda/nvcc.js';
import { gxxAvailable } from '../../compiler/cuda/cpu_build.js';

/** Why the cuda-cpu tests cannot run here (no g++), or undefined. */
export const noGxx = gxxAvailable() ? undefined : 'no g++';
/** Why the nvcc checks cannot run here, or undefined. */
export const noNvcc = cudaTool('nvcc') && cudaTool('ptxas') ? undefined : 'no nvcc/ptxas (on the PATH or in /usr/local/cuda/bin)';

/** Each module compiled for CUDA, its id `prefix_i`; an Error where it does not compile. */
export const compileAll = (modules: readonly Module[], prefix: string): (CpuModel | Error)[] => compileEach(modules, (_m, i) => `${prefix}_${i}`);
