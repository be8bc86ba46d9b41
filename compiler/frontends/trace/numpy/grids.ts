// Identity matrices and evenly spaced values.
import type { DType } from '../../../../runtime/core/dtype.js';
import { astype, binary, compare, concat, iota, reshape, scalarTensor, sliceDims } from '../ops.js';
import type { Tensor } from '../tensor.js';

/** An n×m matrix (m = n by default) of ones on diagonal k (above the main one for k > 0), zeros elsewhere. */
export function eye(n: number, m: number = n, k = 0, dtype: DType = 'f32'): Tensor {
  const rows = iota('s32', [n, m], 0), cols = iota('s32', [n, m], 1);
  return astype(compare('EQ', binary('add', rows, k), cols), dtype);
}

export interface LinspaceOptions { endpoint?: boolean; dtype?: DType }

/** `num` evenly spaced values from start to stop (included unless endpoint is false), as numpy.linspace. */
export function linspace(start: number, stop: number, num = 50, opts: LinspaceOptions = {}): Tensor {
  const dtype = opts.dtype ?? 'f32';
  const endpoint = opts.endpoint ?? true;
  if (!Number.isInteger(num) || num < 0) throw new Error(`kiln: linspace needs a count ≥ 0, got ${num}`);
  const steps = endpoint ? num - 1 : num;
  const step = steps > 0 ? (stop - start) / steps : 0;
  const line = binary('add', binary('multiply', iota('f32', [num], 0), step), start);
  // The last value is stop exactly, not start + (num-1)·step rounded.
  const exact = endpoint && num > 1 ? concat([sliceDims(line, [0], [num - 1]), reshape(scalarTensor(stop, 'f32'), [1])], 0) : line;
  return astype(exact, dtype);
}

