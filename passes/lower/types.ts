// HLO element types as kernel IR sees them: which storage types kernels hold, and the
// compute type each widens to.
import type { DType } from '../../ir/dtype.js';
import { computeTypeOf, isStorageType, type ScalarType, type StorageType } from '../../ir/kernel/kernel.js';

export class UnsupportedType extends Error {
  override name = 'UnsupportedType';
}

export function storageType(t: DType): StorageType {
  if (!isStorageType(t)) throw new UnsupportedType(`element type ${t} is not compiled yet (kernels hold pred, s8..s32, u8..u32, f16, bf16, f32)`);
  return t;
}

export const computeType = (t: DType): ScalarType => computeTypeOf(storageType(t));
