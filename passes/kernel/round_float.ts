// f32 → f16 and f32 → bf16 rounding (to nearest even, and back to f32: the kernel IR's
// `round`) as plain kernel IR on the bits, for targets with no exact native form: WGSL's
// pack2x16float leaves the rounding mode to the implementation and has no bf16 at all.
// The same algorithms as the wasm target's helpers (targets/wasm/ops.ts f32ToF16,
// f32ToBf16), which wasm keeps as shared helper functions.
import * as k from '../../ir/kernel/build.js';
import type { Expr } from '../../ir/kernel/kernel.js';

const u32 = (like: Expr, v: number): Expr => k.constant('u32', v, like.type.lanes);
const f32 = (like: Expr, v: number): Expr => k.constant('f32', v, like.type.lanes);
const and = (a: Expr, v: number): Expr => k.binary('and', a, u32(a, v));
const add = (a: Expr, b: Expr): Expr => k.binary('add', a, b);
/** Bit `bit` of `b` as 0 or 1: the last kept mantissa bit, which decides ties to even. */
const bitAt = (b: Expr, bit: number): Expr => and(k.binary('shift-right-logical', b, u32(b, bit)), 1);
/** `b` rounded to nearest even at bit `drop`, the bits below cleared (a carry may reach the exponent). */
const roundBits = (b: Expr, drop: number): Expr =>
  and(add(add(b, u32(b, 2 ** (drop - 1) - 1)), bitAt(b, drop)), (0xffffffff << drop) >>> 0);

/** x (f32) rounded to bf16 and back; NaN stays NaN, overflow becomes ±inf by the carry. */
export function roundToBf16(x: Expr): Expr {
  const b = k.bitcast(x, 'u32');
  return k.select(k.compare('NE', x, x), x, k.bitcast(roundBits(b, 16), 'f32'));
}

/**
 * x (f32) rounded to f16 and back. Normal halves keep 10 of f32's 23 mantissa bits; below
 * 2^-14 halves are multiples of 2^-24, so |x|·2^24 rounded to an integer (exact in f32:
 * scaling by a power of two) and scaled back is the subnormal; from 65520 (65504 plus
 * half an ulp) up the result is ±inf; NaN stays NaN.
 */
export function roundToF16(x: Expr): Expr {
  const b = k.bitcast(x, 'u32');
  const abs = and(b, 0x7fffffff), sign = and(b, 0x80000000);
  const absF = k.bitcast(abs, 'f32');
  const sub = k.bitcast(k.binary('multiply', k.unary('round-nearest-even', k.binary('multiply', absF, f32(x, 2 ** 24))), f32(x, 2 ** -24)), 'u32');
  const magnitude = k.select(k.compare('LT', abs, u32(x, 0x38800000)), sub, roundBits(abs, 13));
  const finite = k.select(k.compare('GE', abs, u32(x, 0x477ff000)), u32(x, 0x7f800000), magnitude);
  return k.select(k.compare('NE', x, x), x, k.bitcast(k.binary('or', sign, finite), 'f32'));
}
