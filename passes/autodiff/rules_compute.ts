// dot and reduce. dot is bilinear: its tangent is the sum of two dots, its cotangents
// are dots of the output cotangent with the other operand (JAX's
// _dot_general_transpose_lhs/rhs). reduce is differentiated for one input and a
// recognised reducer (add, multiply, maximum, minimum).
import type { OpAttrs } from '../../ir/opcodes.js';
import type { Instruction } from '../../ir/module.js';
import { type Emitter, dimsOf, dtypeOf, others, range } from './emitter.js';
import { NotDifferentiableError } from './errors.js';
import { reducerKind } from './reducers.js';
import { replay } from './rules_structural.js';
import { type Rule, arr } from './types.js';

interface DotDims { contract: readonly number[]; batch: readonly number[] }

/**
 * The cotangent of dot's lhs x, given g and the other operand y. `swap`: x is really the
 * rhs (the output's kept dims then list y's before x's).
 */
function dotTransposeLhs(e: Emitter, g: Instruction, x: Instruction, y: Instruction, xd: DotDims, yd: DotDims, swap: boolean): Instruction {
  const xKept = others(dimsOf(x).length, xd.contract, xd.batch), yKept = others(dimsOf(y).length, yd.contract, yd.batch);
  const nb = xd.batch.length;
  const ansY = range(yKept.length).map((k) => nb + (swap ? 0 : xKept.length) + k);
  const xContractByY = argsort(yd.contract).map((k) => xd.contract[k]);
  const type = dtypeOf(x) === dtypeOf(g) ? undefined : dtypeOf(x);
  // dot(g, y) lists x's dims as [batch, kept, contracted]; dot(y, g) as [batch, contracted,
  // kept]. Take the one already in x's order (dW = xᵀ·g needs no transpose that way).
  const gFirst = argsort([...xd.batch, ...xKept, ...xContractByY]), yFirst = argsort([...xd.batch, ...xContractByY, ...xKept]);
  if (!isIdentity(gFirst) && isIdentity(yFirst))
    return e.c.dot(y, g, { lhsContracting: yKept, rhsContracting: ansY, lhsBatch: [...yd.batch], rhsBatch: range(nb) }, type);
  const d = e.c.dot(g, y, { lhsContracting: ansY, rhsContracting: yKept, lhsBatch: range(nb), rhsBatch: [...yd.batch] }, type);
  return e.transpose(d, gFirst);
}

const isIdentity = (p: readonly number[]) => p.every((v, i) => v === i);
const argsort = (xs: readonly number[]): number[] => range(xs.length).sort((a, b) => xs[a] - xs[b]);

const dimsOfDot = (a: OpAttrs<'dot'>): [DotDims, DotDims] => [
  { contract: a.lhs_contracting_dims ?? [], batch: a.lhs_batch_dims ?? [] },
  { contract: a.rhs_contracting_dims ?? [], batch: a.rhs_batch_dims ?? [] },
];

const dot: Rule<'dot'> = {
  jvp: (c) => {
    const [a, b] = c.ops;
    const ta = c.t[0] && replay(c, [arr(c.t[0]), b]), tb = c.t[1] && replay(c, [a, arr(c.t[1])]);
    return c.e.acc(ta, tb);
  },
  vjp: ({ e, ct, wants, ops: [a, b], attrs }) => {
    const [ad, bd] = dimsOfDot(attrs);
    return [
      wants[0] ? dotTransposeLhs(e, arr(ct), a, b, ad, bd, false) : undefined,
      wants[1] ? dotTransposeLhs(e, arr(ct), b, a, bd, ad, true) : undefined,
    ];
  },
};

/** Refuses what reduce's rule does not cover; returns the reducer's kind. */
function reduceKind(x: Instruction, ops: readonly Instruction[], initVaries: boolean, initOk: boolean) {
  if (ops.length !== 2) throw NotDifferentiableError.of(x, 'a variadic reduce (several inputs) is not differentiable yet');
  const to = (x as Extract<Instruction, { opcode: 'reduce' }>).attrs.to_apply;
  const kind = reducerKind(to);
  if (!kind) throw NotDifferentiableError.of(x, `its reducer %${to.name} is not add, multiply, maximum or minimum of its two parameters`);
  if (initVaries && !(initOk && kind === 'add')) throw NotDifferentiableError.of(x, `the init value of a ${kind} reduction varies with a differentiated parameter`);
  return kind;
}

/** For max/min: where x equals its reduced value, and how many elements tie there (at least 1). */
function winners(e: Emitter, x: Instruction, y: Instruction, kept: number[]) {
  const mask = e.cmp(x, e.broadcast(y, dimsOf(x), kept), 'EQ');
  const ones = e.convert(mask, dtypeOf(x));
  const count = e.c.maximum(e.sum(ones, others(dimsOf(x).length, kept)), e.like(y, 1));
  return { mask, count };
}

/**
 * ∂(∏x)/∂xᵢ = the product of the others, exact where inputs are zero: from the product of
 * the nonzero elements and how many zeros the reduction saw (none: P/xᵢ; one: P at the
 * zero, 0 elsewhere; more: 0).
 */
function productOfOthers(e: Emitter, x: Instruction, dims: readonly number[], kept: number[]): Instruction {
  const d = dimsOf(x), t = dtypeOf(x);
  const isZero = e.cmp(x, e.like(x, 0), 'EQ');
  const nonzero = e.select(isZero, e.like(x, 1), x);
  const spread = (v: Instruction) => e.broadcast(v, d, kept);
  const p = spread(e.c.reduce(nonzero, e.scalar(t, 1), [...dims], e.scalarFn('multiply', t)));
  const zeros = spread(e.sum(e.convert(isZero, t), dims));
  const none = e.cmp(zeros, e.like(zeros, 0), 'EQ'), one = e.cmp(zeros, e.like(zeros, 1), 'EQ');
  return e.select(none, e.div(p, nonzero), e.mask(e.c.and(one, isZero), p));
}

const reduce: Rule<'reduce'> = {
  jvp: (c) => {
    const { e, x, ops, attrs } = c;
    const kind = reduceKind(x, ops, c.t[1] !== undefined, true);
    const [input] = ops, tin = e.materialize(c.t[0], input.shape);
    const kept = others(dimsOf(input).length, attrs.dimensions);
    if (kind === 'add') return replay(c, [tin, e.materialize(c.t[1], ops[1].shape)]);
    if (kind === 'multiply') return e.sum(e.mul(tin, productOfOthers(e, input, attrs.dimensions, kept)), attrs.dimensions);
    const { mask, count } = winners(e, input, x, kept);
    return e.div(e.sum(e.mask(mask, tin), attrs.dimensions), count);
  },
  vjp: ({ e, x, ops, ct, wants, attrs }) => {
    const kind = reduceKind(x, ops, wants[1], true);
    const [input] = ops, g = arr(ct), d = dimsOf(input);
    const kept = others(d.length, attrs.dimensions);
    const spread = (v: Instruction) => e.broadcast(v, d, kept);
    const initCt = wants[1] ? e.sum(g, range(dimsOf(g).length)) : undefined;
    if (kind === 'add') return [wants[0] ? spread(g) : undefined, initCt];
    if (kind === 'multiply') return [e.mul(spread(g), productOfOthers(e, input, attrs.dimensions, kept))];
    const { mask, count } = winners(e, input, x, kept);
    return [e.mask(mask, spread(e.div(g, count)))];
  },
};

export const COMPUTE_RULES = { dot, reduce };
