// WebAssembly SIMD, described (ir/target.ts): what lowering and the pipeline need to know
// about wasm, and nothing that loads binaryen, so the CLI's option tables can read it.
import { WASM32_MEMORY_BYTES } from '../../ir/limits.js';
import type { TargetDescription } from '../../ir/target.js';

export const WASM_TARGET: TargetDescription = {
  name: 'wasm',
  // v128 is four 32-bit lanes; i64 and f64 are native; f16 has no arithmetic (computed in f32); no subgroups.
  capabilities: { vectorLanes: 4, int64: true, float64: true, f16: false, subgroups: false },
  limits: {
    // A "workgroup" is one thread running one parallel iteration; threads share no scratch memory.
    maxWorkgroupInvocations: 1,
    workgroupMemoryBytes: 0,
    // Buffers are offsets into one linear memory: a kernel reads any number, each as large as the memory.
    maxStorageBindings: Infinity,
    maxBindingBytes: WASM32_MEMORY_BYTES,
    maxMemoryBytes: WASM32_MEMORY_BYTES,
    maxMemoryReason: 'wasm32 linear memory holds at most 4 GiB (and browsers may allow less)',
  },
  schedule: {
    kind: 'cpu',
    // f32 on a 128-bit SIMD CPU with 16 vector registers: a 4 × 8 tile keeps 8 accumulators
    // + 2 B vectors + 1 splat live; kc × nc of B (128 KiB) sits in L2 (passes/lower/tiled_dot.ts).
    dot: { mr: 4, nr: 8, mc: 64, kc: 256, nc: 128, pack: 1 },
    // A matrix-vector product streams B's rows 8 at a time: LeNet batch 1's 3136 × 1024 layer 2.2 -> 0.9 ms.
    gemvKc: 8,
    conv: { mr: 4, nr: 8, pmr: 4, pnr: 8, planar: 1 },
    // Fewer than 16 rows leave threads idle: split the minor dim into chunks of 1024.
    minRows: 16,
    chunk: 1024,
    windowUnroll: 16,
  },
  // Tiled convolutions read padding-free inputs, and planar mode wants HWIO kernels.
  hlo: { explicitConvPadding: true, convKernelLayout: 'hwio', rowFusion: true },
};
