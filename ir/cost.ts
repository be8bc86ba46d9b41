// A rough count of element operations: enough to decide whether the reference
// interpreter can run a module in reasonable time. Not a performance model.
import type { Computation, Instruction, Module } from './module.js';
import { calledComputations } from './module.js';
import { ArrayShape, Shape, elementCount, leaves } from './shape.js';

/** Element operations of the entry computation (called computations counted per call). */
export function estimateWork(m: Module): number {
  return computationWork(m.entry, new Map());
}

function computationWork(c: Computation, memo: Map<Computation, number>): number {
  const have = memo.get(c);
  if (have !== undefined) return have;
  memo.set(c, 0); // recursion guard
  let total = 0;
  for (const i of c.instructions) total += instructionWork(i, memo);
  memo.set(c, total);
  return total;
}

const size = (s: Shape): number => leaves(s).reduce((a, l) => a + elementCount(l), 0);
const arr = (i: Instruction): ArrayShape => leaves(i.shape)[0] ?? { kind: 'array', dtype: 'f32', dims: [] };

function instructionWork(i: Instruction, memo: Map<Computation, number>): number {
  const out = size(i.shape);
  const callees = calledComputations(i);
  const calleeWork = callees.reduce((a, c) => a + computationWork(c, memo), 0);
  switch (i.opcode) {
    case 'dot':
      return out * Math.max(1, contracted(arr(i.operands[0]), i.attrs.lhs_contracting_dims ?? []));
    case 'convolution': {
      const kernel = arr(i.operands[1]);
      const perOut = elementCount(kernel) / Math.max(1, kernel.dims[i.attrs.dim_labels.kernelOutput]);
      return out * Math.max(1, perOut);
    }
    case 'reduce':
    case 'map':
    case 'sort':
      return size(i.operands[0].shape) * Math.max(1, calleeWork) * (i.opcode === 'sort' ? Math.log2(size(i.operands[0].shape) + 2) : 1);
    case 'reduce-window':
    case 'select-and-scatter': {
      const w = (i.attrs.window ?? []).reduce((a, d) => a * d.size, 1);
      return Math.max(out, size(i.operands[0].shape)) * w * Math.max(1, calleeWork);
    }
    case 'scatter':
      return size(i.operands[i.operands.length - 1].shape) * Math.max(1, calleeWork);
    case 'while':
      // Trip counts are not known statically; the interpreter's step budget guards long loops.
      return out + calleeWork;
    default:
      return out + calleeWork;
  }
}

function contracted(s: ArrayShape, dims: readonly number[]): number {
  return dims.reduce((a, d) => a * (s.dims[d] ?? 1), 1);
}
