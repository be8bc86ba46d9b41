// Host values of nodes: typed arrays (what the runtimes take and give) and the IR's
// literals (what constants and the interpreter hold), through their little-endian bytes
// so that every dtype, f16's raw bits and s64's bigints included, converts exactly.
import type { ArrayLiteral } from '../../../ir/literal.js';
import { literalBytes, literalFromBytes } from '../../../ir/scalar/elements.js';
import type { ArrayShape } from '../../../ir/shape.js';
import { ARRAY_OF, type DType, type TypedArray } from '../../../runtime/core/dtype.js';
import type { Node } from './node.js';

/** The node's value when it is known on the host: data (unless still to come), or an op already computed. */
export function hostArray(n: Node): TypedArray | undefined {
  if (n.kind === 'data') return n.array;
  if (n.kind === 'op') return n.value;
  return undefined;
}

export function hostLiteral(n: Node): ArrayLiteral | undefined {
  const a = hostArray(n);
  return a && toLiteral(n.shape as ArrayShape, a);
}

export const toLiteral = (shape: ArrayShape, a: TypedArray): ArrayLiteral =>
  literalFromBytes(shape, new DataView(a.buffer, a.byteOffset, a.byteLength));

export function fromLiteral(l: ArrayLiteral): TypedArray {
  const bytes = literalBytes(l).slice();
  return new ARRAY_OF[l.shape.dtype as DType](bytes.buffer);
}
