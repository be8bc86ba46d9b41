// Shape inference: the result shape of an instruction from its operands' shapes and its
// attributes, with XLA's semantics (xla/service/shape_inference.cc). One rule per opcode
// in one table typed over `Opcode`, so a new opcode does not compile until it has a rule.
//
// Some results are not determined by the operands (reshape, broadcast, convert, iota,
// parameter, rng, custom-call, the opaque ops): their rules read the written shape from
// `extra.written`, check what can be checked against the operands, and without it throw
// a NeedsShapeError ("result shape must be written").
import { DType, DTYPES, isFloat, isInteger, isPred, isSigned } from './dtype.js';
import { OPCODES, Opcode, OpAttrs } from './opcodes.js';
import { ArrayShape, Shape, array, elementCount, sameDims, sameShape, tuple } from './shape.js';
import {
  InferExtra, NeedsShapeError, ShapeError, ShapeRule, arrayAt, checkDims, checkIntegerIndices, checkPermutation,
  complexComponent, fail, fmt, higherPrecision, isComplex, isUnbounded, list, sameTypeIgnoringFp, scalarAt,
} from './shape_check.js';
import * as compute from './shape_inference_compute.js';

export { NeedsShapeError, ShapeError } from './shape_check.js';
export type { InferExtra, ShapeRule } from './shape_check.js';

/** The result shape of `op` applied to operands of these shapes; throws ShapeError naming the problem. */
export function inferShape<K extends Opcode>(op: K, operands: readonly Shape[], attrs: OpAttrs<K>, extra: InferExtra = {}): Shape {
  try {
    checkArity(op, operands.length);
    checkRequiredAttrs(op, attrs);
    return (RULES[op] as ShapeRule<K>)(operands, attrs, extra);
  } catch (e) {
    if (e instanceof ShapeError && e.op === undefined)
      throw e instanceof NeedsShapeError ? new NeedsShapeError(e.detail, op) : new ShapeError(e.detail, op);
    throw e;
  }
}

export function arityText(op: Opcode): string {
  const a = OPCODES[op].arity;
  if (typeof a === 'number') return `${a} operand${a === 1 ? '' : 's'}`;
  if (a[1] === Infinity) return `at least ${a[0]} operand${a[0] === 1 ? '' : 's'}`;
  return `${a[0]} to ${a[1]} operands`;
}

export function checkArity(op: Opcode, n: number): void {
  const a = OPCODES[op].arity;
  const [lo, hi] = typeof a === 'number' ? [a, a] : a;
  if (n < lo || n > hi) fail(`expects ${arityText(op)}, got ${n}`);
}

export function checkRequiredAttrs(op: Opcode, attrs: object): void {
  for (const [field, spec] of Object.entries(OPCODES[op].schema))
    if (spec.required && (attrs as Record<string, unknown>)[field] === undefined) fail(`missing required attribute ${field}`);
}

// --- Written shapes ------------------------------------------------------------------

function written(extra: InferExtra, why = 'result shape must be written (the operands do not determine it)'): Shape {
  if (!extra.written) throw new NeedsShapeError(why);
  return extra.written;
}

function writtenArray(extra: InferExtra): ArrayShape {
  const w = written(extra);
  if (w.kind !== 'array') fail(`the result must be an array, got ${fmt(w)}`);
  return w as ArrayShape;
}

const opaque = (_operands: readonly Shape[], _attrs: unknown, extra: InferExtra): Shape =>
  written(extra, 'needs a written shape: kiln does not model this op, so the result shape must be written');

// --- Elementwise -----------------------------------------------------------------------

type TypeCheck = (t: DType) => boolean;
const anyType: TypeCheck = () => true;
const floating: TypeCheck = isFloat;
const floatOrComplex: TypeCheck = (t) => isFloat(t) || isComplex(t);
const integer: TypeCheck = isInteger;
const predOrInteger: TypeCheck = (t) => isPred(t) || isInteger(t);
const notPred: TypeCheck = (t) => !isPred(t);
/** XLA's "signed": signed integers and floats. */
const signed: TypeCheck = (t) => isSigned(t) || isFloat(t);

function unary(ok: TypeCheck, expected: string, result: (t: DType) => DType = (t) => t) {
  return (operands: readonly Shape[]): Shape => {
    const x = arrayAt(operands, 0, 'operand');
    if (!ok(x.dtype)) fail(`operand ${fmt(x)} has element type ${x.dtype}, expected ${expected}`);
    return { ...x, dtype: result(x.dtype) };
  };
}

const realOf = (t: DType): DType => (isComplex(t) ? complexComponent(t) : t);

function binary(ok: TypeCheck, expected: string, result: (t: DType) => DType = (t) => t) {
  return (operands: readonly Shape[]): Shape => {
    const x = arrayAt(operands, 0), y = arrayAt(operands, 1);
    // Mixed floating-point precision is allowed, as in XLA's ShapeInference: f16 + f32 -> f32.
    if (!sameDims(x.dims, y.dims) || !sameTypeIgnoringFp(x.dtype, y.dtype)) fail(`operand 1 has shape ${fmt(y)}, expected ${fmt(x)}`);
    const t = higherPrecision(x.dtype, y.dtype);
    if (!ok(t)) fail(`operands have element type ${t}, expected ${expected}`);
    return { ...x, dtype: result(t) };
  };
}

const toComplex = (t: DType): DType => (t === 'f64' ? 'c128' : 'c64');

const select: ShapeRule<'select'> = (operands) => {
  const p = arrayAt(operands, 0, 'pred'), t = arrayAt(operands, 1, 'on_true'), f = arrayAt(operands, 2, 'on_false');
  if (p.dtype !== 'pred') fail(`pred ${fmt(p)} has element type ${p.dtype}, expected pred`);
  if (!sameDims(t.dims, f.dims) || !sameTypeIgnoringFp(t.dtype, f.dtype))
    fail(`on_false has shape ${fmt(f)}, expected ${fmt(t)} (the shape of on_true)`);
  // A scalar pred selects whole operands; XLA still accepts it.
  if (p.dims.length !== 0 && !sameDims(p.dims, t.dims))
    fail(`pred has shape ${fmt(p)} but on_true has ${fmt(t)}; pred must be a scalar or have the same dims`);
  return { ...t, dtype: higherPrecision(t.dtype, f.dtype) };
};

const clamp: ShapeRule<'clamp'> = (operands) => {
  const x = arrayAt(operands, 1, 'operand');
  for (const [i, what] of [[0, 'min'], [2, 'max']] as const) {
    const b = arrayAt(operands, i, what);
    if (!sameTypeIgnoringFp(b.dtype, x.dtype)) fail(`${what} has element type ${b.dtype}, expected ${x.dtype}`);
    if (b.dims.length !== 0 && !sameDims(b.dims, x.dims)) fail(`${what} has shape ${fmt(b)}, expected ${fmt(x)} or a scalar`);
  }
  return x;
};

// --- Structural ------------------------------------------------------------------------

const broadcast: ShapeRule<'broadcast'> = (operands, a, extra) => {
  const x = arrayAt(operands, 0, 'operand'), w = writtenArray(extra);
  const dims = a.dimensions ?? [];
  if (dims.length !== x.dims.length)
    fail(`dimensions ${list(dims)} has ${dims.length} entries but operand ${fmt(x)} has rank ${x.dims.length}`);
  checkDims(dims, w.dims.length, 'dimensions', `the result ${fmt(w)}`);
  dims.forEach((d, i) => {
    if (x.dims[i] !== w.dims[d]) fail(`operand dim ${i} has size ${x.dims[i]} but result dim ${d} has size ${w.dims[d]}`);
  });
  return array(x.dtype, w.dims);
};

const reshape: ShapeRule<'reshape'> = (operands, _a, extra) => {
  const x = arrayAt(operands, 0, 'operand'), w = writtenArray(extra);
  if (!isUnbounded(x) && !isUnbounded(w) && elementCount(x) !== elementCount(w))
    fail(`operand ${fmt(x)} has ${elementCount(x)} elements but the result ${fmt(w)} has ${elementCount(w)}`);
  return array(x.dtype, w.dims);
};

// XLA checks a bitcast's byte size only once layouts are assigned (and tiles may pad), so
// the written shape stands as it is.
const bitcast: ShapeRule<'bitcast'> = (_operands, _a, extra) => written(extra);

const bitcastConvert: ShapeRule<'bitcast-convert'> = (operands, _a, extra) => {
  const x = arrayAt(operands, 0, 'operand'), to = writtenArray(extra).dtype;
  if (isComplex(x.dtype) !== isComplex(to)) fail(`cannot bitcast between complex and real types (${x.dtype} to ${to})`);
  const from = DTYPES[x.dtype].bits, bits = DTYPES[to].bits;
  if (from === 0 || bits === 0 || Math.max(from, bits) % Math.min(from, bits) !== 0)
    fail(`cannot bitcast ${x.dtype} (${from} bits) to ${to} (${bits} bits): the widths do not divide`);
  if (from === bits) return array(to, x.dims);
  if (from > bits) return array(to, [...x.dims, from / bits]);
  const last = x.dims[x.dims.length - 1];
  if (last !== bits / from)
    fail(`operand ${fmt(x)} must end in a dimension of size ${bits / from} to bitcast ${x.dtype} to ${to}`);
  return array(to, x.dims.slice(0, -1));
};

const transpose: ShapeRule<'transpose'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  checkPermutation(a.dimensions, x.dims.length, 'dimensions');
  return array(x.dtype, a.dimensions.map((d) => x.dims[d]));
};

const slice: ShapeRule<'slice'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  if (a.slice.length !== x.dims.length)
    fail(`slice has ${a.slice.length} dimensions but operand ${fmt(x)} has rank ${x.dims.length}`);
  return array(x.dtype, a.slice.map((s, i) => {
    const d = x.dims[i];
    if (!(s.stride > 0)) fail(`slice dimension ${i} has stride ${s.stride}, must be positive`);
    if (s.start < 0 || s.start > s.limit || s.limit > d)
      fail(`slice dimension ${i} [${s.start}:${s.limit}] is out of bounds for size ${d} (need 0 <= start <= limit <= ${d})`);
    return Math.ceil((s.limit - s.start) / s.stride);
  }));
};

/** Start indices: one integer scalar per operand dim (or XLA's legacy single index vector). */
function checkStartIndices(operands: readonly Shape[], first: number, x: ArrayShape): void {
  const idx = operands.slice(first), r = x.dims.length;
  const s0 = idx[0];
  if (s0?.kind === 'array' && s0.dims.length === 1) {
    if (idx.length !== 1) fail(`a rank-1 start index vector must be the only index operand, got ${idx.length}`);
    checkIntegerIndices(s0, 'start indices');
    if (s0.dims[0] !== r) fail(`start index vector ${fmt(s0)} has ${s0.dims[0]} entries but operand ${fmt(x)} has rank ${r}`);
    return;
  }
  if (idx.length !== r) fail(`has ${idx.length} start indices but operand ${fmt(x)} has rank ${r}`);
  idx.forEach((_, i) => {
    const s = scalarAt(operands, first + i, `start index ${i} (operand ${first + i})`);
    checkIntegerIndices(s, `start index ${i} (operand ${first + i})`);
    if (s.dtype !== (s0 as ArrayShape).dtype) fail(`start indices must share one type: operand ${first + i} is ${s.dtype}, operand ${first} is ${(s0 as ArrayShape).dtype}`);
  });
}

const dynamicSlice: ShapeRule<'dynamic-slice'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  checkStartIndices(operands, 1, x);
  const sizes = a.dynamic_slice_sizes;
  if (sizes.length !== x.dims.length)
    fail(`dynamic_slice_sizes ${list(sizes)} has ${sizes.length} entries but operand ${fmt(x)} has rank ${x.dims.length}`);
  sizes.forEach((s, i) => {
    if (s < 0 || s > x.dims[i]) fail(`dynamic_slice_sizes[${i}] = ${s} is out of range for operand dim ${i} of size ${x.dims[i]}`);
  });
  return array(x.dtype, sizes);
};

const dynamicUpdateSlice: ShapeRule<'dynamic-update-slice'> = (operands) => {
  const x = arrayAt(operands, 0, 'operand'), u = arrayAt(operands, 1, 'update');
  checkStartIndices(operands, 2, x);
  if (!sameTypeIgnoringFp(u.dtype, x.dtype)) fail(`update has element type ${u.dtype}, expected ${x.dtype}`);
  if (u.dims.length !== x.dims.length) fail(`update ${fmt(u)} has rank ${u.dims.length} but operand ${fmt(x)} has rank ${x.dims.length}`);
  u.dims.forEach((d, i) => {
    if (d > x.dims[i]) fail(`update dim ${i} has size ${d}, larger than operand dim ${i} of size ${x.dims[i]}`);
  });
  return x;
};

const concatenate: ShapeRule<'concatenate'> = (operands, a) => {
  const x0 = arrayAt(operands, 0);
  if (a.dimensions.length !== 1) fail(`dimensions ${list(a.dimensions)} must name exactly one dimension`);
  checkDims(a.dimensions, x0.dims.length, 'dimensions', `operand 0 ${fmt(x0)}`);
  const d = a.dimensions[0], dims = [...x0.dims];
  let dtype = x0.dtype;
  for (let i = 1; i < operands.length; i++) {
    const x = arrayAt(operands, i);
    if (!sameTypeIgnoringFp(x.dtype, x0.dtype)) fail(`operand ${i} has element type ${x.dtype}, expected ${x0.dtype}`);
    dtype = higherPrecision(dtype, x.dtype);
    if (x.dims.length !== x0.dims.length) fail(`operand ${i} ${fmt(x)} has rank ${x.dims.length} but operand 0 ${fmt(x0)} has rank ${x0.dims.length}`);
    x.dims.forEach((n, k) => {
      if (k !== d && n !== x0.dims[k]) fail(`operand ${i} ${fmt(x)} differs from operand 0 ${fmt(x0)} in dim ${k}, which is not the concatenated dim ${d}`);
    });
    dims[d] += x.dims[d];
  }
  return array(dtype, dims);
};

const pad: ShapeRule<'pad'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand'), v = scalarAt(operands, 1, 'padding value');
  if (!sameTypeIgnoringFp(v.dtype, x.dtype)) fail(`padding value has element type ${v.dtype}, expected ${x.dtype}`);
  if (a.padding.length !== x.dims.length)
    fail(`padding has ${a.padding.length} dimensions but operand ${fmt(x)} has rank ${x.dims.length}`);
  return array(higherPrecision(x.dtype, v.dtype), a.padding.map((p, i) => {
    const d = x.dims[i];
    if (p.interior < 0) fail(`padding dimension ${i} has interior padding ${p.interior}, must not be negative`);
    const size = p.low + p.high + d + Math.max(d - 1, 0) * p.interior;
    if (size < 0) fail(`padding ${p.low}_${p.high}_${p.interior} on dimension ${i} of size ${d} gives negative size ${size}`);
    return size;
  }));
};

const reverse: ShapeRule<'reverse'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  checkDims(a.dimensions, x.dims.length, 'dimensions', `operand ${fmt(x)}`);
  return x;
};

const iota: ShapeRule<'iota'> = (_operands, a, extra) => {
  const w = writtenArray(extra);
  if (w.dims.length === 0) fail('the result must have rank at least 1, got a scalar');
  checkDims([a.iota_dimension], w.dims.length, 'iota_dimension', `the result ${fmt(w)}`);
  return w;
};

const getTupleElement: ShapeRule<'get-tuple-element'> = (operands, a) => {
  const t = operands[0];
  if (t.kind !== 'tuple') return fail(`operand must be a tuple, got ${fmt(t)}`);
  if (!Number.isInteger(a.index) || a.index < 0 || a.index >= t.elements.length)
    fail(`index ${a.index} is out of range for tuple ${fmt(t)} of ${t.elements.length} elements`);
  return t.elements[a.index];
};

const rng: ShapeRule<'rng'> = (operands, a, extra) => {
  const lo = scalarAt(operands, 0, 'operand 0'), hi = scalarAt(operands, 1, 'operand 1');
  if (hi.dtype !== lo.dtype) fail(`operand 1 has element type ${hi.dtype}, expected ${lo.dtype}`);
  if (a.distribution !== 'rng_uniform' && a.distribution !== 'rng_normal')
    fail(`distribution ${a.distribution} is neither rng_uniform nor rng_normal`);
  return array(lo.dtype, writtenArray(extra).dims);
};

const rngBitGenerator: ShapeRule<'rng-bit-generator'> = (operands, _a, extra) => {
  const state = arrayAt(operands, 0, 'state'), w = written(extra);
  if (w.kind !== 'tuple' || w.elements.length !== 2) return fail(`the result must be a (state, values) tuple, got ${fmt(w)}`);
  return tuple([state, w.elements[1]]);
};

// --- The table -------------------------------------------------------------------------

const RULES: { [K in Opcode]: ShapeRule<K> } = {
  parameter: (_o, a, extra) => {
    if (!Number.isInteger(a.parameter_number) || a.parameter_number < 0)
      fail(`parameter_number ${a.parameter_number} must be a non-negative integer`);
    return written(extra);
  },
  constant: (_o, a) => a.literal.shape,
  iota,

  abs: unary((t) => signed(t) || isComplex(t), 'signed, floating or complex', realOf),
  negate: unary((t) => isInteger(t) || floatOrComplex(t), 'integer, floating or complex'),
  exponential: unary(floatOrComplex, 'floating or complex'),
  'exponential-minus-one': unary(floatOrComplex, 'floating or complex'),
  log: unary(floatOrComplex, 'floating or complex'),
  'log-plus-one': unary(floatOrComplex, 'floating or complex'),
  tanh: unary(floatOrComplex, 'floating or complex'),
  logistic: unary(floatOrComplex, 'floating or complex'),
  sqrt: unary(floatOrComplex, 'floating or complex'),
  rsqrt: unary(floatOrComplex, 'floating or complex'),
  cbrt: unary(floatOrComplex, 'floating or complex'),
  sine: unary(floatOrComplex, 'floating or complex'),
  cosine: unary(floatOrComplex, 'floating or complex'),
  tan: unary(floatOrComplex, 'floating or complex'),
  erf: unary(floatOrComplex, 'floating or complex'),
  acos: unary(floatOrComplex, 'floating or complex'),
  acosh: unary(floatOrComplex, 'floating or complex'),
  asin: unary(floatOrComplex, 'floating or complex'),
  asinh: unary(floatOrComplex, 'floating or complex'),
  atanh: unary(floatOrComplex, 'floating or complex'),
  cosh: unary(floatOrComplex, 'floating or complex'),
  sinh: unary(floatOrComplex, 'floating or complex'),
  floor: unary(floating, 'floating'),
  ceil: unary(floating, 'floating'),
  'round-nearest-afz': unary(floating, 'floating'),
  'round-nearest-even': unary(floating, 'floating'),
  sign: unary((t) => signed(t) || isComplex(t), 'signed, floating or complex'),
  not: unary(predOrInteger, 'pred or integer'),
  'is-finite': unary(floating, 'floating', () => 'pred'),
  popcnt: unary(integer, 'integer'),
  clz: unary(integer, 'integer'),
  copy: (operands) => operands[0],
  real: unary(floatOrComplex, 'floating or complex', realOf),
  imag: unary(floatOrComplex, 'floating or complex', realOf),
  'reduce-precision': (operands, a) => {
    const x = unary(floating, 'floating')(operands);
    if (a.exponent_bits < 1) fail(`exponent_bits is ${a.exponent_bits}, must be at least 1`);
    if (a.mantissa_bits < 0) fail(`mantissa_bits is ${a.mantissa_bits}, must not be negative`);
    return x;
  },

  add: binary(anyType, 'any'),
  multiply: binary(anyType, 'any'),
  maximum: binary(anyType, 'any'),
  minimum: binary(anyType, 'any'),
  subtract: binary(notPred, 'an arithmetic type (not pred)'),
  divide: binary(notPred, 'an arithmetic type (not pred)'),
  remainder: binary(notPred, 'an arithmetic type (not pred)'),
  power: binary(notPred, 'an arithmetic type (not pred)'),
  atan2: binary(notPred, 'an arithmetic type (not pred)'),
  'shift-left': binary(notPred, 'an arithmetic type (not pred)'),
  'shift-right-arithmetic': binary(notPred, 'an arithmetic type (not pred)'),
  'shift-right-logical': binary(notPred, 'an arithmetic type (not pred)'),
  and: binary(predOrInteger, 'pred or integer'),
  or: binary(predOrInteger, 'pred or integer'),
  xor: binary(predOrInteger, 'pred or integer'),
  complex: binary((t) => t === 'f32' || t === 'f64', 'f32 or f64', toComplex),
  compare: binary(anyType, 'any', () => 'pred'),

  select,
  clamp,
  convert: (operands, _a, extra) => array(writtenArray(extra).dtype, arrayAt(operands, 0, 'operand').dims),
  'bitcast-convert': bitcastConvert,
  'stochastic-convert': opaque,

  broadcast,
  reshape,
  'dynamic-reshape': opaque,
  bitcast,
  transpose,
  slice,
  'dynamic-slice': dynamicSlice,
  'dynamic-update-slice': dynamicUpdateSlice,
  concatenate,
  pad,
  reverse,

  dot: compute.dot,
  convolution: compute.convolution,
  reduce: compute.reduce,
  'reduce-window': compute.reduceWindow,
  'select-and-scatter': compute.selectAndScatter,
  gather: compute.gather,
  scatter: compute.scatter,
  sort: compute.sort,
  map: compute.map,
  rng,
  'rng-bit-generator': rngBitGenerator,

  tuple: (operands) => tuple(operands),
  'get-tuple-element': getTupleElement,
  call: compute.call,
  fusion: compute.fusion,
  while: compute.whileLoop,
  conditional: compute.conditional,
  'custom-call': (_o, _a, extra) => written(extra),

  'after-all': opaque, 'add-dependency': opaque, 'all-gather': opaque, 'all-gather-start': opaque,
  'all-gather-done': opaque, 'all-reduce': opaque, 'all-reduce-start': opaque, 'all-reduce-done': opaque,
  'all-to-all': opaque, 'ragged-all-to-all': opaque, 'reduce-scatter': opaque, 'collective-broadcast': opaque,
  'collective-permute': opaque, 'collective-permute-start': opaque, 'collective-permute-done': opaque,
  'async-start': opaque, 'async-update': opaque, 'async-done': opaque, 'copy-start': opaque, 'copy-done': opaque,
  send: opaque, 'send-done': opaque, recv: opaque, 'recv-done': opaque, infeed: opaque, outfeed: opaque,
  domain: opaque, 'opt-barrier': opaque, 'partition-id': opaque, 'replica-id': opaque,
  'get-dimension-size': opaque, 'set-dimension-size': opaque, 'rng-get-and-update-state': opaque,
  cholesky: opaque, 'triangular-solve': opaque, fft: opaque, topk: opaque, scan: opaque,
  'batch-norm-training': opaque, 'batch-norm-inference': opaque, 'batch-norm-grad': opaque,
  'ragged-dot': opaque, 'scaled-dot': opaque,
};

/** Ops whose result dtype may differ from the inferred one (XLA's preferred element type). */
export const FREE_RESULT_TYPE: ReadonlySet<Opcode> = new Set<Opcode>(['dot', 'convolution']);

/**
 * Why a written shape disagrees with the inferred one, or undefined when they agree
 * (dtype and dims; layouts ignored; dot and convolution may choose their result type).
 */
export function shapeMismatch(op: Opcode, writtenShape: Shape, inferred: Shape): string | undefined {
  const agree = FREE_RESULT_TYPE.has(op) && writtenShape.kind === 'array' && inferred.kind === 'array'
    ? sameDims(writtenShape.dims, inferred.dims)
    : sameShape(writtenShape, inferred);
  if (agree) return undefined;
  return `shape is ${fmt(writtenShape)} but the operands give ${fmt(inferred)}`;
}
