// WGSL on WebGPU, described (ir/target.ts): what lowering and the pipeline need to know about
// a WebGPU device that any adapter provides. The numbers are WebGPU's default limits, which
// every adapter meets, so a model compiled with them runs everywhere; the runtime checks the
// device it is given and asks for more only where a model needs it.
import { WASM32_MEMORY_BYTES } from '../../ir/limits.js';
import type { TargetDescription } from '../../ir/target.js';

export const WGSL_TARGET: TargetDescription = {
  name: 'wgsl',
  // vec4 of 32-bit lanes; WGSL has no 64-bit types: the renderer emulates s64/u64 on
  // vec2<u32> and refuses f64, and `int64: false` keeps the narrow-int64 pass, which moves
  // what provably fits to s32 (one word is cheaper than two); f16 arithmetic needs the optional `shader-f16`
  // feature and subgroups another optional feature: neither is assumed.
  capabilities: { vectorLanes: 4, int64: false, float64: false, f16: false, subgroups: false },
  limits: {
    maxWorkgroupInvocations: 256,
    workgroupMemoryBytes: 16384,
    maxStorageBindings: 8,
    // maxStorageBufferBindingSize: each region (constants, arena) is bound whole.
    maxBindingBytes: 128 * 1024 * 1024,
    // Kernel IR indexes elements with s32 and the renderer words with u32; the runtime
    // refuses a region larger than the device's binding limit when it loads.
    maxMemoryBytes: WASM32_MEMORY_BYTES,
    maxMemoryReason: 'kiln addresses a program\'s memory with 32 bits (and a WebGPU device binds at most maxStorageBufferBindingSize of it at once)',
  },
  schedule: {
    kind: 'gpu',
    workgroupSize: 64,
    // Chromium's SwiftShader ran the LayerNorm+GELU+softmax row kernel of [1024, 768] in
    // 430-490 ms at 64 invocations per row, 105-285 at 32, 66-130 at 16, 47-54 at 8
    // (bench/RESULTS.md); 16 is half a warp, a subgroup on most GPUs.
    rowWidth: 16,
    // 32 × 32 outputs per workgroup, K in steps of 8 through workgroup memory: 2 KiB.
    dot: { tileM: 32, tileN: 32, tileK: 8 },
  },
  // A GPU convolution reads with bounds checks and any kernel layout: no padding or layout passes.
  hlo: { explicitConvPadding: false, convKernelLayout: 'as-given', rowFusion: true },
};
