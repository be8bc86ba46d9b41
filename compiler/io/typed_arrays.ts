// Typed arrays (what the runtimes take and give, runtime/core/dtype.ts's ARRAY_OF) ↔ the
// IR's array literals (what constants and the interpreter hold), through each value's
// little-endian bytes, the layout every runtime and target uses, so f16/bf16 raw bits and
// s64 bigints convert exactly.
import type { ArrayLiteral } from '../../ir/literal.js';
import { literalBytes, literalFromBytes } from '../../ir/scalar/elements.js';
import type { ArrayShape } from '../../ir/shape.js';
import { ARRAY_OF, type DType, type TypedArray } from '../../runtime/core/dtype.js';

/** The literal of `shape` holding `a`'s values (the typed array of its dtype). */
export const literalOfArray = (shape: ArrayShape, a: TypedArray): ArrayLiteral =>
  literalFromBytes(shape, new DataView(a.buffer, a.byteOffset, a.byteLength));

/** `l`'s values in the typed array of its dtype, over a buffer of its own. */
export function arrayOfLiteral(l: ArrayLiteral): TypedArray {
  const bytes = literalBytes(l).slice();
  return new ARRAY_OF[l.shape.dtype as DType](bytes.buffer);
}
