// Expands XLA's exact integer semantics into plain kernel IR that is safe on any
// target's native operators. Kernel-IR operators mean what HLO means (ir/scalar/ops.ts):
// x / 0 = −1 (all bits), x % 0 = x, INT_MIN / −1 = INT_MIN, INT_MIN % −1 = 0, and shifts
// by a count outside [0, bits) give 0 (left, logical) or the sign fill (arithmetic).
// Native operators differ exactly there: wasm's div traps, CUDA's is undefined, WGSL's
// gives other values and masks shift counts. After this pass every integer divide,
// remainder and shift receives operands inside the domain where the native operator and
// XLA agree, and selects pick XLA's result at the edges, so a renderer may spell them
// natively. Selects evaluate both arms on some targets (WGSL's select()), which is why
// the guard goes on the operand (a divisor of 1, a masked count) and not only around
// the result.
//
// A target opts in per operator family (NativeOps). The wasm target does not:
// its helpers implement the edges themselves (targets/wasm/binary.ts). The same opt-in
// expands `round` to f16/bf16 into bit arithmetic (round_float.ts) for targets whose
// native conversion is not exact.
//
// Operands are duplicated, not bound to lets: a divisor is read by the guard and by the
// division. Kernel IR expressions are pure and every target's compiler removes the common
// subexpressions; lowering's index arithmetic divides by constants, which need no guard
// (or a constant one), so nothing grows there.
import * as k from '../../ir/kernel/build.js';
import type { BinaryOp, Expr, Kernel, Program, ScalarType, Stmt } from '../../ir/kernel/kernel.js';
import { mapExprChildren, mapStmtExprs } from '../../ir/kernel/walk.js';
import { roundToBf16, roundToF16 } from './round_float.js';

/** Which native operators already give XLA's results for every operand (so need no expansion). */
export interface NativeOps {
  /** Integer division and remainder by 0 and of INT_MIN by −1. */
  readonly exactDivision: boolean;
  /** Integer shift counts outside [0, bits). */
  readonly exactShifts: boolean;
  /** `round` to f16 and to bf16: round to nearest even, NaN kept, overflow to ±inf. */
  readonly exactRoundF16: boolean;
  readonly exactRoundBf16: boolean;
}

/** Every native operator exact: legalize changes nothing (the wasm target's case). */
export const EXACT_OPS: NativeOps = { exactDivision: true, exactShifts: true, exactRoundF16: true, exactRoundBf16: true };

export function legalizeProgram(p: Program, native: NativeOps): Program {
  return { ...p, kernels: p.kernels.map((kern) => legalizeKernel(kern, native)) };
}

export function legalizeKernel(kern: Kernel, native: NativeOps): Kernel {
  if (native.exactDivision && native.exactShifts && native.exactRoundF16 && native.exactRoundBf16) return kern;
  const expr = (e: Expr): Expr => legalizeExpr(mapExprChildren(e, expr), native);
  const stmts = (body: readonly Stmt[]): Stmt[] => body.map((s) => {
    const t = mapStmtExprs(s, expr);
    if (t.k === 'loop') return { ...t, loop: { ...t.loop, body: stmts(t.loop.body) } };
    if (t.k === 'if') return { ...t, then: stmts(t.then), else: stmts(t.else) };
    return t;
  });
  return { ...kern, body: stmts(kern.body) };
}

type IntType = 's32' | 'u32' | 's64' | 'u64';
const isInt = (s: ScalarType): s is IntType => s === 's32' || s === 'u32' || s === 's64' || s === 'u64';
const bitsOf = (s: IntType): number => (s === 's64' || s === 'u64' ? 64 : 32);
const signed = (s: IntType): boolean => s === 's32' || s === 's64';

/** `e` itself (its operands already legal) made safe, or `e` when it needs nothing. */
function legalizeExpr(e: Expr, native: NativeOps): Expr {
  if (e.k === 'round') {
    if (e.to === 'f16') return native.exactRoundF16 ? e : roundToF16(e.a);
    return native.exactRoundBf16 ? e : roundToBf16(e.a);
  }
  if (e.k !== 'binary' || !isInt(e.type.scalar)) return e;
  const rule = RULES[e.op];
  if (!rule || (rule.family === 'division' ? native.exactDivision : native.exactShifts)) return e;
  return rule.expand(e.op, e.a, e.b, e.type.scalar);
}

interface Rule {
  readonly family: 'division' | 'shift';
  readonly expand: (op: BinaryOp, a: Expr, b: Expr, s: IntType) => Expr;
}

/** The operators whose native spelling differs from XLA somewhere; the others are exact everywhere. */
const RULES: { readonly [O in BinaryOp]: Rule | undefined } = {
  divide: { family: 'division', expand: (op, a, b, s) => division(op, a, b, s) },
  remainder: { family: 'division', expand: (op, a, b, s) => division(op, a, b, s) },
  'shift-left': { family: 'shift', expand: (op, a, b, s) => shift(op, a, b, s) },
  'shift-right-logical': { family: 'shift', expand: (op, a, b, s) => shift(op, a, b, s) },
  'shift-right-arithmetic': { family: 'shift', expand: (op, a, b, s) => shift(op, a, b, s) },
  add: undefined, subtract: undefined, multiply: undefined, maximum: undefined, minimum: undefined,
  power: undefined, atan2: undefined, and: undefined, or: undefined, xor: undefined,
};

/** A constant of `like`'s type and lanes. */
const constLike = (like: Expr, v: number | bigint): Expr => k.constant(like.type.scalar, v, like.type.lanes);
/** All bits set: −1 for signed types, the largest value for unsigned ones. */
const allOnes = (s: IntType): number | bigint => (s === 's32' || s === 's64' ? -1 : s === 'u32' ? 0xffffffff : 2n ** 64n - 1n);
const intMin = (s: IntType): number | bigint => (s === 's64' ? -(2n ** 63n) : -0x80000000);
const constValue = (e: Expr): number | bigint | undefined => (e.k === 'const' ? e.value : undefined);
const isNum = (v: number | bigint | undefined, n: number): boolean => v !== undefined && BigInt(v) === BigInt(n);
const eq = (a: Expr, v: number | bigint): Expr => k.compare('EQ', a, constLike(a, v));
const or = (a: Expr, b: Expr): Expr => k.binary('or', a, b);
const and = (a: Expr, b: Expr): Expr => k.binary('and', a, b);

/**
 * a / b and a % b: the native operator divides by 1 where XLA's result does not come
 * from a division (b = 0, or INT_MIN by −1), and a select picks XLA's value at b = 0.
 * INT_MIN / 1 = INT_MIN and INT_MIN % 1 = 0 are already XLA's results for −1.
 */
function division(op: BinaryOp, a: Expr, b: Expr, s: IntType): Expr {
  const atZero = op === 'divide' ? constLike(a, allOnes(s)) : a;
  const cb = constValue(b);
  if (cb !== undefined) {
    if (isNum(cb, 0)) return atZero;
    if (!(signed(s) && isNum(cb, -1))) return k.binary(op, a, b);
    // A constant −1: only INT_MIN needs the guard.
    return k.binary(op, a, k.select(eq(a, intMin(s)), constLike(b, 1), b));
  }
  const zero = eq(b, 0);
  const bad = signed(s) ? or(zero, and(eq(a, intMin(s)), eq(b, -1))) : zero;
  return k.select(zero, atZero, k.binary(op, a, k.select(bad, constLike(b, 1), b)));
}

/**
 * Shifts: the native operator gets a count inside [0, bits) (masked, which C and WGSL
 * both define), and a select gives XLA's 0 or, for an arithmetic shift, the count
 * bits − 1 (the sign fill) where the count is out of range.
 */
function shift(op: BinaryOp, a: Expr, b: Expr, s: IntType): Expr {
  const bits = bitsOf(s);
  const cb = constValue(b);
  const inRange = (v: number | bigint) => BigInt(v) >= 0n && BigInt(v) < BigInt(bits);
  if (cb !== undefined) {
    if (inRange(cb)) return k.binary(op, a, b);
    return op === 'shift-right-arithmetic' ? k.binary(op, a, constLike(b, bits - 1)) : constLike(a, 0);
  }
  const out = signed(s) ? or(k.compare('LT', b, constLike(b, 0)), k.compare('GE', b, constLike(b, bits))) : k.compare('GE', b, constLike(b, bits));
  switch (op) {
    case 'shift-right-arithmetic': return k.binary(op, a, k.select(out, constLike(b, bits - 1), b));
    case 'shift-left': case 'shift-right-logical':
      return k.select(out, constLike(a, 0), k.binary(op, a, k.binary('and', b, constLike(b, bits - 1))));
    default: throw new Error(`legalize: ${op} is not a shift`);
  }
}
