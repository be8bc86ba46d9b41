// How each kernel-IR operator is spelled in CUDA C, on scalars: typed tables over UnaryOp,
// BinaryOp and CompareDir, so a new operator fails to compile here until it has an entry.
// A rule gets its operands as C text and returns the result's text, or undefined where the
// operator is not defined on that type. Semantics are the reference interpreter's (XLA's):
// C's own operators where they agree, a helper (lib.ts) where they do not. Vector forms
// apply these rules lane by lane (expr.ts). Integer division and shifts arrive legalized
// (passes/kernel/legalize.ts): divisors and counts are already inside C's domain.
//
// Signed overflow is undefined in C and wraps in XLA, so s32/s64 add, subtract, multiply
// and negate compute in the unsigned type, except in index arithmetic (`c.index`: a load's
// or store's index, a loop bound), which lowering keeps far from overflow and which the
// compiler then optimises as signed.
import type { BinaryOp, CompareDir, ScalarType, UnaryOp } from '../../ir/kernel/kernel.js';
import { cScalar } from './types.js';

export interface OpContext {
  /** A library helper's name (emitted on first use). */
  helper(name: string): string;
  /** Whether the text is index arithmetic (no wrapping needed). */
  readonly index: boolean;
}

type UnaryRule = (s: ScalarType, x: string, c: OpContext) => string | undefined;
type BinaryRule = (s: ScalarType, a: string, b: string, c: OpContext) => string | undefined;

const isFloat = (s: ScalarType): s is 'f32' | 'f64' => s === 'f32' || s === 'f64';
const isSigned = (s: ScalarType): boolean => s === 's32' || s === 's64';
const unsignedOf = (s: ScalarType): string => (s === 's64' || s === 'u64' ? 'unsigned long long' : 'unsigned');

/** libm's function for f32 (`expf`) and f64 (`exp`); undefined on integers (the reference's integer forms are not compiled). */
const libm = (fn: string): UnaryRule => (s, x) => (s === 'f32' ? `${fn}f(${x})` : s === 'f64' ? `${fn}(${x})` : undefined);
/** A helper per float type (`name_f32`, `name_f64`). */
const helperF = (name: string): UnaryRule => (s, x, c) => (isFloat(s) ? `${c.helper(`${name}_${s}`)}(${x})` : undefined);
/** Rounding to an integer: identity on integers and pred. */
const rounding = (fn: string): UnaryRule => (s, x) => (s === 'f32' ? `${fn}f(${x})` : s === 'f64' ? `${fn}(${x})` : x);
/** `op x` computed in the unsigned type for a signed one (wrapping), plainly in index arithmetic. */
const wrapUnary = (s: ScalarType, op: string, x: string, c: OpContext): string =>
  isSigned(s) && !c.index ? `((${cScalar(s)})(${op}(${unsignedOf(s)})${x}))` : `(${op}${x})`;

export const UNARY: { readonly [O in UnaryOp]: UnaryRule } = {
  abs: (s, x, c) => (s === 'f32' ? `fabsf(${x})` : s === 'f64' ? `fabs(${x})` : isSigned(s) ? `${c.helper(`abs_${s}`)}(${x})` : x),
  negate: (s, x, c) => (isFloat(s) ? `(-${x})` : s === 'pred' ? x : s === 'u32' ? `(0u - ${x})` : s === 'u64' ? `(0ull - ${x})` : wrapUnary(s, '0 - ', x, c)),
  exponential: libm('exp'),
  'exponential-minus-one': libm('expm1'),
  log: libm('log'),
  'log-plus-one': libm('log1p'),
  tanh: libm('tanh'),
  logistic: helperF('logistic'),
  sqrt: libm('sqrt'),
  // 1/√x rounded twice: CUDA's rsqrtf promises only 2 ulp.
  rsqrt: (s, x) => (s === 'f32' ? `(1.0f / sqrtf(${x}))` : s === 'f64' ? `(1.0 / sqrt(${x}))` : undefined),
  cbrt: libm('cbrt'),
  sine: libm('sin'),
  cosine: libm('cos'),
  tan: libm('tan'),
  floor: rounding('floor'),
  ceil: rounding('ceil'),
  'round-nearest-afz': rounding('round'),
  'round-nearest-even': rounding('rint'),
  sign: (s, x, c) => (isFloat(s) ? `${c.helper(`sign_${s}`)}(${x})` : isSigned(s) ? `((${cScalar(s)})((${x} > 0) - (${x} < 0)))` : s === 'pred' ? x : `((${cScalar(s)})(${x} != 0))`),
  not: (s, x) => (s === 'pred' ? `(!${x})` : isFloat(s) ? undefined : `(~${x})`),
  'is-finite': (s, x) => (isFloat(s) ? `(bool)isfinite(${x})` : 'true'),
  popcnt: (s, x) => (s === 's32' || s === 'u32' ? `((${cScalar(s)})__popc((unsigned)${x}))` : s === 's64' || s === 'u64' ? `((${cScalar(s)})__popcll((unsigned long long)${x}))` : undefined),
  clz: (s, x) => (s === 's32' || s === 'u32' ? `((${cScalar(s)})__clz((int)${x}))` : s === 's64' || s === 'u64' ? `((${cScalar(s)})__clzll((long long)${x}))` : undefined),
  erf: libm('erf'),
  acos: libm('acos'),
  acosh: libm('acosh'),
  asin: libm('asin'),
  asinh: libm('asinh'),
  atanh: libm('atanh'),
  cosh: libm('cosh'),
  sinh: libm('sinh'),
};

/** `a op b`; signed integers wrap through the unsigned type outside index arithmetic; pred by `predOp`. */
const arith = (op: string, predOp: string): BinaryRule => (s, a, b, c) => {
  if (s === 'pred') return predOp.replace('A', a).replace('B', b);
  if (isSigned(s) && !c.index) return `((${cScalar(s)})((${unsignedOf(s)})${a} ${op} (${unsignedOf(s)})${b}))`;
  return `(${a} ${op} ${b})`;
};
/** A helper per type (`name_s32`, …, `name_f64`), or `pred`'s spelling. */
const byHelper = (name: string, pred: string | undefined, float?: (a: string, b: string, s: ScalarType) => string): BinaryRule => (s, a, b, c) => {
  if (s === 'pred') return pred?.replace('A', a).replace('B', b);
  if (isFloat(s) && float) return float(a, b, s);
  return `${c.helper(`${name}_${s}`)}(${a}, ${b})`;
};
const bitwise = (op: string, predOp: string): BinaryRule => (s, a, b) =>
  isFloat(s) ? undefined : s === 'pred' ? `(${a} ${predOp} ${b})` : `(${a} ${op} ${b})`;
/** Legalized shifts: the count is in [0, bits). Left and logical shifts act on the unsigned bits. */
const shift = (kind: 'left' | 'logical' | 'arithmetic'): BinaryRule => (s, a, b) => {
  if (isFloat(s) || s === 'pred') return undefined;
  const t = cScalar(s), u = unsignedOf(s), signedT = s === 's64' || s === 'u64' ? 'long long' : 'int';
  if (kind === 'left') return `((${t})((${u})${a} << ${b}))`;
  if (kind === 'logical') return `((${t})((${u})${a} >> ${b}))`;
  return `((${t})((${signedT})${a} >> ${b}))`;
};

export const BINARY: { readonly [O in BinaryOp]: BinaryRule } = {
  add: arith('+', '(A || B)'),
  subtract: arith('-', '(A != B)'),
  multiply: arith('*', '(A && B)'),
  divide: (s, a, b) => (s === 'pred' ? `(${a} || !${b})` : `(${a} / ${b})`),
  remainder: (s, a, b) => (s === 'pred' ? `(${a} && !${b})` : s === 'f32' ? `fmodf(${a}, ${b})` : s === 'f64' ? `fmod(${a}, ${b})` : `(${a} % ${b})`),
  // C's pow is XLA's power on floats (1^y = x^0 = 1, (−1)^±inf = 1).
  power: byHelper('pow', '(A || !B)', (a, b, s) => (s === 'f32' ? `powf(${a}, ${b})` : `pow(${a}, ${b})`)),
  maximum: byHelper('max', '(A || B)'),
  minimum: byHelper('min', '(A && B)'),
  atan2: (s, a, b) => (s === 'f32' ? `atan2f(${a}, ${b})` : s === 'f64' ? `atan2(${a}, ${b})` : s === 'pred' ? a : undefined),
  and: bitwise('&', '&&'),
  or: bitwise('|', '||'),
  xor: bitwise('^', '!='),
  'shift-left': shift('left'),
  'shift-right-arithmetic': shift('arithmetic'),
  'shift-right-logical': shift('logical'),
};

const SYMBOL: { readonly [D in CompareDir]: string } = { EQ: '==', NE: '!=', LT: '<', LE: '<=', GT: '>', GE: '>=' };

/** `a dir b` (bool). C's float compares are IEEE's, unordered on NaN, as HLO's. */
export const compare = (dir: CompareDir, a: string, b: string): string => `(${a} ${SYMBOL[dir]} ${b})`;

/**
 * HLO convert between compute types: float → int truncates and saturates (NaN → 0, a
 * helper); anything → pred is `!= 0` (NaN → true); int → int wraps (two's complement, as
 * both nvcc and g++ define it); int → float and float → float round to nearest once.
 */
export function convert(from: ScalarType, to: ScalarType, x: string, c: OpContext): string {
  if (from === to) return x;
  if (to === 'pred') return `(${x} != ${from === 'f32' ? '0.0f' : from === 'f64' ? '0.0' : '0'})`;
  if (isFloat(from) && !isFloat(to)) return `${c.helper(`${from}_to_${to}`)}(${x})`;
  return `((${cScalar(to)})${x})`;
}

/** Same bits, another type of the same width (HLO bitcast-convert). */
export function bitcast(from: ScalarType, to: ScalarType, x: string): string {
  if (from === to) return x;
  if (from === 'f32') return to === 's32' ? `__float_as_int(${x})` : `__float_as_uint(${x})`;
  if (to === 'f32') return from === 's32' ? `__int_as_float(${x})` : `__uint_as_float(${x})`;
  if (from === 'f64') return to === 's64' ? `__double_as_longlong(${x})` : `((unsigned long long)__double_as_longlong(${x}))`;
  if (to === 'f64') return `__longlong_as_double((long long)${x})`;
  return `((${cScalar(to)})${x})`;
}
