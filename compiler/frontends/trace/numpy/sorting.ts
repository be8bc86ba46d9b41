// Sorting: sort and argsort along an axis, with NaNs last as numpy and JAX order them.
import { ModuleBuilder } from '../../../../ir/builder.js';
import { isFloat } from '../../../../ir/dtype.js';
import type { Computation } from '../../../../ir/module.js';
import { scalar } from '../../../../ir/shape.js';
import type { DType } from '../../../../runtime/core/dtype.js';
import { asTensor, axesOf, iota, node, reshape, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';

const builder = new ModuleBuilder('comparators');
const made = new Map<string, Computation>();

/**
 * The "less than" of a sort by its first operand (`keyType`), the others (`carried`)
 * riding along. For floats a NaN is greater than every number, so NaNs sort last.
 */
function comparator(keyType: DType, carried: readonly DType[]): Computation {
  const name = `less_${keyType}_${carried.join('_')}`;
  let c = made.get(name);
  if (!c) {
    c = builder.computation(name, (b) => {
      const [x, y] = [b.parameter(scalar(keyType), 'a'), b.parameter(scalar(keyType), 'b')];
      for (const t of carried) {
        b.parameter(scalar(t));
        b.parameter(scalar(t));
      }
      const less = b.compare(x, y, 'LT');
      if (!isFloat(keyType)) return less;
      return b.or(less, b.and(b.compare(x, x, 'EQ'), b.compare(y, y, 'NE')));
    });
    made.set(name, c);
  }
  return c;
}

/** `keys` sorted along `axis` (stable), and `values` moved with them. */
export function sortKeyVal(keys: Tensor, values: readonly Tensor[], axis: number): Tensor[] {
  const [a] = axesOf(axis, keys.ndim);
  const to_apply = comparator(keys.dtype, values.map((v) => v.dtype));
  if (values.length === 0) return [node('sort', [keys], { dimensions: [a], is_stable: true, to_apply })];
  const sorted = node('sort', [keys, ...values], { dimensions: [a], is_stable: true, to_apply });
  return [keys, ...values].map((_, index) => node('get-tuple-element', [sorted], { index }));
}

/** The values sorted along `axis` (the flattened array when null); NaNs last. */
export function sort(x: TensorLike, axis: number | null = -1): Tensor {
  let t = asTensor(x);
  if (axis === null) [t, axis] = [reshape(t, [t.size]), 0];
  return sortKeyVal(t, [], axis)[0];
}

/** The indices (s32) that sort `x` along `axis` (stable: ties keep their order). */
export function argsort(x: TensorLike, axis: number | null = -1): Tensor {
  let t = asTensor(x);
  if (axis === null) [t, axis] = [reshape(t, [t.size]), 0];
  const [a] = axesOf(axis, t.ndim);
  return sortKeyVal(t, [iota('s32', t.shape, a)], a)[1];
}
