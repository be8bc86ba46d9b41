// HLO element types as kernel IR sees them: which storage types kernels hold, the
// compute type each widens to, and whether a computation needs 64-bit (scalar-only) values.
import type { DType } from '../../ir/dtype.js';
import { computeTypeOf, isStorageType, isWide, type ScalarType, type StorageType } from '../../ir/kernel/kernel.js';
import { calledComputations, type Computation, type Instruction } from '../../ir/module.js';
import type { Shape } from '../../ir/shape.js';

export class UnsupportedType extends Error {
  override name = 'UnsupportedType';
}

export function storageType(t: DType): StorageType {
  if (!isStorageType(t)) throw new UnsupportedType(`element type ${t} is not compiled yet (kernels hold pred, s8..s64, u8..u64, f16, bf16, f32, f64)`);
  return t;
}

export const computeType = (t: DType): ScalarType => computeTypeOf(storageType(t));

const wideShape = (s: Shape): boolean =>
  s.kind === 'array' ? isStorageType(s.dtype) && isWide(computeTypeOf(s.dtype)) : s.elements.some(wideShape);

/**
 * Whether computing `instrs` handles a 64-bit value anywhere: in a result, an operand,
 * or a computation they call (a reducer, a map function). Such a kernel runs one element
 * at a time, since 64-bit values have no vector form.
 */
export function touchesWide(instrs: Iterable<Instruction>, seen = new Set<Computation>()): boolean {
  for (const i of instrs) {
    if (wideShape(i.shape) || i.operands.some((o) => wideShape(o.shape))) return true;
    for (const c of calledComputations(i)) {
      if (seen.has(c)) continue;
      seen.add(c);
      if (touchesWide(c.instructions, seen)) return true;
    }
  }
  return false;
}
