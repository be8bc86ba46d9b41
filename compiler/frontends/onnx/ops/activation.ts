// ONNX activation ops: pointwise nonlinearities, written with compare/select and the
// HLO unary opcodes. Constants take the input's element type.
import type { Instruction } from '../../../../ir/module.js';
import type { LowerCtx } from './types.js';
import { float, ints, op } from './types.js';
import { broadcastTo, dimsOf, legacyBroadcastTo, splat } from './util.js';

/** Opset 1 listed `consumed_inputs` on these ops; it means nothing to an SSA graph. */
const legacy = { consumed_inputs: ints() } as const;

/** x < 0 ? neg : x — the shape of LeakyRelu, Elu, PRelu. */
function whereNegative(ctx: LowerCtx, x: Instruction, neg: Instruction): Instruction {
  return ctx.b.select(ctx.b.compare(x, splat(ctx, x, 0), 'LT'), neg, x);
}

/** alpha * x + beta clamped to [0, 1]. */
function hardSigmoid(ctx: LowerCtx, x: Instruction, alpha: number, beta: number): Instruction {
  const b = ctx.b;
  const lin = b.add(b.multiply(x, splat(ctx, x, alpha)), splat(ctx, x, beta));
  return b.clamp(splat(ctx, x, 0), lin, splat(ctx, x, 1));
}

/** log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|). */
function softplus(ctx: LowerCtx, x: Instruction): Instruction {
  const b = ctx.b;
  const tail = b.logPlusOne(b.exponential(b.negate(b.abs(x))));
  return b.add(b.maximum(x, splat(ctx, x, 0)), tail);
}

/** PRelu's slope against x: unidirectional numpy broadcast, or the channel axis before opset 7. */
function slopeFor(ctx: LowerCtx, x: Instruction, slope: Instruction): Instruction {
  const dims = dimsOf(ctx, x);
  if (ctx.opset >= 7) return broadcastTo(ctx, slope, dims);
  const sd = dimsOf(ctx, slope);
  if (sd.every((d) => d === 1)) return ctx.b.broadcast(ctx.b.reshape(slope, []), dims);
  return legacyBroadcastTo(ctx, slope, dims, 1);
}

export const ACTIVATION_OPS = {
  Relu: op({
    opsets: [1, 17],
    attrs: legacy,
    lower: (ctx) => {
      const x = ctx.input(0);
      return [ctx.b.maximum(x, splat(ctx, x, 0))];
    },
  }),
  LeakyRelu: op({
    opsets: [1, 17],
    attrs: { alpha: float(0.01), ...legacy },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      return [whereNegative(ctx, x, ctx.b.multiply(x, splat(ctx, x, a.alpha)))];
    },
  }),
  PRelu: op({
    opsets: [1, 17],
    attrs: legacy,
    lower: (ctx) => {
      const x = ctx.input(0);
      return [whereNegative(ctx, x, ctx.b.multiply(x, slopeFor(ctx, x, ctx.input(1))))];
    },
  }),
  ThresholdedRelu: op({
    opsets: [10, 17],
    attrs: { alpha: float(1) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const above = ctx.b.compare(x, splat(ctx, x, a.alpha), 'GT');
      return [ctx.b.select(above, x, splat(ctx, x, 0))];
    },
  }),
  Elu: op({
    opsets: [1, 17],
    attrs: { alpha: float(1), ...legacy },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      return [whereNegative(ctx, x, ctx.b.multiply(ctx.b.exponentialMinusOne(x), splat(ctx, x, a.alpha)))];
    },
  }),
  Selu: op({
    opsets: [1, 17],
    attrs: { alpha: float(1.67326319217681884765625), gamma: float(1.05070102214813232421875), ...legacy },
    lower: (ctx, a) => {
      const b = ctx.b, x = ctx.input(0);
      const neg = b.multiply(b.exponentialMinusOne(x), splat(ctx, x, a.alpha));
      const positive = b.compare(x, splat(ctx, x, 0), 'GT');
      return [b.multiply(b.select(positive, x, neg), splat(ctx, x, a.gamma))];
    },
  }),
  Celu: op({
    opsets: [12, 17],
    attrs: { alpha: float(1) },
    lower: (ctx, a) => {
      const b = ctx.b, x = ctx.input(0);
      const alpha = splat(ctx, x, a.alpha), zero = splat(ctx, x, 0);
      const neg = b.multiply(b.exponentialMinusOne(b.divide(x, alpha)), alpha);
      return [b.add(b.maximum(x, zero), b.minimum(neg, zero))];
    },
  }),
  Sigmoid: op({ opsets: [1, 17], attrs: legacy, lower: (ctx) => [ctx.b.logistic(ctx.input(0))] }),
  Tanh: op({ opsets: [1, 17], attrs: legacy, lower: (ctx) => [ctx.b.tanh(ctx.input(0))] }),
  HardSigmoid: op({
    opsets: [1, 17],
    attrs: { alpha: float(0.2), beta: float(0.5), ...legacy },
    lower: (ctx, a) => [hardSigmoid(ctx, ctx.input(0), a.alpha, a.beta)],
  }),
  HardSwish: op({
    opsets: [14, 17],
    attrs: {},
    lower: (ctx) => {
      const x = ctx.input(0);
      return [ctx.b.multiply(x, hardSigmoid(ctx, x, 1 / 6, 0.5))];
    },
  }),
  Softplus: op({ opsets: [1, 17], attrs: {}, lower: (ctx) => [softplus(ctx, ctx.input(0))] }),
  Softsign: op({
    opsets: [1, 17],
    attrs: {},
    lower: (ctx) => {
      const x = ctx.input(0);
      return [ctx.b.divide(x, ctx.b.add(ctx.b.abs(x), splat(ctx, x, 1)))];
    },
  }),
  Shrink: op({
    opsets: [9, 17],
    attrs: { lambd: float(0.5), bias: float(0) },
    lower: (ctx, a) => {
      const b = ctx.b, x = ctx.input(0);
      const bias = splat(ctx, x, a.bias);
      const below = b.compare(x, splat(ctx, x, -a.lambd), 'LT');
      const above = b.compare(x, splat(ctx, x, a.lambd), 'GT');
      return [b.select(below, b.add(x, bias), b.select(above, b.subtract(x, bias), splat(ctx, x, 0)))];
    },
  }),
} satisfies Record<string, ReturnType<typeof op>>;
