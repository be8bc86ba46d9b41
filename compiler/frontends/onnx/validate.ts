// Checks every node against its row of the arity table (ops/arity.ts) before lowering,
// and its outputs after: the node is named in every message, and a lowering only ever
// sees the inputs, ranks and element types its op defines.
import { isFloat, type DType } from '../../../ir/dtype.js';
import type { Instruction } from '../../../ir/module.js';
import { leaves, shapeToString, type Shape } from '../../../ir/shape.js';
import { ARITY } from './ops/arity.js';
import type { NodeProto } from './proto/onnx_pb.js';

const count = (n: number): string => (n === Infinity ? 'any number of' : String(n));
const range = ([lo, hi]: readonly [number, number]): string => (lo === hi ? count(lo) : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`);

/** Throws (through fail) when the node's inputs or outputs are not what its op takes. */
export function checkNode(node: NodeProto, shapeOf: (i: number) => Shape | undefined, fail: (msg: string) => never): void {
  const a = Object.hasOwn(ARITY, node.opType) ? ARITY[node.opType] : undefined;
  if (!a) return; // an op added to the table without a row yet: tests/onnx/arity.test.ts catches it
  const [inLo, inHi] = a.inputs, [outLo, outHi] = a.outputs;
  if (node.input.length > inHi || node.input.length < inLo)
    fail(`takes ${range(a.inputs)} input(s), the node has ${node.input.length}`);
  for (let i = 0; i < inLo; i++) if (node.input[i] === '') fail(`input ${i} is required`);
  if (node.output.length > outHi || node.output.length < outLo)
    fail(`has ${range(a.outputs)} output(s), the node has ${node.output.length}`);
  if (outLo > 0 && node.output[0] === '') fail('output 0 has no name');
  const dtype = (i: number): DType | undefined => { const s = shapeOf(i); return s?.kind === 'array' ? s.dtype : undefined; };
  const x = shapeOf(0);
  if (a.float && x?.kind === 'array' && !isFloat(x.dtype)) fail(`input 0 is ${x.dtype}; ${node.opType} is defined for floating-point tensors only`);
  if (a.minRank !== undefined && x?.kind === 'array' && x.dims.length < a.minRank)
    fail(`input 0 has rank ${x.dims.length} (${shapeToString(x, { layout: false })}); ${node.opType} needs rank ${a.minRank} or more`);
  const same = a.same === 'all' ? node.input.map((_, i) => i) : (a.same ?? []);
  const typed = same.map((i) => [i, dtype(i)] as const).filter(([, t]) => t !== undefined);
  const mixed = typed.find(([, t]) => t !== typed[0][1]);
  if (mixed) fail(`inputs ${typed[0][0]} and ${mixed[0]} are ${typed[0][1]} and ${mixed[1]}; ${node.opType} needs one element type (insert a Cast)`);
}

/** Throws when a lowered output has a dim no tensor can have (a negative size from a shape input). */
export function checkOutputs(outs: readonly (Instruction | undefined)[], fail: (msg: string) => never): void {
  outs.forEach((o, k) => {
    if (!o) return;
    for (const leaf of leaves(o.shape))
      if (leaf.dims.some((d) => d < 0 || !Number.isSafeInteger(d))) fail(`output ${k} would be ${shapeToString(leaf, { layout: false })}: a dimension is negative or not an integer`);
  });
}
