// Tiled, register-blocked kernels for dot and convolution, alone or as the root side of
// a kOutput fusion (the epilogue is computed from the accumulator registers). Shapes a
// tiled kernel does not cover return undefined and the loop kernel's elemental form
// computes them (tiled_dot.ts, tiled_conv.ts; shared pieces in tiled_common.ts). They are
// CPU templates (register tiles, packed panels) and read the target's CPU schedule; a
// target without one gets loop kernels.
import type { Instruction } from '../../ir/module.js';
import { cpuSchedule } from '../../ir/target.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { tiledDot } from './tiled_dot.js';
import { tiledConv } from './tiled_conv.js';
import { touchesWide } from './types.js';
import { gpuKernel } from './gpu_kernels.js';

export function tiledKernel(spec: LoopKernelSpec): LoweredKernel | undefined {
  // A GPU target's templates are workgroup-tiled grid kernels (gpu_kernels.ts).
  if (spec.target.schedule.kind === 'gpu') return gpuKernel(spec, spec.target.schedule, contraction(spec));
  const op = contraction(spec);
  const cpu = cpuSchedule(spec.target);
  if (!op || !cpu || spec.outputs.length !== 1 || spec.outputs[0].shape.dtype !== 'f32' || spec.target.capabilities.vectorLanes === 1) return undefined;
  const dims = (spec.outputs[0].shape as { dims: readonly number[] }).dims;
  if (op.shape.kind !== 'array' || op.shape.dims.length !== dims.length || op.shape.dims.some((d, i) => d !== dims[i])) return undefined;
  if (op.operands.some((o) => !spec.inputs.has(o) || o.shape.kind !== 'array' || o.shape.dtype !== 'f32')) return undefined;
  // The epilogue runs on 4-lane accumulators: a fused 64-bit value (scalar only) leaves it to the loop kernel.
  if (spec.body && touchesWide(spec.body.instructions)) return undefined;
  if (op.opcode === 'dot') return tiledDot(spec, op, cpu);
  if (op.opcode === 'convolution') return tiledConv(spec, op, cpu.conv);
  return undefined;
}

/** The dot or convolution computed: the instruction itself, or the one inside a kOutput fusion. */
function contraction(spec: LoopKernelSpec): Instruction | undefined {
  if (spec.root.opcode === 'dot' || spec.root.opcode === 'convolution') return spec.root;
  if (spec.source.opcode !== 'fusion' || spec.source.attrs.kind !== 'kOutput' || !spec.body) return undefined;
  const ops = spec.body.instructions.filter((i) => i.opcode === 'dot' || i.opcode === 'convolution');
  return ops.length === 1 ? ops[0] : undefined;
}
