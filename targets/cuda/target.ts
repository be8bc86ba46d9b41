// CUDA C on NVIDIA GPUs, described (ir/target.ts): what lowering and the pipeline need to
// know. The schedules are the GPU templates WGSL uses (passes/lower/gpu_*.ts), with CUDA's
// larger limits where they are only limits; tile sizes stay WebGPU's until a GPU measures
// better ones (no machine here has one).
import { WASM32_MEMORY_BYTES } from '../../ir/limits.js';
import type { TargetDescription } from '../../ir/target.js';
import { WGSL_TARGET } from '../wgsl/target.js';

export const CUDA_TARGET: TargetDescription = {
  name: 'cuda',
  // float4/int4/uint4 vectors; C has s64/u64 and f64 natively. f16 computes in f32 (loads
  // and stores convert), and lowering writes no subgroup operations yet.
  capabilities: { vectorLanes: 4, int64: true, float64: true, f16: false, subgroups: false },
  limits: {
    maxWorkgroupInvocations: 1024,
    // Static __shared__ memory per block (more needs a dynamic opt-in per kernel).
    workgroupMemoryBytes: 48 * 1024,
    maxStorageBindings: Infinity,
    maxBindingBytes: Infinity,
    // Kernel IR indexes elements with s32, and the regions' offsets are 32-bit numbers.
    maxMemoryBytes: WASM32_MEMORY_BYTES,
    maxMemoryReason: 'kiln addresses a program\'s memory with 32 bits',
  },
  // WGSL's GPU schedules and HLO preferences, as they are: the same templates, tested on
  // both targets; tuning them for CUDA wants a GPU to measure on.
  schedule: WGSL_TARGET.schedule,
  hlo: WGSL_TARGET.hlo,
};
