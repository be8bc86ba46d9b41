// The traced graph: what a Tensor stands for. Every array operation makes a node; nothing
// is computed until a value is read (Tensor.data) or a traced function's graph becomes a
// module (emit.ts). Eager use and tracing are one mechanism: an eager chain of ops is a
// graph whose leaves are host data, a traced function's graph has parameter leaves.
//
// Each node has a `level`: 0 when it depends only on host data, else the id of the
// innermost trace whose parameters it reads. A trace's module is made of the nodes at its
// own level; nodes of an outer trace it meets are values it closes over (emit.ts makes
// them extra parameters), level-0 nodes are constants.
import type { Opcode, OpAttrs } from '../../../ir/opcodes.js';
import { inferShape } from '../../../ir/shape_inference.js';
import type { ArrayShape, Shape } from '../../../ir/shape.js';
import type { TypedArray } from '../../../runtime/core/dtype.js';

interface Base {
  readonly id: number;
  readonly shape: Shape;
  readonly level: number;
}

/**
 * Host values: an array made from JS data, or a jitted call's result. The latter is a
 * future until the call has run: `ready` settles when `array` is set (or holds the error).
 */
export interface DataNode extends Base {
  readonly kind: 'data';
  readonly shape: ArrayShape;
  array?: TypedArray;
  ready?: Promise<unknown>;
  /** Where `array` is a view of a wasm model's memory (a donated call's output), that model's runner. */
  resident?: object;
}

/** A traced function's input, parameter `index` of trace `level`. */
export interface ParamNode extends Base {
  readonly kind: 'param';
  readonly shape: ArrayShape;
  readonly index: number;
}

/** An HLO instruction over other nodes. `value` is set once an eager read computed it. */
export interface OpNode extends Base {
  readonly kind: 'op';
  readonly opcode: Opcode;
  readonly attrs: object;
  readonly operands: readonly Node[];
  value?: TypedArray;
}

export type Node = DataNode | ParamNode | OpNode;

let nextId = 1;

export function dataNode(shape: ArrayShape, array: TypedArray): DataNode {
  return { kind: 'data', id: nextId++, shape, array, level: 0 };
}

/** A value a running call will deliver, and how that call delivers it (or why it cannot). */
export interface Pending {
  readonly node: DataNode;
  settle(a: TypedArray): void;
  fail(e: unknown): void;
}

export function pendingNode(shape: ArrayShape): Pending {
  const node: DataNode = { kind: 'data', id: nextId++, shape, level: 0 };
  let settle!: (a: TypedArray) => void, fail!: (e: unknown) => void;
  node.ready = new Promise<void>((resolve, reject) => {
    settle = (a) => { node.array = a; resolve(); };
    fail = reject;
  });
  // The error reaches whoever reads the value; an unread failure is not an unhandled rejection.
  node.ready.catch(() => {});
  return { node, settle, fail };
}

export function paramNode(shape: ArrayShape, index: number, level: number): ParamNode {
  return { kind: 'param', id: nextId++, shape, index, level };
}

/**
 * An instruction node; its shape is inferred (or checked, when `shape` is given) by the
 * IR's own shape rules, so a mismatch is reported where the op is called.
 */
export function opNode<K extends Opcode>(opcode: K, operands: readonly Node[], attrs: OpAttrs<K>, shape?: Shape): OpNode {
  const inferred = inferShape(opcode, operands.map((o) => o.shape), attrs, { written: shape });
  const level = operands.reduce((l, o) => Math.max(l, o.level), 0);
  return { kind: 'op', id: nextId++, opcode, attrs, operands, shape: shape ?? inferred, level };
}

/** The array shape of a node, which every Tensor's node has. */
export function arrayShape(n: Node): ArrayShape {
  if (n.shape.kind !== 'array') throw new Error(`kiln trace: node ${n.id} is a tuple where an array was expected`);
  return n.shape;
}

// --- Traces ----------------------------------------------------------------------------

let traceDepth = 0;

/** Runs `body` as a new trace one level deeper than any open one; its level is the argument. */
export function withTrace<T>(body: (level: number) => T): T {
  traceDepth++;
  try {
    return body(traceDepth);
  } finally {
    traceDepth--;
  }
}

/** Whether some trace is open (a jitted function inside another is then inlined). */
export const tracing = (): boolean => traceDepth > 0;
