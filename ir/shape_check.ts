// Small checks shared by the shape rules. Each failure says what is wrong with the
// numbers in hand, so a message reads on its own: "dimensions[1] = 3 is out of range
// for rank 2", not "invalid dimension".
import { DType, DTYPES, isFloat, isInteger } from './dtype.js';
import type { WindowDim } from './attrs.js';
import type { Computation } from './module.js';
import type { Opcode, OpAttrs } from './opcodes.js';
import { ArrayShape, Shape, sameShape, shapeToString } from './shape.js';

/** A shape rule's complaint. `detail` is the bare problem; `message` adds the opcode. */
export class ShapeError extends Error {
  constructor(readonly detail: string, readonly op?: string) {
    super(op ? `${op}: ${detail}` : detail);
    this.name = 'ShapeError';
  }
}

/** The operands and attributes do not determine the result: it has to be written. */
export class NeedsShapeError extends ShapeError {
  constructor(detail: string, op?: string) {
    super(detail, op);
    this.name = 'NeedsShapeError';
  }
}

export const fail = (detail: string): never => {
  throw new ShapeError(detail);
};

/** A shape as messages print it: dtype and dims, no layout. */
export const fmt = (s: Shape): string => shapeToString(s, { layout: false });
export const list = (xs: readonly number[]): string => `{${xs.join(',')}}`;

export function arrayAt(operands: readonly Shape[], i: number, what = `operand ${i}`): ArrayShape {
  const s = operands[i];
  if (s === undefined) return fail(`${what} is missing`);
  if (s.kind !== 'array') return fail(`${what} must be an array, got ${fmt(s)}`);
  return s;
}

export function scalarAt(operands: readonly Shape[], i: number, what = `operand ${i}`): ArrayShape {
  const s = arrayAt(operands, i, what);
  if (s.dims.length !== 0) fail(`${what} must be a scalar, got ${fmt(s)}`);
  return s;
}

/** Every entry of `ds` is a dimension number of a rank-`rank` shape, none twice. */
export function checkDims(ds: readonly number[], rank: number, what: string, of = `rank ${rank}`): void {
  const seen = new Set<number>();
  ds.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 0 || d >= rank) fail(`${what}[${i}] = ${d} is out of range for ${of}`);
    if (seen.has(d)) fail(`${what} ${list(ds)} names dimension ${d} twice`);
    seen.add(d);
  });
}

export function checkSorted(ds: readonly number[], what: string): void {
  for (let i = 1; i < ds.length; i++)
    if (ds[i - 1] >= ds[i]) fail(`${what} ${list(ds)} must be strictly increasing`);
}

/** `ds` holds each of 0..rank-1 exactly once. */
export function checkPermutation(ds: readonly number[], rank: number, what: string): void {
  if (ds.length !== rank) fail(`${what} ${list(ds)} has ${ds.length} entries, expected ${rank} (a permutation of 0..${rank - 1})`);
  checkDims(ds, rank, what);
}

export const isComplex = (t: DType): boolean => DTYPES[t].cls === 'complex';

/** Same element type up to floating-point precision (XLA's SameElementTypeIgnoringFpPrecision). */
export const sameTypeIgnoringFp = (a: DType, b: DType): boolean => a === b || (isFloat(a) && isFloat(b));

/** The more precise of two types that agree up to fp precision (XLA's HigherPrecisionElementType). */
export function higherPrecision(a: DType, b: DType): DType {
  if (a === b || !isFloat(a) || !isFloat(b)) return a;
  if (DTYPES[a].bits !== DTYPES[b].bits) return DTYPES[a].bits > DTYPES[b].bits ? a : b;
  return a === 'bf16' ? b : a; // f16 keeps more mantissa than bf16
}

/** Has a dimension of unbounded size (`?`, held as -1). */
export const isUnbounded = (s: ArrayShape): boolean => s.dims.some((d) => d < 0);
export const complexComponent = (t: DType): DType => (t === 'c128' ? 'f64' : 'f32');

export function checkIntegerIndices(s: ArrayShape, what: string): void {
  if (!isInteger(s.dtype)) fail(`${what} must have an integer element type, got ${fmt(s)}`);
}

/** Sizes of a window's output over `base` dims (XLA's InferWindowOutputShape). */
export function windowOutputDims(base: readonly number[], window: readonly WindowDim[], what: string): number[] {
  if (window.length !== base.length)
    fail(`window has ${window.length} dimensions but ${what} has ${base.length}`);
  return base.map((d, i) => {
    const w = window[i];
    if (w.size <= 0) fail(`window dimension ${i} has size ${w.size}, must be positive`);
    if (w.stride <= 0) fail(`window dimension ${i} has stride ${w.stride}, must be positive`);
    if (w.lhsDilate < 1) fail(`window dimension ${i} has lhs_dilate ${w.lhsDilate}, must be at least 1`);
    if (w.rhsDilate < 1) fail(`window dimension ${i} has rhs_dilate ${w.rhsDilate}, must be at least 1`);
    const dilatedBase = d === 0 ? 0 : (d - 1) * w.lhsDilate + 1;
    const padded = w.padLow + dilatedBase + w.padHigh;
    const dilatedWindow = (w.size - 1) * w.rhsDilate + 1;
    return padded < dilatedWindow ? 0 : Math.floor((padded - dilatedWindow) / w.stride) + 1;
  });
}

// --- Called computations -------------------------------------------------------------

const compName = (role: string, c: Computation) => `${role} %${c.name}`;

export function checkParamCount(c: Computation, n: number, role: string, why = ''): void {
  if (c.params.length !== n)
    fail(`${compName(role, c)} takes ${c.params.length} parameter${c.params.length === 1 ? '' : 's'}, expected ${n}${why}`);
}

/** Parameter i of c has exactly `expected` (dtype and dims). */
export function checkParam(c: Computation, i: number, expected: Shape, role: string, why = ''): void {
  const got = c.params[i].shape;
  if (!sameShape(got, expected))
    fail(`${compName(role, c)} parameter ${i} has shape ${fmt(got)}, expected ${fmt(expected)}${why}`);
}

/** The called computation's parameters match the argument shapes, one for one. */
export function checkSignature(c: Computation, args: readonly Shape[], role: string): void {
  checkParamCount(c, args.length, role, ` (one per operand)`);
  args.forEach((a, i) => checkParam(c, i, a, role, ` (the shape of operand ${i})`));
}

const scalarOf = (t: DType): ArrayShape => ({ kind: 'array', dtype: t, dims: [] });

/**
 * A reducer for N inputs: (acc_0..acc_N-1, x_0..x_N-1) -> acc scalar or N-tuple of scalars,
 * accumulators typed like the init values and inputs like the input elements, both up to
 * floating-point precision (XLA's VerifyReducerShape). Returns the accumulator types, and
 * whether the reducer returns a tuple (then so does the reduction, even for one input).
 */
export function checkReducer(
  c: Computation, initTypes: readonly DType[], inputTypes: readonly DType[], role: string,
): { types: DType[]; tupled: boolean } {
  const n = initTypes.length;
  checkParamCount(c, 2 * n, role, ` (2 x ${n} input${n === 1 ? '' : 's'})`);
  const root = c.root.shape;
  const accs = root.kind === 'array' ? [root] : root.elements;
  const expected = n === 1 ? 'a scalar' : `a tuple of ${n} scalars`;
  if ((n > 1 && root.kind !== 'tuple') || accs.length !== n) fail(`${compName(role, c)} returns ${fmt(root)}, expected ${expected}`);
  const types = accs.map((acc, i) => {
    if (acc.kind !== 'array' || acc.dims.length !== 0) return fail(`${compName(role, c)} returns ${fmt(root)}, expected ${expected}`);
    checkParam(c, i, acc, role, ` (its result type)`);
    if (!sameTypeIgnoringFp(acc.dtype, initTypes[i]))
      fail(`init value ${i} has type ${initTypes[i]} but ${compName(role, c)} accumulates ${acc.dtype}`);
    const x = c.params[n + i].shape;
    if (x.kind !== 'array' || x.dims.length !== 0 || !sameTypeIgnoringFp(x.dtype, inputTypes[i]))
      fail(`${compName(role, c)} parameter ${n + i} has shape ${fmt(x)}, expected ${inputTypes[i]}[] (the element type of input ${i})`);
    return acc.dtype;
  });
  return { types, tupled: root.kind === 'tuple' };
}

/** A comparator (sort) or selector (select-and-scatter): scalars in, pred[] out. */
export function checkPredicate(c: Computation, paramTypes: readonly DType[], role: string): void {
  checkParamCount(c, paramTypes.length, role);
  paramTypes.forEach((t, i) => checkParam(c, i, scalarOf(t), role));
  if (!sameShape(c.root.shape, scalarOf('pred'))) fail(`${compName(role, c)} returns ${fmt(c.root.shape)}, expected pred[]`);
}

// --- Written shapes -------------------------------------------------------------------

export function written(extra: InferExtra, why = 'result shape must be written (the operands do not determine it)'): Shape {
  if (!extra.written) throw new NeedsShapeError(why);
  return extra.written;
}

export function writtenArray(extra: InferExtra): ArrayShape {
  const w = written(extra);
  if (w.kind !== 'array') fail(`the result must be an array, got ${fmt(w)}`);
  return w as ArrayShape;
}

// --- The rule type ----------------------------------------------------------------------

/** What a rule may read besides operands and attributes. */
export interface InferExtra {
  /**
   * The result shape as written (in parsed text, or given to the builder). Rules for ops
   * whose result the operands do not determine (reshape, broadcast, convert, iota, ...)
   * read it and check it against the operands; every other rule ignores it.
   */
  readonly written?: Shape;
}

export type ShapeRule<K extends Opcode> = (operands: readonly Shape[], attrs: OpAttrs<K>, extra: InferExtra) => Shape;
