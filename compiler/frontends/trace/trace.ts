// Tracing a function: its arguments' leaves become parameters of a new trace, the function
// runs on tensors that stand for them, and what it returns becomes one module (emit.ts).
import { array, type ArrayShape } from '../../../ir/shape.js';
import { emit, type Emitted, type HostPolicy } from './emit.js';
import { paramNode, withTrace, type Node, type ParamNode } from './node.js';
import { flatten, unflatten, type Leaf, type Structure } from './pytree.js';
import { Tensor } from './tensor.js';

/** A function's trace: its parameters, the nodes it returned, and how to rebuild its result. */
export interface Traced {
  readonly name: string;
  readonly level: number;
  readonly params: readonly ParamNode[];
  readonly outputs: readonly Node[];
  /** The structure of what the function returned, to rebuild it around the results. */
  readonly output: Structure;
  /** Whether each output leaf was a weak-typed value (a JS number's). */
  readonly weakOutputs: readonly boolean[];
}

/** The module of some of a trace's outputs (all by default); `captured` lists the extra parameters' nodes. */
export function emitTraced(t: Traced, outputs: readonly Node[] = t.outputs, host?: HostPolicy): Emitted {
  return emit(t.name, t.level, t.params, outputs, host);
}

/** The shape a leaf stands for as a parameter: a tensor's, or a JS number's weak f32 scalar. */
export function leafShape(x: Leaf): ArrayShape {
  if (x instanceof Tensor) return array(x.dtype, x.shape);
  return array(typeof x === 'boolean' ? 'pred' : 'f32', []);
}

const isWeakLeaf = (x: Leaf): boolean => (x instanceof Tensor ? x.weak : typeof x === 'number');

/**
 * Traces `fn` on `args`: each leaf `i` of the flattened arguments becomes parameter `i`,
 * with `shapes[i]` when given (vmap traces one example of a batch).
 */
export function trace(name: string, fn: (...args: never[]) => unknown, args: readonly unknown[], shapes?: readonly ArrayShape[]): Traced {
  const { leaves, structure } = flatten(args);
  return withTrace((level) => {
    const params = leaves.map((x, i) => paramNode(shapes?.[i] ?? leafShape(x), i, level));
    const tracers = params.map((p, i) => new Tensor(p, isWeakLeaf(leaves[i])));
    const result = fn(...unflatten<never[]>(structure, tracers));
    const out = flatten(result);
    const outLeaves = out.leaves.map(asTracedOutput);
    return { name, level, params, outputs: outLeaves.map((t) => t.node), output: out.structure, weakOutputs: outLeaves.map((t) => t.weak) };
  });
}

/** A returned leaf as a tensor: a JS number returned as it is becomes a weak constant. */
function asTracedOutput(x: Leaf): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`kiln trace: a traced function returned the ${typeof x} ${String(x)}; return tensors (np.array(x)) so the value is computed`);
}
