// Products: dot and matmul with numpy's rules (batch dims broadcast for matmul).
import { asTensor, broadcastShapes, broadcastTo, node, promote, reshape, type TensorLike } from '../ops.js';
import type { Tensor } from '../tensor.js';

/**
 * numpy.matmul: 1-D operands are promoted to a matrix and the added dim removed; leading
 * dims broadcast as batch dims.
 */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  let [x, y] = promote(a, b);
  const xVec = x.ndim === 1, yVec = y.ndim === 1;
  if (x.ndim === 0 || y.ndim === 0) throw new Error('kiln: matmul takes arrays of rank ≥ 1 (use multiply for scalars)');
  if (xVec) x = reshape(x, [1, x.shape[0]]);
  if (yVec) y = reshape(y, [y.shape[0], 1]);
  const k = x.shape[x.ndim - 1];
  if (y.shape[y.ndim - 2] !== k) throw new Error(`kiln: matmul of [${a instanceof Object ? (a as Tensor).shape : a}] and [${(b as Tensor).shape}]: contracting dims ${k} and ${y.shape[y.ndim - 2]} differ`);
  const batch = broadcastShapes(x.shape.slice(0, -2), y.shape.slice(0, -2));
  x = broadcastTo(x, [...batch, ...x.shape.slice(-2)]);
  y = broadcastTo(y, [...batch, ...y.shape.slice(-2)]);
  const b0 = batch.map((_, i) => i);
  const r = batch.length;
  let out = node('dot', [x, y], { lhs_batch_dims: b0, rhs_batch_dims: b0, lhs_contracting_dims: [r + 1], rhs_contracting_dims: [r] });
  if (xVec || yVec) out = reshape(out, [...batch, ...(xVec ? [] : [x.shape[r]]), ...(yVec ? [] : [y.shape[r + 1]])]);
  return out;
}

/** numpy.dot: matmul for rank ≤ 2, a product for scalars, else the last dim of a with the second-to-last of b. */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b);
  if (x.ndim === 0 || y.ndim === 0) return node('multiply', [broadcastTo(x, broadcastShapes(x.shape, y.shape)), broadcastTo(y, broadcastShapes(x.shape, y.shape))], {});
  if (x.ndim <= 2 && y.ndim <= 2) return matmul(x, y);
  const yc = y.ndim === 1 ? 0 : y.ndim - 2;
  return node('dot', [x, y], { lhs_batch_dims: [], rhs_batch_dims: [], lhs_contracting_dims: [x.ndim - 1], rhs_contracting_dims: [yc] });
}

/** The outer product of two vectors (flattened). */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b);
  return node('dot', [reshape(x, [x.size]), reshape(y, [y.size])], { lhs_batch_dims: [], rhs_batch_dims: [], lhs_contracting_dims: [], rhs_contracting_dims: [] });
}

export { asTensor };
