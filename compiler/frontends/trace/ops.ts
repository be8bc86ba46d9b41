// The array operations every namespace (numpy.ts, nn.ts, random.ts) is written with: JS
// values to tensors, JAX's dtype promotion, NumPy's broadcasting, and one helper per kind
// of HLO instruction. Each returns a new Tensor over a new graph node.
import { arrayLiteral } from '../../../ir/literal.js';
import type { OpAttrs, Opcode } from '../../../ir/opcodes.js';
import { array, type ArrayShape } from '../../../ir/shape.js';
import { isFloat } from '../../../ir/dtype.js';
import type { DType } from '../../../runtime/core/dtype.js';
import { arrayOfLiteral } from '../../io/typed_arrays.js';
import { arrayShape, dataNode, opNode, type Node } from './node.js';
import { concrete, isWeak, join, type LatticeType } from './promote.js';
import { reducer, type ReducerKind } from './reducers.js';
import { Tensor } from './tensor.js';

export type TensorLike = Tensor | number | boolean;
export type Direction = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE';

/** A scalar tensor of `dtype` holding `v`. */
export function scalarTensor(v: number | bigint | boolean, dtype: DType, weak = false): Tensor {
  const shape = array(dtype, []);
  return new Tensor(dataNode(shape, arrayOfLiteral(arrayLiteral(shape, [v]))), weak);
}

export const node = <K extends Opcode>(opcode: K, operands: readonly Tensor[], attrs: OpAttrs<K>, shape?: ArrayShape): Tensor =>
  new Tensor(opNode(opcode, operands.map((t) => t.node), attrs, shape));

/** A tensor operand as it is; a JS number as a weak f32 scalar (or s32, see promote.ts). */
export function asTensor(x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'boolean') return scalarTensor(x, 'pred');
  if (typeof x === 'number') return scalarTensor(x, 'f32', true);
  throw new TypeError(`kiln: expected a Tensor, number or boolean, got ${describe(x)}`);
}

const describe = (x: unknown): string => (x === null ? 'null' : Array.isArray(x) ? 'an array (use np.array)' : typeof x);

function latticeOf(t: Tensor): LatticeType {
  if (!t.weak) return t.dtype;
  return isFloat(t.dtype) ? 'f*' : 'i*';
}

/** The operands converted to their promoted dtype (JAX's rules, promote.ts). */
export function promote(...xs: TensorLike[]): Tensor[] {
  const tensors = xs.filter((x): x is Tensor => x instanceof Tensor);
  let t: LatticeType | undefined;
  for (const x of tensors) t = t === undefined ? latticeOf(x) : join(t, latticeOf(x));
  const numbersAreInts = t !== undefined && !isFloat(concrete(t)) && xs.every((x) => typeof x !== 'number' || Number.isInteger(x));
  for (const x of xs) if (typeof x !== 'object') t = t === undefined ? numberType(x, false) : join(t, numberType(x, numbersAreInts));
  const target = concrete(t!);
  const weak = isWeak(t!);
  return xs.map((x) => (x instanceof Tensor ? astype(x, target, weak) : scalarTensor(x, target, weak)));
}

const numberType = (x: number | boolean, intContext: boolean): LatticeType => (typeof x === 'boolean' ? 'pred' : intContext ? 'i*' : 'f*');

/** `x` as `dtype` (a convert unless it already is). */
export function astype(x: Tensor, dtype: DType, weak = false): Tensor {
  if (x.dtype === dtype) return x.weak === weak ? x : new Tensor(x.node, weak);
  return new Tensor(opNode('convert', [x.node], {}, array(dtype, x.shape)), weak);
}

/** NumPy's broadcast of two shapes, or an error naming both. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`kiln: shapes [${a}] and [${b}] do not broadcast (dim ${i}: ${x} vs ${y})`);
    return x === 1 ? y : x;
  });
}

/** `x` broadcast to `dims` as NumPy aligns them (from the right). */
export function broadcastTo(x: Tensor, dims: readonly number[]): Tensor {
  const shape = x.shape;
  if (shape.length === dims.length && shape.every((d, i) => d === dims[i])) return x;
  broadcastShapes(shape, dims);
  const offset = dims.length - shape.length;
  if (offset < 0) throw new Error(`kiln: cannot broadcast [${shape}] to fewer dims [${dims}]`);
  // HLO's broadcast keeps each operand dim whole: drop the size-1 dims that stretch first.
  const kept = shape.map((d, i) => i).filter((i) => shape[i] === dims[i + offset]);
  const squeezed = kept.length === shape.length ? x : reshape(x, kept.map((i) => shape[i]));
  return withWeak(node('broadcast', [squeezed], { dimensions: kept.map((i) => i + offset) }, array(x.dtype, dims)), x.weak);
}

const withWeak = (t: Tensor, weak: boolean): Tensor => (weak ? new Tensor(t.node, true) : t);

export function reshape(x: Tensor, dims: readonly number[]): Tensor {
  return withWeak(node('reshape', [x], {}, array(x.dtype, dims)), x.weak);
}

export function unary(op: Opcode, x: TensorLike): Tensor {
  const t = asTensor(x);
  return withWeak(node(op, [t], {} as OpAttrs<Opcode>), t.weak);
}

/** An elementwise binary op after promotion and broadcasting. */
export function binary(op: Opcode, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b);
  const dims = broadcastShapes(x.shape, y.shape);
  return withWeak(node(op, [broadcastTo(x, dims), broadcastTo(y, dims)], {} as OpAttrs<Opcode>), x.weak && y.weak);
}

export function compare(direction: Direction, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b);
  const dims = broadcastShapes(x.shape, y.shape);
  return node('compare', [broadcastTo(x, dims), broadcastTo(y, dims)], { direction });
}

/** `cond ? a : b`, elementwise, broadcast together. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = astype(asTensor(cond), 'pred');
  const [x, y] = promote(a, b);
  const dims = broadcastShapes(c.shape, broadcastShapes(x.shape, y.shape));
  return withWeak(node('select', [broadcastTo(c, dims), broadcastTo(x, dims), broadcastTo(y, dims)], {}), x.weak && y.weak);
}

/** Normalised axes (negative counts from the end), all when undefined. */
export function axesOf(axis: number | readonly number[] | undefined | null, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  return list.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (!Number.isInteger(n) || n < 0 || n >= rank) throw new Error(`kiln: axis ${a} is out of range for rank ${rank}`);
    return n;
  });
}

/** Reduces `axes` of `x` with `kind` from `init`; keepdims puts size-1 dims back. */
export function reduce(x: Tensor, axes: readonly number[], kind: ReducerKind, init: number | bigint | boolean, keepdims = false): Tensor {
  const out = node('reduce', [x, scalarTensor(init, x.dtype)], { dimensions: [...axes].sort((a, b) => a - b), to_apply: reducer(kind, x.dtype) });
  return keepdims ? reshape(out, x.shape.map((d, i) => (axes.includes(i) ? 1 : d))) : out;
}

export const shapeOf = (n: Node): ArrayShape => arrayShape(n);

// --- Helpers of the numpy (indexing, joins, windows), nn and random namespaces ---------

/** Counts 0, 1, ... along `axis` of `dims`. */
export const iota = (dtype: DType, dims: readonly number[], axis: number): Tensor =>
  node('iota', [], { iota_dimension: axis }, array(dtype, dims));

/** HLO's static slice: per dim [start, limit) by stride (all within bounds). */
export function sliceDims(x: Tensor, starts: readonly number[], limits: readonly number[], strides?: readonly number[]): Tensor {
  const slice = starts.map((start, i) => ({ start, limit: limits[i], stride: strides?.[i] ?? 1 }));
  return withWeak(node('slice', [x], { slice }), x.weak);
}

/** Concatenates tensors of one dtype along `axis` (their other dims equal). */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  return xs.length === 1 ? xs[0] : withWeak(node('concatenate', xs, { dimensions: [axis] }), xs.every((x) => x.weak));
}

/** One dim of a window: size, stride, padding, dilations (XLA's defaults where left out). */
export const windowDim = (w: Partial<WindowDim>): WindowDim =>
  ({ size: 1, stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false, ...w });

/** Reduce-window of `x` with `kind` from `init`; padding reads as `init`. */
export function reduceWindow(x: Tensor, window: readonly Partial<WindowDim>[], kind: ReducerKind, init: number | bigint | boolean): Tensor {
  const attrs = { window: window.map(windowDim), to_apply: reducer(kind, x.dtype) };
  return node('reduce-window', [x, scalarTensor(init, x.dtype)], attrs);
}

/** `x` with its integer dtype reinterpreted (u32 bits as f32, ...): same width, same dims. */
export const bitcast = (x: Tensor, dtype: DType): Tensor => node('bitcast-convert', [x], {}, array(dtype, x.shape));

/** A window dim as the reduce-window and convolution attributes hold it (ir/attrs.ts). */
export type WindowDim = NonNullable<OpAttrs<'reduce-window'>['window']>[number];
