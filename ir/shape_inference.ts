// Shape inference: the result shape of an instruction from its operands' shapes and its
// attributes, with XLA's semantics (xla/service/shape_inference.cc). One rule per opcode
// in one table typed over `Opcode`, so a new opcode does not compile until it has a rule.
//
// Some results are not determined by the operands (reshape, broadcast, convert, iota,
// parameter, rng, custom-call, the opaque ops): their rules read the written shape from
// `extra.written`, check what can be checked against the operands, and without it throw
// a NeedsShapeError ("result shape must be written").
import { DType, isFloat, isInteger, isPred, isSigned } from './dtype.js';
import { OPCODES, Opcode, OpAttrs } from './opcodes.js';
import { Shape, array, sameDims, sameShape, tuple } from './shape.js';
import {
  InferExtra, NeedsShapeError, ShapeError, ShapeRule, arrayAt, complexComponent, fail, fmt, higherPrecision,
  isComplex, sameTypeIgnoringFp, written, writtenArray,
} from './shape_check.js';
import * as compute from './shape_inference_compute.js';
import * as structural from './shape_inference_structural.js';

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

// --- The table -------------------------------------------------------------------------

const RULES: { [K in Opcode]: ShapeRule<K> } = {
  parameter: (_o, a, extra) => {
    if (!Number.isInteger(a.parameter_number) || a.parameter_number < 0)
      fail(`parameter_number ${a.parameter_number} must be a non-negative integer`);
    return written(extra);
  },
  constant: (_o, a) => a.literal.shape,
  iota: structural.iota,

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
  'bitcast-convert': structural.bitcastConvert,
  'stochastic-convert': opaque,

  broadcast: structural.broadcast,
  reshape: structural.reshape,
  'dynamic-reshape': opaque,
  bitcast: structural.bitcast,
  transpose: structural.transpose,
  slice: structural.slice,
  'dynamic-slice': structural.dynamicSlice,
  'dynamic-update-slice': structural.dynamicUpdateSlice,
  concatenate: structural.concatenate,
  pad: structural.pad,
  reverse: structural.reverse,

  dot: compute.dot,
  convolution: compute.convolution,
  reduce: compute.reduce,
  'reduce-window': compute.reduceWindow,
  'select-and-scatter': compute.selectAndScatter,
  gather: compute.gather,
  scatter: compute.scatter,
  sort: compute.sort,
  map: compute.map,
  rng: structural.rng,
  'rng-bit-generator': structural.rngBitGenerator,

  tuple: (operands) => tuple(operands),
  'get-tuple-element': structural.getTupleElement,
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
