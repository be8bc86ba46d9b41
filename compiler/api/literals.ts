// Typed arrays ↔ the compiler's literals, for the backends that take literals (the
// interpreter, kernels, webgpu): through each value's little-endian bytes, the layout every
// runtime and target uses, so f16/bf16 raw bits and s64 bigints round-trip exactly.
import type { ArrayLiteral, Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { leaves } from '../../ir/shape.js';
import type { TypedArray } from '../../runtime/core/dtype.js';
import { arrayOfLiteral, literalOfArray } from '../io/typed_arrays.js';
import { leavesOf } from '../compare.js';
import { resultLiteral } from '../program_io.js';

/** One literal per entry parameter, from the (checked) arrays of its leaves in order. */
export function toLiterals(m: Module, arrays: readonly TypedArray[]): Literal[] {
  let next = 0;
  return m.entry.params.map((p) => resultLiteral(p.shape, leaves(p.shape).map((s) => literalOfArray(s, arrays[next++]))));
}

/** The result's array leaves, depth first, each as the typed array of its dtype. */
export function fromLiteral(result: Literal): TypedArray[] {
  return leavesOf(result).map(({ value }: { value: ArrayLiteral }) => arrayOfLiteral(value));
}

