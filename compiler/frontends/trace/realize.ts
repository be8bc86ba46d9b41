// Reading values: the graph behind the tensors becomes one module whose parameters are the
// host data it reads (so it is compiled once per structure, not per value), run on the
// configured backend; each result is kept on its node, so later graphs read it as data.
import { interpret } from '../../../ir/interpret/index.js';
import type { TypedArray } from '../../../runtime/core/dtype.js';
import { config } from './config.js';
import { emitEager } from './emit.js';
import { executableFor } from './executables.js';
import { arrayOfLiteral, literalOfArray } from '../../io/typed_arrays.js';
import { hostArray } from './host.js';
import type { DataNode, Node } from './node.js';
import type { Tensor } from './tensor.js';
import type { ArrayLiteral } from '../../../ir/literal.js';
import type { ArrayShape } from '../../../ir/shape.js';

/** The values of `tensors`, computed together in one module where any is not yet known. */
export async function realize(tensors: readonly Tensor[]): Promise<TypedArray[]> {
  const pending = unknown(tensors);
  await arrived(tensors.map((t) => t.node));
  if (pending.length > 0) {
    const { module, inputs } = emitEager(pending);
    const exe = await executableFor(module, { backend: config.backend, threads: config.threads });
    const out = await exe.run(inputs.map((n) => hostArray(n)!));
    pending.forEach((n, i) => { n.value = out[i]; });
  }
  return tensors.map((t) => readable(t.node));
}

/** The node's values for a caller to keep: a copy where they are a view a later run overwrites. */
const readable = (n: Node): TypedArray => (n.kind === 'data' && n.resident ? n.array!.slice() : hostArray(n)!);

let batch: { tensors: Tensor[]; done: Promise<Promise<TypedArray>[]> } | undefined;

/** `t`'s values, computed with every other tensor read in the same turn, by one module. */
export function realizeSoon(t: Tensor): Promise<TypedArray> {
  if (!batch) {
    const tensors: Tensor[] = [];
    // The batch is closed when the microtask runs: reads after that start the next one.
    const done = Promise.resolve().then(() => {
      batch = undefined;
      return realizeEach(tensors);
    });
    batch = { tensors, done };
  }
  const at = batch.tensors.push(t) - 1;
  return batch.done.then((results) => results[at]);
}

/** Together; where that fails, one by one, so each read gets its own error (or value). */
async function realizeEach(tensors: Tensor[]): Promise<Promise<TypedArray>[]> {
  try {
    return (await realize(tensors)).map((a) => Promise.resolve(a));
  } catch {
    return tensors.map((t) => realize([t]).then(([a]) => a));
  }
}

export function realizeSync(t: Tensor): TypedArray {
  const pending = unknown([t]);
  const waiting = futures([t.node]);
  if (waiting.length > 0) throw new Error('kiln: dataSync() on a value a jitted call is still computing: use await t.data()');
  if (pending.length > 0) {
    const { module, inputs } = emitEager(pending);
    const args = inputs.map((n) => literalOfArray(n.shape as ArrayShape, hostArray(n)!));
    const result = interpret(module, args);
    if (result.shape.kind !== 'tuple') throw new Error('kiln: an eager module returned no tuple');
    pending.forEach((n, i) => { n.value = arrayOfLiteral((result as { elements: readonly ArrayLiteral[] }).elements[i]); });
  }
  return readable(t.node);
}

/** The op nodes among `tensors` without a value yet; a traced value cannot be read. */
function unknown(tensors: readonly Tensor[]): (Node & { kind: 'op' })[] {
  const out: (Node & { kind: 'op' })[] = [];
  for (const { node } of tensors) {
    if (node.level > 0)
      throw new Error('kiln: a traced value has no data yet: inside jit, grad or vmap a tensor stands for every input of its shape; return it and read it outside');
    if (node.kind === 'op' && node.value === undefined && !out.includes(node)) out.push(node);
  }
  return out;
}

/** Waits for every value still to come that `roots` are computed from. */
export async function arrived(roots: readonly Node[]): Promise<void> {
  for (const n of futures(roots)) await n.ready;
}

/** The data nodes still to come that `roots` are computed from. */
function futures(roots: readonly Node[]): DataNode[] {
  const out: DataNode[] = [];
  const seen = new Set<Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.kind === 'data' && n.array === undefined) out.push(n);
    else if (n.kind === 'op' && n.value === undefined) stack.push(...n.operands);
  }
  return out;
}
