// Ops that are not one value per output element: sort, scatter and select-and-scatter
// each lower to kernels of their own (a row-parallel merge sort; a copy, then updates
// applied in the interpreter's order). Fusion never puts them inside a fusion
// (passes/fusion.ts fuses only elementwise and loop-structural ops); sort's and scatter's
// elemental rules stay strings, so the emitter refuses them if it ever did.
// select-and-scatter with disjoint windows has an elemental rule, which its own lowering
// runs as a loop kernel.
import type { Opcode } from '../../ir/opcodes.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { loopKernel, type BufferRef, type LoopKernelSpec, type LoweredKernel } from './loop_kernel.js';
import { scatterKernels } from './scatter.js';
import { selectAndScatterKernels } from './select_and_scatter.js';
import { sortKernels } from './sort.js';

export interface OwnKernelSpec extends LoopKernelSpec {
  /** A fresh arena buffer of its own (working space), placed past everything else. */
  readonly scratch: (name: string, shape: ArrayShape) => BufferRef;
}

const OWN = new Set<Opcode>(['sort', 'scatter', 'select-and-scatter']);

/** Whether `instr` lowers to kernels of its own rather than through its elemental rule. */
export const hasOwnKernels = (instr: Instruction): boolean => OWN.has(instr.opcode);

/** The kernels for an instruction `hasOwnKernels` accepts. */
export function ownKernels(instr: Instruction, spec: OwnKernelSpec): LoweredKernel[] {
  switch (instr.opcode) {
    case 'sort': return sortKernels(instr as InstructionOf<'sort'>, spec);
    case 'scatter': return scatterKernels(instr as InstructionOf<'scatter'>, spec);
    case 'select-and-scatter': return selectAndScatterKernels(instr as InstructionOf<'select-and-scatter'>, spec);
    default: throw new Error(`lowering: %${instr.name} (${instr.opcode}) has no kernels of its own`);
  }
}

/** A loop kernel copying operand `x` (read from its buffer) into `to`, of the same dims. */
export function copyKernel(spec: OwnKernelSpec, name: string, x: Instruction, to: BufferRef): LoweredKernel {
  const from = spec.inputs.get(x);
  if (!from) throw new Error(`lowering: %${x.name} has no buffer`);
  return loopKernel({ ...spec, name, root: x, body: undefined, inputs: new Map([[x, from]]), outputs: [to] });
}
