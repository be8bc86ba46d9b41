// ONNX ops: linear algebra (MatMul, MatMulInteger, Gemm, Einsum) and the ops that
// order or accumulate along an axis (TopK, CumSum).
//
// Products lower onto XLA dot with explicit batch and contracting dims, so transposes
// and numpy's batch broadcasting become dimension numbers (or broadcasts) rather
// than data movement.
import type { Instruction } from '../../../../ir/module.js';
import { scalar } from '../../../../ir/shape.js';
import { DTYPES, type DType } from '../../../../ir/dtype.js';
import type { LowerCtx } from './types.js';
import { float, int, op, string } from './types.js';
import { broadcastDims, broadcastTo, dimsOf, dtypeOf, fold, normAxis } from './util.js';

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

// --- MatMul -------------------------------------------------------------------------------

/**
 * numpy's matmul: a 1-D operand is promoted to a matrix (a row on the left, a column on
 * the right) and the promoted dim dropped from the result; batch dims broadcast.
 */
export function matmul(ctx: LowerCtx, a: Instruction, b: Instruction): Instruction {
  const B = ctx.b;
  const ad = dimsOf(ctx, a), bd = dimsOf(ctx, b);
  if (ad.length === 0 || bd.length === 0) ctx.fail('MatMul operands must have rank >= 1');
  const a2 = ad.length === 1 ? B.reshape(a, [1, ad[0]]) : a;
  const b2 = bd.length === 1 ? B.reshape(b, [bd[0], 1]) : b;
  const am = dimsOf(ctx, a2), bm = dimsOf(ctx, b2);
  if (am[am.length - 1] !== bm[bm.length - 2])
    ctx.fail(`MatMul contracting dims differ: [${ad.join(',')}] x [${bd.join(',')}]`);
  let out: Instruction;
  if (bm.length === 2) {
    // A plain matrix on the right needs no batch dims: contract a's last dim with its first.
    out = B.dot(a2, b2, { lhsContracting: [am.length - 1], rhsContracting: [0] });
  } else {
    const batch = broadcastDims(ctx, [am.slice(0, -2), bm.slice(0, -2)]);
    const ab = broadcastTo(ctx, a2, [...batch, ...am.slice(-2)]);
    const bb = broadcastTo(ctx, b2, [...batch, ...bm.slice(-2)]);
    const n = batch.length;
    out = B.dot(ab, bb, { lhsBatch: range(n), rhsBatch: range(n), lhsContracting: [n + 1], rhsContracting: [n] });
  }
  // Drop the dims the 1-D promotion added.
  const od = dimsOf(ctx, out);
  const keep = od.filter((_, i) => !((ad.length === 1 && i === od.length - 2) || (bd.length === 1 && i === od.length - 1)));
  return keep.length === od.length ? out : B.reshape(out, keep);
}

/** x minus its zero point, as s32; a 1-D zero point of `rows` entries applies per row. */
function centred(ctx: LowerCtx, x: Instruction, zero: Instruction | undefined, perRow: boolean): Instruction {
  const xs = ctx.b.convert(x, 's32');
  if (!zero) return xs;
  const xd = dimsOf(ctx, x), zd = dimsOf(ctx, zero);
  let z: Instruction = ctx.b.convert(zero, 's32');
  // A per-row zero point of A ([M]) lines up with A's second-to-last dim, not its last.
  if (perRow && zd.length === 1 && zd[0] !== 1 && xd.length >= 2) z = ctx.b.reshape(z, [zd[0], 1]);
  return ctx.b.subtract(xs, broadcastTo(ctx, z, xd));
}

// --- Gemm ---------------------------------------------------------------------------------

/** alpha * A' B' + beta * C, with A', B' optionally transposed (by dot dims, not a copy). */
function gemm(ctx: LowerCtx, a: { alpha: number; beta: number; transA: number; transB: number }): Instruction {
  const B = ctx.b, x = ctx.input(0), y = ctx.input(1), c = ctx.optional(2);
  if (dimsOf(ctx, x).length !== 2 || dimsOf(ctx, y).length !== 2) ctx.fail('Gemm operands must be matrices');
  const dtype = dtypeOf(ctx, x);
  const scaled = (v: Instruction, k: number) =>
    k === 1 ? v : B.multiply(v, B.broadcast(B.constantScalar(dtype, k), dimsOf(ctx, v)));
  const prod = scaled(B.dot(x, y, { lhsContracting: [a.transA ? 0 : 1], rhsContracting: [a.transB ? 1 : 0] }), a.alpha);
  if (!c || a.beta === 0) return prod;
  return B.add(prod, scaled(broadcastTo(ctx, c, dimsOf(ctx, prod)), a.beta));
}

// --- Einsum -------------------------------------------------------------------------------

/** A value with one label per dim. */
interface Labelled {
  x: Instruction;
  labels: string[];
}

/**
 * Splits an equation into per-operand label lists and the output's. `...` becomes labels
 * '0', '1', ... counted from the right, so broadcast dims line up across operands.
 */
function parseEinsum(ctx: LowerCtx, equation: string, ranks: number[]): { inputs: string[][]; output: string[] } {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  const terms = lhs.split(',');
  if (terms.length !== ranks.length) ctx.fail(`equation '${equation}' names ${terms.length} operands, the node has ${ranks.length}`);
  let ellipsisRank = 0;
  const expand = (term: string, rank?: number): string[] => {
    if (!/^[A-Za-z]*(\.\.\.)?[A-Za-z]*$/.test(term)) ctx.fail(`equation term '${term}' is not letters with at most one '...'`);
    const [before, after] = term.includes('...') ? term.split('...') : [term, undefined];
    if (after === undefined) return [...before];
    const n = rank === undefined ? ellipsisRank : rank - before.length - after.length;
    if (n < 0) ctx.fail(`equation term '${term}' has more labels than its operand has dims`);
    ellipsisRank = Math.max(ellipsisRank, n);
    return [...before, ...range(n).map((i) => String(n - 1 - i)), ...after];
  };
  const inputs = terms.map((t, i) => expand(t, ranks[i]));
  inputs.forEach((l, i) => { if (l.length !== ranks[i]) ctx.fail(`equation term '${terms[i]}' does not match rank ${ranks[i]}`); });
  if (rhs !== undefined) return { inputs, output: expand(rhs) };
  // Implicit output: the ellipsis dims, then the labels used once, alphabetically.
  const all = inputs.flat();
  const once = [...new Set(all)].filter((l) => /[A-Za-z]/.test(l) && all.indexOf(l) === all.lastIndexOf(l)).sort();
  return { inputs, output: [...range(ellipsisRank).map((i) => String(ellipsisRank - 1 - i)), ...once] };
}

/** Takes the diagonal over every label an operand repeats ('ii' -> 'i'), by masking and summing. */
function diagonals(ctx: LowerCtx, v: Labelled): Labelled {
  const B = ctx.b;
  let { x, labels } = v;
  for (let j = labels.length - 1; j >= 0; j--) {
    const i = labels.indexOf(labels[j]);
    if (i === j) continue;
    const dims = dimsOf(ctx, x);
    const same = B.compare(B.iota({ kind: 'array', dtype: 's64', dims }, i), B.iota({ kind: 'array', dtype: 's64', dims }, j), 'EQ');
    const zeros = B.broadcast(B.constantScalar(dtypeOf(ctx, x), 0), dims);
    x = fold(ctx, B.select(same, x, zeros), [j], 'add');
    labels = labels.filter((_, k) => k !== j);
  }
  return { x, labels };
}

/** v with the dims whose labels are not in keep summed away. */
function sumAway(ctx: LowerCtx, v: Labelled, keep: Set<string>): Labelled {
  const drop = v.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length === 0) return v;
  return { x: fold(ctx, v.x, drop, 'add'), labels: v.labels.filter((l) => keep.has(l)) };
}

/** Broadcasts size-1 dims of v up to the sizes other operands give the same label. */
function stretch(ctx: LowerCtx, v: Labelled, sizes: Map<string, number>): Labelled {
  const dims = dimsOf(ctx, v.x);
  const want = v.labels.map((l) => sizes.get(l)!);
  return want.every((d, i) => d === dims[i]) ? v : { x: broadcastTo(ctx, v.x, want), labels: v.labels };
}

/** The product of two labelled operands, keeping the labels in keep and contracting the rest. */
function contract(ctx: LowerCtx, l: Labelled, r: Labelled, keep: Set<string>): Labelled {
  const shared = l.labels.filter((s) => r.labels.includes(s));
  const batch = shared.filter((s) => keep.has(s));
  const summed = shared.filter((s) => !keep.has(s));
  const x = ctx.b.dot(l.x, r.x, {
    lhsBatch: batch.map((s) => l.labels.indexOf(s)), rhsBatch: batch.map((s) => r.labels.indexOf(s)),
    lhsContracting: summed.map((s) => l.labels.indexOf(s)), rhsContracting: summed.map((s) => r.labels.indexOf(s)),
  });
  // dot's result: batch dims, then lhs's free dims, then rhs's, each in operand order.
  const labels = [...batch, ...l.labels.filter((s) => !shared.includes(s)), ...r.labels.filter((s) => !shared.includes(s))];
  return { x, labels };
}

function einsum(ctx: LowerCtx, equation: string, xs: Instruction[]): Instruction {
  const { inputs, output } = parseEinsum(ctx, equation, xs.map((x) => dimsOf(ctx, x).length));
  if (new Set(output).size !== output.length) ctx.fail(`equation '${equation}' repeats an output label`);
  const sizes = new Map<string, number>();
  xs.forEach((x, k) => dimsOf(ctx, x).forEach((d, i) => {
    const l = inputs[k][i], seen = sizes.get(l);
    if (seen !== undefined && seen !== d && seen !== 1 && d !== 1) ctx.fail(`label '${l}' has sizes ${seen} and ${d}`);
    if (seen === undefined || seen === 1) sizes.set(l, d);
  }));
  output.forEach((l) => { if (!sizes.has(l)) ctx.fail(`output label '${l}' appears in no operand`); });
  const ops = xs.map((x, k) => stretch(ctx, diagonals(ctx, { x, labels: inputs[k] }), sizes));
  // Fold the operands left to right, keeping a label while the output or a later operand needs it.
  const needed = (from: number) => new Set([...output, ...ops.slice(from).flatMap((v) => v.labels)]);
  let acc = sumAway(ctx, ops[0], needed(1));
  for (let k = 1; k < ops.length; k++) {
    const keep = needed(k + 1);
    acc = contract(ctx, acc, sumAway(ctx, ops[k], new Set([...keep, ...acc.labels])), keep);
  }
  acc = sumAway(ctx, acc, new Set(output));
  const perm = output.map((l) => acc.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? acc.x : ctx.b.transpose(acc.x, perm);
}

// --- TopK ---------------------------------------------------------------------------------

/**
 * Sorts (value, index) pairs along axis, best value first and the lower index first
 * among equals (as ONNX asks), then keeps the first k.
 */
function topK(ctx: LowerCtx, x: Instruction, k: number, axis: number, largest: boolean): Instruction[] {
  const B = ctx.b, dims = dimsOf(ctx, x), dtype = dtypeOf(ctx, x);
  if (!Number.isInteger(k) || k < 0 || k > dims[axis]) ctx.fail(`k = ${k} is outside [0, ${dims[axis]}]`);
  const less = ctx.mb.computation(`topk_${largest ? 'largest' : 'smallest'}_${dtype}`, (c) => {
    const [v0, v1] = [c.parameter(scalar(dtype), 'v0'), c.parameter(scalar(dtype), 'v1')];
    const [i0, i1] = [c.parameter(scalar('s64'), 'i0'), c.parameter(scalar('s64'), 'i1')];
    const tie = c.and(c.compare(v0, v1, 'EQ'), c.compare(i0, i1, 'LT'));
    return c.or(c.compare(v0, v1, largest ? 'GT' : 'LT'), tie);
  });
  const sorted = B.sort([x, B.iota({ kind: 'array', dtype: 's64', dims }, axis)], axis, less, true);
  const limits = dims.map((d, i) => (i === axis ? k : d));
  return [0, 1].map((i) => B.slice(B.getTupleElement(sorted, i), dims.map(() => 0), limits));
}

// --- CumSum -------------------------------------------------------------------------------

/**
 * Running sums along axis as a reduce-window whose window spans the whole axis, padded
 * so that output i sees exactly the elements before (or after) it. Exclusive sums pad
 * one more and drop the extra output.
 */
function cumsum(ctx: LowerCtx, x: Instruction, axis: number, exclusive: boolean, reverse: boolean): Instruction {
  const B = ctx.b, dims = dimsOf(ctx, x), dtype: DType = dtypeOf(ctx, x), n = dims[axis];
  if (n === 0) return x;
  const pad = exclusive ? n : n - 1;
  const window = dims.map((_, i) => (i === axis ? { size: n, padLow: reverse ? 0 : pad, padHigh: reverse ? pad : 0 } : {}));
  const sums = B.reduceWindow(x, B.constantScalar(dtype, 0), window, ctx.reducer('add', dtype));
  if (!exclusive) return sums;
  const start = reverse ? 1 : 0;
  return B.slice(sums, dims.map((_, i) => (i === axis ? start : 0)), dims.map((d, i) => (i === axis ? start + n : d)));
}

/**
 * CumSum whose axis is known only at run time: the result's shape does not depend on it,
 * so compute the sums along every axis and select the one the axis names (either sign).
 * An out-of-range axis cannot be reported at run time; rather than a plausible wrong
 * answer it gives NaN everywhere (zeros for integer types, which have no NaN).
 */
function cumsumAnyAxis(ctx: LowerCtx, x: Instruction, axis: Instruction, sumAlong: (axis: number) => Instruction): Instruction {
  const B = ctx.b, dims = dimsOf(ctx, x), rank = dims.length, at = dtypeOf(ctx, axis);
  if (rank === 0) ctx.fail('CumSum needs an input of rank >= 1');
  const a = dimsOf(ctx, axis).length === 0 ? axis : B.reshape(axis, []);
  const names = (i: number) => B.or(B.compare(a, B.constantScalar(at, i), 'EQ'), B.compare(a, B.constantScalar(at, i - rank), 'EQ'));
  const x0 = sumAlong(rank - 1), dt = dtypeOf(ctx, x0);
  const poison = B.broadcast(B.constantScalar(dt, DTYPES[dt].cls === 'float' ? NaN : 0), dims);
  let out: Instruction = poison;
  for (let i = rank - 1; i >= 0; i--) out = B.select(B.broadcast(names(i), dims), i === rank - 1 ? x0 : sumAlong(i), out);
  return out;
}

export const LINALG_OPS = {
  MatMul: op({
    opsets: [1, 17],
    attrs: {},
    lower: (ctx) => [matmul(ctx, ctx.input(0), ctx.input(1))],
  }),
  MatMulInteger: op({
    opsets: [10, 17],
    attrs: {},
    lower: (ctx) => [matmul(ctx, centred(ctx, ctx.input(0), ctx.optional(2), true), centred(ctx, ctx.input(1), ctx.optional(3), false))],
  }),
  Gemm: op({
    opsets: [1, 17],
    // `broadcast` (before opset 7) only allowed what unidirectional broadcasting does anyway.
    attrs: { alpha: float(1), beta: float(1), transA: int(0), transB: int(0), broadcast: int(0) },
    lower: (ctx, a) => [gemm(ctx, a)],
  }),
  Einsum: op({
    opsets: [12, 17],
    attrs: { equation: string() },
    lower: (ctx, a) => [einsum(ctx, a.equation ?? ctx.fail('attribute equation is required'), range(ctx.inputCount).map((i) => ctx.input(i)))],
  }),
  TopK: op({
    opsets: [1, 17],
    // sorted=0 lets any order through, so the sorted order is always a valid answer.
    attrs: { k: int(), axis: int(-1), largest: int(1), sorted: int(1) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      // k moved from an attribute to an input at opset 10.
      const kLit = ctx.opset >= 10 ? ctx.constant(1, 'k') : undefined;
      if (kLit && kLit.data.length !== 1) ctx.fail(`k must hold one value, it holds ${kLit.data.length}`);
      const k = kLit ? Number(kLit.data[0]) : a.k ?? ctx.fail('attribute k is required');
      return topK(ctx, x, k, normAxis(ctx, a.axis, dimsOf(ctx, x).length), a.largest !== 0);
    },
  }),
  CumSum: op({
    opsets: [11, 17],
    attrs: { exclusive: int(0), reverse: int(0) },
    lower: (ctx, a) => {
      const x = ctx.input(0), rank = dimsOf(ctx, x).length;
      const sumAlong = (axis: number) => cumsum(ctx, x, axis, a.exclusive !== 0, a.reverse !== 0);
      const known = ctx.known(1);
      if (known) return [sumAlong(normAxis(ctx, Number(known.data[0]), rank))];
      return [cumsumAnyAxis(ctx, x, ctx.input(1), sumAlong)];
    },
  }),
} satisfies Record<string, ReturnType<typeof op>>;
