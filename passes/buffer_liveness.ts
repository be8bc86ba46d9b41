// The logical buffers of an entry computation and when each must hold its value: the
// analysis half of buffer assignment (buffer_assignment.ts places them in the arena).
//
// A logical buffer is one array an instruction writes: one per array leaf of its result.
// Four opcodes write nothing and name buffers that already exist (XLA's points-to
// analysis, simplified): `tuple` (its elements are its operands' buffers),
// `get-tuple-element` (the selected element's), and `bitcast` and `reshape` (a row-major
// reshape moves no bytes; kiln ignores layouts). A tuple has no buffer of its own: the
// runtime never needs the pointer table XLA keeps for one.
//
// Time is the position in the schedule, the order of `entry.instructions`. A buffer is
// live from its definition to the last instruction that reads it through any name
// (operand, tuple element, reshape...), both ends included: an instruction reads its
// operands and writes its result at the same time, so those must not share bytes unless
// buffer_assignment.ts proves writing in place is safe.
import { byteSize } from '../ir/dtype.js';
import type { Computation, Instruction } from '../ir/module.js';
import { type ArrayShape, type Shape, elementCount, leaves, shapeToString } from '../ir/shape.js';

export interface BufferSlice {
  /** Byte offset in the arena. */
  offset: number;
  bytes: number;
}

export type BufferKind = 'parameter' | 'constant' | 'output' | 'temp';

export interface LogicalBuffer {
  id: number;
  /** The entry instruction that defines it. */
  instr: Instruction;
  /** Tuple index path within instr's shape ([] for arrays). */
  index: number[];
  shape: ArrayShape;
  /** Elements times dtype size; sub-byte types take a byte per element, tokens none. */
  bytes: number;
  kind: BufferKind;
  /** Undefined for constants: they live in a separate read-only segment. */
  slice?: BufferSlice;
  /** First schedule position at which it holds its value (0 for parameters: inputs are copied in before the run). */
  start: number;
  /** Last schedule position that reads it; the schedule's length for what the root returns. */
  end: number;
  /** The operand buffer whose slice this one took over by writing in place. */
  inPlaceOf?: LogicalBuffer;
}

/** Opcodes whose result is made of buffers their operands already have. */
const ALIAS_OPCODES = new Set<string>(['tuple', 'get-tuple-element', 'bitcast', 'reshape']);

export interface Liveness {
  buffers: LogicalBuffer[];
  /** Instruction → the buffers of its result's array leaves, in leaf order (aliases resolved). */
  values: Map<Instruction, LogicalBuffer[]>;
  /** Instruction → its position in the schedule. */
  position: Map<Instruction, number>;
  /** Schedule length: outputs stay live until this position, after the last instruction. */
  length: number;
}

/** Defines the entry's logical buffers, resolves aliases, and computes live ranges. */
export function analyseLiveness(entry: Computation): Liveness {
  const position = new Map(entry.instructions.map((i, k) => [i, k]));
  const values = new Map<Instruction, LogicalBuffer[]>();
  const buffers: LogicalBuffer[] = [];
  const aliasing = new Set<Instruction>();
  entry.instructions.forEach((instr, k) => {
    const aliased = aliasedValue(instr, values);
    if (aliased) {
      aliasing.add(instr);
      values.set(instr, aliased);
      return;
    }
    const defined: LogicalBuffer[] = [];
    for (const index of leafPaths(instr.shape)) defined.push(defineBuffer(instr, index, buffers.length + defined.length, k));
    buffers.push(...defined);
    values.set(instr, defined);
  });
  const n = entry.instructions.length;
  entry.instructions.forEach((instr, k) => {
    if (aliasing.has(instr)) return; // the alias's users read, not the alias itself
    for (const o of instr.operands) for (const b of valueOf(o, values, instr)) b.end = Math.max(b.end, k);
  });
  for (const b of valueOf(entry.root, values, entry.root)) {
    b.end = n;
    if (b.kind === 'temp') b.kind = 'output';
  }
  return { buffers, values, position, length: n };
}

function defineBuffer(instr: Instruction, index: number[], id: number, k: number): LogicalBuffer {
  const shape = subArray(instr.shape, index);
  if (shape.dims.some((d) => d < 0))
    throw new Error(`buffer assignment needs static shapes: ${instr.name} is ${shapeToString(instr.shape)}`);
  const kind = instr.opcode === 'parameter' ? 'parameter' : instr.opcode === 'constant' ? 'constant' : 'temp';
  const start = kind === 'parameter' ? 0 : k;
  return { id, instr, index, shape, bytes: elementCount(shape) * byteSize(shape.dtype), kind, start, end: start };
}

/** The buffers an aliasing instruction names, or undefined when it writes a new buffer. */
function aliasedValue(instr: Instruction, values: Map<Instruction, LogicalBuffer[]>): LogicalBuffer[] | undefined {
  if (!ALIAS_OPCODES.has(instr.opcode)) return undefined;
  if (instr.opcode === 'tuple') return instr.operands.flatMap((o) => valueOf(o, values, instr));
  const operand = valueOf(instr.operands[0], values, instr);
  if (instr.opcode === 'get-tuple-element') {
    const { first, count } = leafRange(instr.operands[0].shape, [(instr.attrs as { index: number }).index]);
    return operand.slice(first, first + count);
  }
  // bitcast / reshape: the same bytes under another shape; anything else writes its own.
  const same = operand.length === 1 && instr.shape.kind === 'array' && operand[0].bytes === elementCount(instr.shape) * byteSize(instr.shape.dtype);
  return same ? operand : undefined;
}

function valueOf(o: Instruction, values: Map<Instruction, LogicalBuffer[]>, user: Instruction): LogicalBuffer[] {
  const v = values.get(o);
  if (!v) throw new Error(`buffer assignment: ${user.name} reads ${o.name}, which is not earlier in the entry`);
  return v;
}

/** Index paths of a shape's array leaves, in order. */
export function leafPaths(s: Shape, prefix: number[] = []): number[][] {
  return s.kind === 'array' ? [prefix] : s.elements.flatMap((e, k) => leafPaths(e, [...prefix, k]));
}

/** Which of a shape's leaves (in leaves() order) lie under an index path. */
export function leafRange(s: Shape, index: readonly number[]): { first: number; count: number } {
  let first = 0;
  let cur = s;
  for (const k of index) {
    if (cur.kind !== 'tuple' || k < 0 || k >= cur.elements.length)
      throw new Error(`shape index {${index.join(',')}} is not valid in ${shapeToString(s)}`);
    for (let j = 0; j < k; j++) first += leaves(cur.elements[j]).length;
    cur = cur.elements[k];
  }
  return { first, count: leaves(cur).length };
}

function subArray(s: Shape, index: readonly number[]): ArrayShape {
  let cur = s;
  for (const k of index) cur = (cur as { elements: readonly Shape[] }).elements[k];
  return cur as ArrayShape;
}
