// Host values of nodes: the typed arrays the runtimes take and give, and as the IR's
// literals (constants, the interpreter's arguments) through compiler/io/typed_arrays.ts.
import type { ArrayLiteral } from '../../../ir/literal.js';
import type { ArrayShape } from '../../../ir/shape.js';
import type { TypedArray } from '../../../runtime/core/dtype.js';
import { literalOfArray } from '../../io/typed_arrays.js';
import type { Node } from './node.js';

/** The node's value when it is known on the host: data (unless still to come), or an op already computed. */
export function hostArray(n: Node): TypedArray | undefined {
  if (n.kind === 'data') return n.array;
  if (n.kind === 'op') return n.value;
  return undefined;
}

export function hostLiteral(n: Node): ArrayLiteral | undefined {
  const a = hostArray(n);
  return a && literalOfArray(n.shape as ArrayShape, a);
}
