// ONNX ops: quant family (QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear).
//
// The arithmetic runs in the scale's float type; quantized values are converted to and
// from it. Rounding is round-half-to-even and the result saturates to the integer
// type's range before the convert, as ONNX asks (XLA's convert does not saturate).
import { isFloat, type DType } from '../../../../ir/dtype.js';
import type { Instruction } from '../../../../ir/module.js';
import type { LowerCtx } from './types.js';
import { int, op } from './types.js';
import { dimsOf, dtypeOf, fold, highest, lowest, normAxis } from './util.js';

/**
 * A scale or zero point spread over x's dims: a scalar (or one-element vector) applies
 * to the whole tensor; from opset 13 a vector applies per slice along `axis`.
 */
function perAxis(ctx: LowerCtx, v: Instruction, dims: number[], axis: number): Instruction {
  const vDims = dimsOf(ctx, v);
  const n = vDims.reduce((p, d) => p * d, 1);
  if (vDims.length === 0) return ctx.b.broadcast(v, dims);
  if (vDims.length !== 1) ctx.fail(`scale and zero point must be scalars or vectors, got rank ${vDims.length}`);
  const k = normAxis(ctx, axis, dims.length);
  if (n === dims[k] && ctx.opset >= 13) return ctx.b.broadcast(v, dims, [k]);
  if (n === 1) return ctx.b.broadcast(ctx.b.reshape(v, []), dims);
  return ctx.fail(`a scale of ${n} elements does not fit axis ${k} of size ${dims[k]}`);
}

/** x converted to float type t (a no-op when it already is). */
const toFloat = (ctx: LowerCtx, x: Instruction, t: DType): Instruction =>
  (dtypeOf(ctx, x) === t ? x : ctx.b.convert(x, t));

/** round_half_even(x) clamped to the range of integer type q, then converted to q. */
function saturate(ctx: LowerCtx, x: Instruction, q: DType): Instruction {
  const b = ctx.b, t = dtypeOf(ctx, x), dims = dimsOf(ctx, x);
  const bound = (v: number | bigint) => b.broadcast(b.constantScalar(t, Number(v)), dims);
  return b.convert(b.clamp(bound(lowest(q)), b.roundNearestEven(x), bound(highest(q))), q);
}

/** y = saturate(round(x / scale) + zero_point) in q; scale and zero point already spread to x's dims. */
function quantize(ctx: LowerCtx, x: Instruction, scale: Instruction, zeroPoint: Instruction | undefined, q: DType): Instruction {
  const b = ctx.b, t = dtypeOf(ctx, scale);
  // Round before adding the zero point: adding first would move the halfway ties.
  const r = b.roundNearestEven(b.divide(toFloat(ctx, x, t), scale));
  return saturate(ctx, zeroPoint ? b.add(r, toFloat(ctx, zeroPoint, t)) : r, q);
}

/** Both affine ops take (x, scale, zero point?) and an axis for per-axis scales. */
const affineAttrs = { axis: int(1) };

export const QUANT_OPS = {
  QuantizeLinear: op({
    opsets: [10, 17],
    attrs: affineAttrs,
    lower: (ctx, a) => {
      const x = ctx.input(0), dims = dimsOf(ctx, x);
      const scale = perAxis(ctx, ctx.input(1), dims, a.axis);
      const zp = ctx.optional(2);
      if (!isFloat(dtypeOf(ctx, scale))) ctx.fail('y_scale must be a float tensor');
      // The zero point's type is the output type; without one it is uint8.
      const q = zp ? dtypeOf(ctx, zp) : 'u8';
      return [quantize(ctx, x, scale, zp && perAxis(ctx, zp, dims, a.axis), q)];
    },
  }),

  DequantizeLinear: op({
    opsets: [10, 17],
    attrs: affineAttrs,
    lower: (ctx, a) => {
      const b = ctx.b, x = ctx.input(0), dims = dimsOf(ctx, x);
      const scale = perAxis(ctx, ctx.input(1), dims, a.axis);
      const t = dtypeOf(ctx, scale), zp = ctx.optional(2);
      // Subtract in the float type: int8/uint8 differences would wrap in their own type.
      const shifted = zp ? b.subtract(toFloat(ctx, x, t), toFloat(ctx, perAxis(ctx, zp, dims, a.axis), t)) : toFloat(ctx, x, t);
      return [b.multiply(shifted, scale)];
    },
  }),

  /**
   * uint8 quantization with the scale and zero point chosen from x's range, widened to
   * include 0 so that 0 is exactly representable: scale = (max - min) / 255,
   * zero_point = saturate(round(-min / scale)).
   */
  DynamicQuantizeLinear: op({
    opsets: [11, 17],
    attrs: {},
    lower: (ctx) => {
      const b = ctx.b, x = ctx.input(0), dims = dimsOf(ctx, x), t = dtypeOf(ctx, x);
      const all = dims.map((_, i) => i);
      const zero = b.constantScalar(t, 0);
      const lo = b.minimum(fold(ctx, x, all, 'minimum'), zero);
      const hi = b.maximum(fold(ctx, x, all, 'maximum'), zero);
      const scale = b.divide(b.subtract(hi, lo), b.constantScalar(t, 255));
      // qmin - min / scale with qmin = 0.
      const zpFloat = b.negate(b.divide(lo, scale));
      const zp = saturate(ctx, zpFloat, 'u8');
      const y = quantize(ctx, x, b.broadcast(scale, dims), b.broadcast(zp, dims), 'u8');
      return [y, scale, zp];
    },
  }),
} satisfies Record<string, ReturnType<typeof op>>;
