// Which GPU template computes a kernel (gpu_dot.ts, gpu_conv.ts, gpu_transpose.ts), or
// none: then the plain loop kernel does, so anything the templates do not cover (64-bit
// types, exotic dims, shapes past the target's limits) still computes the right thing.
import type { Instruction } from '../../ir/module.js';
import type { GpuSchedule } from '../../ir/target.js';
import { gpuDot } from './gpu_dot.js';
import { gpuConv } from './gpu_conv.js';
import { gpuTranspose } from './gpu_transpose.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { touchesWide } from './types.js';

/** `op`: the dot or convolution the kernel computes (tiled.ts's contraction), if any. */
export function gpuKernel(spec: LoopKernelSpec, s: GpuSchedule, op: Instruction | undefined): LoweredKernel | undefined {
  if (spec.outputs.length !== 1 || spec.outputs[0].shape.kind !== 'array') return undefined;
  if (!op) return gpuTranspose(spec);
  if (!contractionFits(spec, op, s)) return undefined;
  if (op.opcode === 'dot') return gpuDot(spec, op, s);
  if (op.opcode === 'convolution') return gpuConv(spec, op, s);
  return undefined;
}

/** An f32 contraction over f32 buffers, shaped like the output, with an epilogue free of 64-bit values. */
function contractionFits(spec: LoopKernelSpec, op: Instruction, s: GpuSchedule): boolean {
  const dims = spec.outputs[0].shape.dims;
  if (spec.outputs[0].shape.dtype !== 'f32') return false;
  // Fewer outputs than one workgroup has invocations: a tile would sit mostly idle, and
  // SwiftShader (Chromium's WebGPU without a GPU) spent 3 minutes compiling LeNet's 1×10
  // GEMM shader and then lost the device. The loop kernel computes each output in one invocation.
  if (dims.reduce((a, b) => a * b, 1) < s.workgroupSize) return false;
  if (op.shape.kind !== 'array' || op.shape.dims.length !== dims.length || op.shape.dims.some((d, i) => d !== dims[i])) return false;
  if (op.operands.some((o) => !spec.inputs.has(o) || o.shape.kind !== 'array' || o.shape.dtype !== 'f32')) return false;
  return !(spec.body && touchesWide(spec.body.instructions));
}
