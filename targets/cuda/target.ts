// CUDA C on NVIDIA GPUs, described (ir/target.ts): what lowering and the pipeline need to
// know. The schedules are the GPU templates WGSL uses (passes/lower/gpu_*.ts), with CUDA's
// larger limits.
import { WASM32_MEMORY_BYTES } from '../../ir/limits.js';
import type { GpuSchedule, TargetDescription } from '../../ir/target.js';
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
    // A kernel's pointer reaches its whole region; the regions are addressed with 32 bits.
    maxBindingBytes: WASM32_MEMORY_BYTES,
    // Kernel IR indexes elements with s32, and the regions' offsets are 32-bit numbers.
    maxMemoryBytes: WASM32_MEMORY_BYTES,
    maxMemoryReason: 'kiln addresses a program\'s memory with 32 bits',
  },
  // WGSL's GPU schedules (the same templates, tested on both targets), with a GEMM tile
  // sized for CUDA's limits rather than WebGPU's defaults: 64 × 64 outputs per block (256
  // threads of 4 × 4 accumulators), K in steps of 16 through 8 KiB of shared memory, twice
  // the outputs per staged element of WGSL's 32 × 32 × 8. Chosen by the usual SGEMM
  // arithmetic, not measured: no GPU has run it yet (docs/cuda.md).
  schedule: { ...(WGSL_TARGET.schedule as GpuSchedule), dot: { tileM: 64, tileN: 64, tileK: 16 } },
  hlo: WGSL_TARGET.hlo,
};
