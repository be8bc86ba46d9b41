// How each kernel-IR operator is spelled in WGSL: typed tables over UnaryOp, BinaryOp and
// CompareDir, so a new operator fails to compile here until it has an entry. A rule gets
// its operands as WGSL text and returns the result's text, or undefined where the
// operator is not defined on that type. Semantics are the reference interpreter's (XLA's);
// where WGSL differs, the rule calls a helper (lib_int.ts, lib_float.ts).
import type { BinaryOp, CompareDir, Lanes, UnaryOp } from '../../ir/kernel/kernel.js';
import type { Scalar32 } from './types.js';

/** What a rule needs besides its operands: helpers and literals in the operands' form. */
export interface OpContext {
  readonly lanes: Lanes;
  /** A helper's name in this form (emitted on first use). */
  helper(name: string): string;
  /** A constant of type `s` in this form (a splat for vectors). */
  lit(s: Scalar32, v: number): string;
  /** The WGSL type of `s` in this form. */
  type(s: Scalar32): string;
}

type UnaryRule = (s: Scalar32, x: string, c: OpContext) => string | undefined;
type BinaryRule = (s: Scalar32, a: string, b: string, c: OpContext) => string | undefined;

const call = (c: OpContext, name: string, ...args: string[]): string => `${c.helper(name)}(${args.join(', ')})`;
/** A float-only operator spelled by a helper. */
const helperF = (name: string): UnaryRule => (s, x, c) => (s === 'f32' ? call(c, name, x) : undefined);
/** Rounding on integers (and pred) is the identity. */
const rounding = (fn: string): UnaryRule => (s, x, c) => (s === 'f32' ? (fn.startsWith('kiln:') ? call(c, fn.slice(5), x) : `${fn}(${x})`) : x);

export const UNARY: { readonly [O in UnaryOp]: UnaryRule } = {
  abs: (s, x) => (s === 'f32' || s === 's32' ? `abs(${x})` : x),
  negate: (s, x, c) => (s === 'f32' || s === 's32' ? `(-${x})` : s === 'u32' ? `(${c.lit('u32', 0)} - ${x})` : x),
  exponential: helperF('exp'),
  'exponential-minus-one': helperF('expm1'),
  log: helperF('log'),
  'log-plus-one': helperF('log1p'),
  tanh: helperF('tanh'),
  logistic: helperF('logistic'),
  sqrt: helperF('sqrt_f32'),
  rsqrt: (s, x, c) => (s === 'f32' ? `(${c.lit('f32', 1)} / ${call(c, 'sqrt_f32', x)})` : undefined),
  cbrt: helperF('cbrt'),
  sine: helperF('sin_f32'),
  cosine: helperF('cos_f32'),
  tan: helperF('tan_f32'),
  floor: rounding('floor'),
  ceil: rounding('ceil'),
  'round-nearest-afz': rounding('kiln:round_afz'),
  'round-nearest-even': rounding('round'),
  sign: (s, x, c) => (s === 'f32' ? call(c, 'sign_f32', x) : s === 's32' ? `sign(${x})` : s === 'u32' ? `min(${x}, ${c.lit('u32', 1)})` : x),
  not: (s, x) => (s === 'pred' ? `(!${x})` : s === 'f32' ? undefined : `(~${x})`),
  'is-finite': (s, x, c) => (s === 'f32' ? call(c, 'is_finite', x) : c.lit('pred', 1)),
  popcnt: (s, x) => (s === 's32' || s === 'u32' ? `countOneBits(${x})` : undefined),
  clz: (s, x) => (s === 's32' || s === 'u32' ? `countLeadingZeros(${x})` : undefined),
  erf: helperF('erf'),
  acos: helperF('acos'),
  acosh: helperF('acosh'),
  asin: helperF('asin'),
  asinh: helperF('asinh'),
  atanh: helperF('atanh'),
  cosh: helperF('cosh'),
  sinh: helperF('sinh'),
};

/** `a op b` on numbers; on pred, `predOp` (or undefined). */
const infix = (op: string, predOp?: string): BinaryRule => (s, a, b) =>
  s === 'pred' ? (predOp === undefined ? undefined : predOp.replace('A', a).replace('B', b)) : `(${a} ${op} ${b})`;
/** Bitwise operators: integers and pred, not floats. */
const bitwise = (op: string, predOp: string): BinaryRule => (s, a, b) =>
  s === 'f32' ? undefined : s === 'pred' ? `(${a} ${predOp} ${b})` : `(${a} ${op} ${b})`;
const INT_NAME = { s32: 's32', u32: 'u32' } as const;
/** A helper per integer type (`name_s32`, `name_u32`), and `f32` / `pred` spellings. */
const byType = (name: string, f32: BinaryRule | undefined, pred: string | undefined): BinaryRule => (s, a, b, c) => {
  if (s === 'f32') return f32?.(s, a, b, c);
  if (s === 'pred') return pred?.replace('A', a).replace('B', b);
  return call(c, `${name}_${INT_NAME[s]}`, a, b);
};
/** Integer max/min are exact builtins; float ones propagate NaN and order the zeros (a helper). */
const extremum = (fn: 'max' | 'min', pred: string): BinaryRule => (s, a, b, c) =>
  s === 'f32' ? call(c, `${fn}_f32`, a, b) : s === 'pred' ? `(${a} ${pred} ${b})` : `${fn}(${a}, ${b})`;

export const BINARY: { readonly [O in BinaryOp]: BinaryRule } = {
  add: infix('+', '(A | B)'),
  subtract: infix('-', '(A != B)'),
  multiply: infix('*', '(A & B)'),
  divide: byType('div', (_s, a, b) => `(${a} / ${b})`, '(A | !B)'),
  remainder: byType('rem', (_s, a, b, c) => call(c, 'fmod', a, b), '(A & !B)'),
  power: byType('pow', (_s, a, b, c) => call(c, 'pow_f32', a, b), '(A | !B)'),
  maximum: extremum('max', '|'),
  minimum: extremum('min', '&'),
  atan2: (s, a, b, c) => (s === 'f32' ? call(c, 'atan2', a, b) : s === 'pred' ? a : undefined),
  and: bitwise('&', '&'),
  or: bitwise('|', '|'),
  xor: bitwise('^', '!='),
  'shift-left': byType('shl', undefined, undefined),
  'shift-right-arithmetic': byType('shr_s', undefined, undefined),
  'shift-right-logical': byType('shr_u', undefined, undefined),
};

const SYMBOL: { readonly [D in CompareDir]: string } = { EQ: '==', NE: '!=', LT: '<', LE: '<=', GT: '>', GE: '>=' };

/** Compare `a dir b` on scalar type `s` (result: bool or vec4<bool>). Floats are unordered on NaN. */
export function compare(dir: CompareDir, s: Scalar32, a: string, b: string, c: OpContext): string {
  if (s === 'f32') return call(c, `${dir.toLowerCase()}_f32`, a, b);
  if (s === 'pred' && dir !== 'EQ' && dir !== 'NE') return `(${c.type('u32')}(${a}) ${SYMBOL[dir]} ${c.type('u32')}(${b}))`;
  return `(${a} ${SYMBOL[dir]} ${b})`;
}

/** HLO convert between 32-bit compute types: float → int truncates and saturates (NaN → 0), anything → pred is `!= 0` (NaN → true). */
export function convert(from: Scalar32, to: Scalar32, x: string, c: OpContext): string {
  if (from === to) return x;
  if (from === 'f32') {
    if (to === 'pred') return `((bitcast<${c.type('u32')}>(${x}) & ${c.lit('u32', 0x7fffffff)}) != ${c.lit('u32', 0)})`;
    return call(c, `f32_to_${to}`, x);
  }
  if (from === 'pred') return `${c.type(to)}(${x})`;
  if (to === 'pred') return `(${x} != ${c.lit(from, 0)})`;
  if (to === 'f32') return `${c.type('f32')}(${x})`;
  return `bitcast<${c.type(to)}>(${x})`;
}
