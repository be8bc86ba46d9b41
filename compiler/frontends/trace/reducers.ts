// The scalar computations reductions apply (`to_apply`): one per kind and dtype, built
// once and shared by every graph (emit.ts copies the ones a module uses into it).
import { ModuleBuilder } from '../../../ir/builder.js';
import type { Computation } from '../../../ir/module.js';
import { scalar } from '../../../ir/shape.js';
import type { DType } from '../../../runtime/core/dtype.js';

export type ReducerKind = 'add' | 'multiply' | 'maximum' | 'minimum' | 'and' | 'or';

const builder = new ModuleBuilder('reducers');
const made = new Map<string, Computation>();

export function reducer(kind: ReducerKind, dtype: DType): Computation {
  const key = `${kind}_${dtype}`;
  let c = made.get(key);
  if (!c) {
    c = builder.computation(key, (b) => b.op(kind, [b.parameter(scalar(dtype), 'a'), b.parameter(scalar(dtype), 'b')], {}));
    made.set(key, c);
  }
  return c;
}
