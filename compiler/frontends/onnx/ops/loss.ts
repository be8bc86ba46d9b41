// ONNX ops: loss family (NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss).
//
// Both pick, for every element of the target, the input's entry at the target's class
// on axis 1. Rather than a gather, the pick is a one-hot mask (iota along the class axis
// compared with the broadcast target) selected into the input and summed over the
// classes: the clean XLA form, and it gives 0 for out-of-range or ignored targets for
// free. The class weights are picked the same way.
import type { Instruction } from '../../../../ir/module.js';
import type { LowerCtx } from './types.js';
import { int, op, string } from './types.js';
import { dimsOf, dtypeOf, expandBack, fold, fullLike } from './util.js';

/** The loss attributes shared by both ops. */
const lossAttrs = { reduction: string('mean'), ignore_index: int() };

/** x's entries at each target's class on axis 1 (summed away), 0 where mask is false. */
function pick(ctx: LowerCtx, x: Instruction, mask: Instruction): Instruction {
  return fold(ctx, ctx.b.select(mask, x, fullLike(ctx, x, 0)), [1], 'add');
}

/**
 * The one-hot mask of target over input dims (N, C, d1, ...): true at [n, c, d...] when
 * target[n, d...] == c and that target is not ignore_index.
 */
function oneHot(ctx: LowerCtx, target: Instruction, dims: number[], ignoreIndex: number | undefined): Instruction {
  const b = ctx.b, tDims = dimsOf(ctx, target), dtype = dtypeOf(ctx, target);
  if (tDims.length !== dims.length - 1 || tDims[0] !== dims[0] || tDims.some((d, i) => i > 0 && d !== dims[i + 1])) {
    ctx.fail(`target dims [${tDims.join(',')}] do not fit input dims [${dims.join(',')}]`);
  }
  const spread = b.broadcast(target, dims, tDims.map((_, i) => (i === 0 ? 0 : i + 1)));
  const hit = b.compare(b.iota({ kind: 'array', dtype, dims }, 1), spread, 'EQ');
  if (ignoreIndex === undefined) return hit;
  // An ignore_index inside [0, C) would still match the iota: mask it out explicitly.
  const kept = b.compare(spread, fullLike(ctx, spread, dtype === 's64' ? BigInt(ignoreIndex) : ignoreIndex), 'NE');
  return b.and(hit, kept);
}

/**
 * NLL of log-probabilities x (N, C, d1, ...) at target (N, d1, ...): -x[n, t, d...] times
 * weight[t], reduced as asked. A weighted mean divides by the summed weights of the
 * targets that count, not by their number.
 */
function nll(ctx: LowerCtx, x: Instruction, target: Instruction, weight: Instruction | undefined,
  reduction: string, ignoreIndex: number | undefined): Instruction {
  const b = ctx.b, dims = dimsOf(ctx, x);
  const mask = oneHot(ctx, target, dims, ignoreIndex);
  const w = weight ? b.broadcast(weight, dims, [1]) : fullLike(ctx, x, 1);
  const picked = pick(ctx, x, mask);
  // Ignored (or out-of-range) targets get weight 0, so they drop out of the mean too.
  const wPicked = pick(ctx, w, mask);
  const loss = b.negate(b.multiply(picked, wPicked));
  const all = dimsOf(ctx, loss).map((_, i) => i);
  switch (reduction) {
    case 'none': return loss;
    case 'sum': return fold(ctx, loss, all, 'add');
    case 'mean': return b.divide(fold(ctx, loss, all, 'add'), fold(ctx, wPicked, all, 'add'));
    default: return ctx.fail(`reduction '${reduction}' is not supported`);
  }
}

/** log(softmax(x)) along axis 1, shifted by the max so large scores do not overflow. */
function logSoftmax1(ctx: LowerCtx, x: Instruction): Instruction {
  const b = ctx.b, dims = dimsOf(ctx, x);
  const shifted = b.subtract(x, expandBack(ctx, fold(ctx, x, [1], 'maximum'), dims, [1]));
  const logSum = b.log(fold(ctx, b.exponential(shifted), [1], 'add'));
  return b.subtract(shifted, expandBack(ctx, logSum, dims, [1]));
}

export const LOSS_OPS = {
  NegativeLogLikelihoodLoss: op({
    opsets: [12, 17],
    attrs: lossAttrs,
    lower: (ctx, a) => [nll(ctx, ctx.input(0), ctx.input(1), ctx.optional(2), a.reduction, a.ignore_index)],
  }),

  SoftmaxCrossEntropyLoss: op({
    opsets: [12, 17],
    attrs: lossAttrs,
    lower: (ctx, a) => {
      const logProb = logSoftmax1(ctx, ctx.input(0));
      const loss = nll(ctx, logProb, ctx.input(1), ctx.optional(2), a.reduction, a.ignore_index);
      return ctx.outputCount > 1 ? [loss, logProb] : [loss];
    },
  }),
} satisfies Record<string, ReturnType<typeof op>>;
