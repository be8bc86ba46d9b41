// How each kernel-IR operator is spelled on s64 and u64, which are `vec2<u32>` words in
// WGSL (types.ts): typed tables over UnaryOp and BinaryOp like ops.ts's, so a new operator
// fails to compile here too. Most rules call a helper of lib_int64.ts (one call per use,
// so an operand's text is evaluated once); bitwise operators work on the words as they are.
import type { BinaryOp, CompareDir, UnaryOp } from '../../ir/kernel/kernel.js';
import { is64, type Int64, type Scalar } from './types.js';

/** What a 64-bit rule needs: helpers (scalar form; 64-bit values have no vector form). */
export interface Op64Context {
  helper(name: string): string;
}

type Unary64Rule = (s: Int64, x: string, c: Op64Context) => string | undefined;
type Binary64Rule = (s: Int64, a: string, b: string, c: Op64Context) => string | undefined;

const call = (c: Op64Context, name: string, ...args: string[]): string => `${c.helper(name)}(${args.join(', ')})`;
/** Float functions: not defined on integers. */
const none = (): undefined => undefined;
/** Rounding an integer is the identity. */
const same: Unary64Rule = (_s, x) => x;
/** One helper for both types (two's complement makes them agree). */
const both1 = (name: string): Unary64Rule => (_s, x, c) => call(c, name, x);
const both2 = (name: string): Binary64Rule => (_s, a, b, c) => call(c, name, a, b);
/** A helper per type: `name_s64`, `name_u64`. */
const byType = (name: string): Binary64Rule => (s, a, b, c) => call(c, `${name}_${s}`, a, b);
const bitwise = (op: string): Binary64Rule => (_s, a, b) => `(${a} ${op} ${b})`;

export const UNARY64: { readonly [O in UnaryOp]: Unary64Rule } = {
  abs: (s, x, c) => (s === 's64' ? call(c, 'abs_s64', x) : x),
  negate: both1('neg_64'),
  exponential: none, 'exponential-minus-one': none, log: none, 'log-plus-one': none, tanh: none, logistic: none,
  sqrt: none, rsqrt: none, cbrt: none, sine: none, cosine: none, tan: none,
  floor: same, ceil: same, 'round-nearest-afz': same, 'round-nearest-even': same,
  sign: (s, x, c) => call(c, `sign_${s}`, x),
  not: (_s, x) => `(~${x})`,
  'is-finite': () => 'true',
  popcnt: both1('popcnt_64'),
  clz: both1('clz_64'),
  erf: none, acos: none, acosh: none, asin: none, asinh: none, atanh: none, cosh: none, sinh: none,
};

export const BINARY64: { readonly [O in BinaryOp]: Binary64Rule } = {
  add: both2('add_64'),
  subtract: both2('sub_64'),
  multiply: both2('mul_64'),
  divide: byType('div'),
  remainder: byType('rem'),
  power: byType('pow'),
  maximum: byType('max'),
  minimum: byType('min'),
  atan2: none,
  and: bitwise('&'),
  or: bitwise('|'),
  xor: bitwise('^'),
  'shift-left': both2('shl_64'),
  'shift-right-arithmetic': both2('shr_s_64'),
  'shift-right-logical': both2('shr_u_64'),
};

/** Compare `a dir b` on a 64-bit type: words for equality, a helper for order. */
export function compare64(dir: CompareDir, s: Int64, a: string, b: string, c: Op64Context): string {
  const lt = (x: string, y: string) => call(c, `lt_${s}`, x, y);
  switch (dir) {
    case 'EQ': return `all(${a} == ${b})`;
    case 'NE': return `any(${a} != ${b})`;
    case 'LT': return lt(a, b);
    case 'GT': return lt(b, a);
    case 'LE': return `(!${lt(b, a)})`;
    case 'GE': return `(!${lt(a, b)})`;
  }
}

/** `x` where a postfix (`.x`) may follow it. */
const atom = (x: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(x) ? x : `(${x})`);

/**
 * HLO convert where `from` or `to` is 64-bit: integers wrap (the low word) or extend (sign
 * or zero), floats round once to nearest even, float → int truncates and saturates (NaN → 0),
 * anything → pred is `!= 0`.
 */
export function convert64(from: Scalar, to: Scalar, x: string, c: Op64Context): string {
  if (from === to || (is64(from) && is64(to))) return x;
  if (is64(from)) {
    switch (to) {
      case 'pred': return `any(${x} != vec2<u32>(0u))`;
      case 's32': return `bitcast<i32>(${atom(x)}.x)`;
      case 'u32': return `${atom(x)}.x`;
      case 'f32': return call(c, `${from}_to_f32`, x);
    }
  }
  switch (from) {
    case 'pred': return `vec2<u32>(u32(${x}), 0u)`;
    case 's32': return call(c, 's32_to_64', x);
    case 'u32': return `vec2<u32>(${x}, 0u)`;
    case 'f32': return call(c, `f32_to_${to}`, x);
  }
  throw new Error(`wgsl: convert ${from} → ${to}`);
}
