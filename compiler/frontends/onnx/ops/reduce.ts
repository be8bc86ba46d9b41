// ONNX ops: reductions (the Reduce* family, ArgMax/ArgMin) and the ops that normalise
// along an axis with them (Softmax, LogSoftmax, Hardmax).
//
// Every Reduce* op is one XLA reduce with a standard reducer, wrapped in elementwise
// maps (abs, square, exp, log, sqrt, divide). Reducing over an empty set gives the
// reducer's identity, as ONNX asks.
import type { Computation, Instruction } from '../../../../ir/module.js';
import { scalar } from '../../../../ir/shape.js';
import type { DType } from '../../../../ir/dtype.js';
import type { LowerCtx } from './types.js';
import { int, ints, op } from './types.js';
import {
  dimsOf, dtypeOf, expandBack, fold, fullLike, highest, keepDims, lowest, normAxes, normAxis, scalarLike,
} from './util.js';

/** x reduced over axes (dropped from the result): one Reduce* op's arithmetic. */
type Reduction = (ctx: LowerCtx, x: Instruction, axes: number[]) => Instruction;

const sumOf: Reduction = (ctx, x, axes) => fold(ctx, x, axes, 'add');

/** The number of elements each output of reducing x over axes sees, as x's type. */
const countOf = (ctx: LowerCtx, x: Instruction, axes: number[]): Instruction =>
  scalarLike(ctx, x, axes.reduce((n, a) => n * dimsOf(ctx, x)[a], 1));

const divideBy = (ctx: LowerCtx, r: Instruction, d: Instruction): Instruction =>
  ctx.b.divide(r, ctx.b.broadcast(d, dimsOf(ctx, r)));

/** log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max, so large x does not overflow. */
const logSumExp: Reduction = (ctx, x, axes) => {
  const b = ctx.b, xDims = dimsOf(ctx, x);
  const max = fold(ctx, x, axes, 'maximum');
  // An all -inf (or empty) slice has an infinite max; shifting by it would give nan.
  const m = b.select(b.isFinite(max), max, fullLike(ctx, max, 0));
  const s = sumOf(ctx, b.exponential(b.subtract(x, expandBack(ctx, m, xDims, axes))), axes);
  return b.add(b.log(s), m);
};

const REDUCTIONS: Record<string, Reduction> = {
  ReduceSum: sumOf,
  ReduceMean: (ctx, x, axes) => divideBy(ctx, sumOf(ctx, x, axes), countOf(ctx, x, axes)),
  ReduceMax: (ctx, x, axes) => fold(ctx, x, axes, 'maximum'),
  ReduceMin: (ctx, x, axes) => fold(ctx, x, axes, 'minimum'),
  ReduceProd: (ctx, x, axes) => fold(ctx, x, axes, 'multiply'),
  ReduceL1: (ctx, x, axes) => sumOf(ctx, ctx.b.abs(x), axes),
  ReduceL2: (ctx, x, axes) => ctx.b.sqrt(sumOf(ctx, ctx.b.multiply(x, x), axes)),
  ReduceSumSquare: (ctx, x, axes) => sumOf(ctx, ctx.b.multiply(x, x), axes),
  ReduceLogSum: (ctx, x, axes) => ctx.b.log(sumOf(ctx, x, axes)),
  ReduceLogSumExp: logSumExp,
};

/**
 * The axes a Reduce* node reduces: its `axes` attribute, or (ReduceSum from opset 13,
 * the others from 18) its second input, which must be known at compile time. None
 * means all axes, unless noop_with_empty_axes makes the op an identity (undefined).
 */
function reduceAxes(ctx: LowerCtx, attr: number[] | undefined, noop: number, rank: number): number[] | undefined {
  const input = ctx.optional(1);
  // An axes input of shape [0] is known to be empty even when it is a graph input.
  const empty = input && dimsOf(ctx, input).every((d) => d === 0);
  const fromInput = input && !empty ? [...ctx.constant(1, 'axes').data].map(Number) : undefined;
  const given = fromInput ?? attr ?? [];
  if (given.length > 0) return normAxes(ctx, given, rank);
  return noop ? undefined : Array.from({ length: rank }, (_, i) => i);
}

const reduceOp = (reduction: Reduction) => op({
  opsets: [1, 17],
  attrs: { axes: ints(), keepdims: int(1), noop_with_empty_axes: int(0) },
  lower: (ctx, a) => {
    const x = ctx.input(0), xDims = dimsOf(ctx, x);
    const axes = reduceAxes(ctx, a.axes, a.noop_with_empty_axes, xDims.length);
    if (!axes) return [x];
    const r = reduction(ctx, x, axes);
    return [a.keepdims ? keepDims(ctx, r, xDims, axes) : r];
  },
});

// --- ArgMax / ArgMin --------------------------------------------------------------------

/**
 * The (value, index) reducer for ArgMax/ArgMin: keeps the better value, and on a tie the
 * lower index (or the higher one with select_last_index), so the result does not
 * depend on the order XLA combines elements in.
 */
function argReducer(ctx: LowerCtx, dtype: DType, better: 'GT' | 'LT', last: boolean): Computation {
  return ctx.mb.computation(`arg_${better === 'GT' ? 'max' : 'min'}_${dtype}`, (c) => {
    const v0 = c.parameter(scalar(dtype), 'v0'), i0 = c.parameter(scalar('s64'), 'i0');
    const v1 = c.parameter(scalar(dtype), 'v1'), i1 = c.parameter(scalar('s64'), 'i1');
    const tie = c.and(c.compare(v0, v1, 'EQ'), c.compare(i0, i1, last ? 'GT' : 'LT'));
    const first = c.or(c.compare(v0, v1, better), tie);
    return [c.select(first, v0, v1), c.select(first, i0, i1)];
  });
}

/** The s64 index of the best element of x along axis (reduced away). */
export function argBest(ctx: LowerCtx, x: Instruction, axis: number, better: 'GT' | 'LT', last = false): Instruction {
  const b = ctx.b, dtype = dtypeOf(ctx, x), xDims = dimsOf(ctx, x);
  const iota = b.iota({ kind: 'array', dtype: 's64', dims: xDims }, axis);
  // The init loses every comparison: the worst value, and an index no tie prefers.
  const initValue = b.constantScalar(dtype, better === 'GT' ? lowest(dtype) : highest(dtype));
  const initIndex = b.constantScalar('s64', last ? -1n : highest('s64'));
  const r = b.reduce([x, iota], [initValue, initIndex], [axis], argReducer(ctx, dtype, better, last));
  return b.getTupleElement(r, 1);
}

const argOp = (better: 'GT' | 'LT') => op({
  opsets: [1, 17],
  attrs: { axis: int(0), keepdims: int(1), select_last_index: int(0) },
  lower: (ctx, a) => {
    const x = ctx.input(0), xDims = dimsOf(ctx, x);
    const axis = normAxis(ctx, a.axis, xDims.length);
    const r = argBest(ctx, x, axis, better, a.select_last_index !== 0);
    return [a.keepdims ? keepDims(ctx, r, xDims, [axis]) : r];
  },
});

// --- Softmax, LogSoftmax, Hardmax ---------------------------------------------------------

/** f applied along axes of x (a normalisation that keeps x's shape). */
type AlongAxis = (ctx: LowerCtx, x: Instruction, axes: number[]) => Instruction;

const softmax: AlongAxis = (ctx, x, axes) => {
  const b = ctx.b, xDims = dimsOf(ctx, x);
  const e = b.exponential(b.subtract(x, expandBack(ctx, fold(ctx, x, axes, 'maximum'), xDims, axes)));
  return b.divide(e, expandBack(ctx, sumOf(ctx, e, axes), xDims, axes));
};

const logSoftmax: AlongAxis = (ctx, x, axes) => {
  const b = ctx.b, xDims = dimsOf(ctx, x);
  const shifted = b.subtract(x, expandBack(ctx, fold(ctx, x, axes, 'maximum'), xDims, axes));
  const logSum = b.log(sumOf(ctx, b.exponential(shifted), axes));
  return b.subtract(shifted, expandBack(ctx, logSum, xDims, axes));
};

/** 1 at the first maximum along the (single) axis, 0 elsewhere. */
const hardmax: AlongAxis = (ctx, x, axes) => {
  const b = ctx.b, xDims = dimsOf(ctx, x), axis = axes[0];
  const best = expandBack(ctx, argBest(ctx, x, axis, 'GT'), xDims, axes);
  const hit = b.compare(b.iota({ kind: 'array', dtype: 's64', dims: xDims }, axis), best, 'EQ');
  return b.select(hit, fullLike(ctx, x, 1), fullLike(ctx, x, 0));
};

/**
 * Before opset 13 these ops flatten x to 2-D at `axis` (default 1) and normalise each
 * row; from 13 they normalise along `axis` (default -1) alone.
 */
const normaliseOp = (f: AlongAxis) => op({
  opsets: [1, 17],
  attrs: { axis: int() },
  lower: (ctx, a) => {
    const x = ctx.input(0), xDims = dimsOf(ctx, x), rank = xDims.length;
    if (ctx.opset >= 13) return [f(ctx, x, [normAxis(ctx, a.axis ?? -1, rank)])];
    const axis = a.axis ?? 1;
    if (axis < -rank || axis > rank) ctx.fail(`axis ${axis} is out of range for rank ${rank}`);
    const k = axis < 0 ? axis + rank : axis;
    const size = (ds: number[]) => ds.reduce((n, d) => n * d, 1);
    const rows = ctx.b.reshape(x, [size(xDims.slice(0, k)), size(xDims.slice(k))]);
    return [ctx.b.reshape(f(ctx, rows, [1]), xDims)];
  },
});

export const REDUCE_OPS = {
  ...Object.fromEntries(Object.entries(REDUCTIONS).map(([name, r]) => [name, reduceOp(r)])),
  ArgMax: argOp('GT'),
  ArgMin: argOp('LT'),
  Softmax: normaliseOp(softmax),
  LogSoftmax: normaliseOp(logSoftmax),
  Hardmax: normaliseOp(hardmax),
} satisfies Record<string, ReturnType<typeof op>>;
