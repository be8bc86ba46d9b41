// Per-element kernels for the elementwise opcodes, chosen once per instruction by
// opcode and operand dtype: what each HLO operator (and the kernel-IR operator of the
// same name) means. Number kernels return an unrounded value that the caller rounds to
// the result dtype (which is how integer results wrap); bigint kernels (s64/u64) return
// a value the 64-bit typed array wraps on store.
import { DTYPES, type DType } from '../dtype.js';
import { totalCompare } from './floats.js';
import { erf, ipow32, ipow64, popcount32, powFloat, roundAfz, roundEven } from './math.js';
import type { Scalar } from './value.js';

export type Kernel1 = (x: Scalar) => Scalar;
export type Kernel2 = (a: Scalar, b: Scalar) => Scalar;

type N1 = (x: number) => number;
type N2 = (a: number, b: number) => number;
type B1 = (x: bigint) => bigint;
type B2 = (a: bigint, b: bigint) => bigint;

function numberUnary(op: string, dt: DType): N1 | undefined {
  const { bits, cls } = DTYPES[dt];
  const float = cls === 'float', unsigned = cls === 'unsigned' || cls === 'pred';
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const asUnsigned: N1 = bits >= 32 ? (x) => x >>> 0 : (x) => x & mask;
  switch (op) {
    case 'abs': return unsigned ? (x) => x : Math.abs;
    case 'negate': return (x) => -x;
    case 'exponential': return Math.exp;
    case 'exponential-minus-one': return Math.expm1;
    case 'log': return Math.log;
    case 'log-plus-one': return Math.log1p;
    case 'tanh': return Math.tanh;
    case 'logistic': return (x) => 1 / (1 + Math.exp(-x));
    case 'sqrt': return Math.sqrt;
    case 'rsqrt': return (x) => 1 / Math.sqrt(x);
    case 'cbrt': return Math.cbrt;
    case 'sine': return Math.sin;
    case 'cosine': return Math.cos;
    case 'tan': return Math.tan;
    case 'erf': return erf;
    case 'acos': return Math.acos;
    case 'acosh': return Math.acosh;
    case 'asin': return Math.asin;
    case 'asinh': return Math.asinh;
    case 'atanh': return Math.atanh;
    case 'cosh': return Math.cosh;
    case 'sinh': return Math.sinh;
    case 'floor': return float ? Math.floor : (x) => x;
    case 'ceil': return float ? Math.ceil : (x) => x;
    case 'round-nearest-afz': return float ? roundAfz : (x) => x;
    case 'round-nearest-even': return float ? roundEven : (x) => x;
    case 'sign':
      return float ? (x) => (Number.isNaN(x) || x === 0 ? x : x > 0 ? 1 : -1) : (x) => (x > 0 ? 1 : x < 0 ? -1 : 0);
    case 'not':
      if (cls === 'pred') return (x) => (x ? 0 : 1);
      return float ? undefined : (x) => ~x;
    case 'is-finite': return (x) => (Number.isFinite(x) ? 1 : 0);
    case 'popcnt': return float || cls === 'pred' ? undefined : (x) => popcount32(asUnsigned(x));
    case 'clz': return float || cls === 'pred' ? undefined : (x) => Math.clz32(asUnsigned(x)) - (32 - bits);
    case 'copy': case 'real': return (x) => x;
    case 'imag': return () => 0;
    default: return undefined;
  }
}

function bigUnary(op: string, dt: DType): B1 | undefined {
  const signed = dt === 's64';
  const u = (x: bigint): bigint => BigInt.asUintN(64, x);
  switch (op) {
    case 'abs': return signed ? (x) => (x < 0n ? -x : x) : (x) => x;
    case 'negate': return (x) => -x;
    case 'sign': return (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n);
    case 'not': return (x) => ~x;
    case 'popcnt': return (x) => BigInt(u(x).toString(2).replace(/0/g, '').length);
    case 'clz': return (x) => (u(x) === 0n ? 64n : BigInt(64 - u(x).toString(2).length));
    case 'floor': case 'ceil': case 'round-nearest-afz': case 'round-nearest-even': case 'copy': case 'real':
      return (x) => x;
    default: return undefined;
  }
}

/** The kernel for a unary opcode on operand dtype dt, or undefined if XLA has none. */
export function unaryKernel(op: string, dt: DType): Kernel1 | undefined {
  if (dt === 's64' || dt === 'u64') {
    if (op === 'is-finite') return () => 1;
    return bigUnary(op, dt) as Kernel1 | undefined;
  }
  return numberUnary(op, dt) as Kernel1 | undefined;
}

function numberBinary(op: string, dt: DType): N2 | undefined {
  const { bits, cls } = DTYPES[dt];
  const float = cls === 'float', pred = cls === 'pred', signed = cls === 'signed';
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const asUnsigned: N1 = bits >= 32 ? (x) => x >>> 0 : (x) => x & mask;
  const asSigned: N1 = bits >= 32 ? (x) => x | 0 : (x) => (x << (32 - bits)) >> (32 - bits);
  const shiftOut = (b: number): boolean => b < 0 || b >= bits;
  switch (op) {
    case 'add': return (a, b) => a + b;
    case 'subtract': return (a, b) => a - b;
    case 'multiply': return float ? (a, b) => a * b : pred ? (a, b) => a & b : (a, b) => Math.imul(a, b);
    case 'divide':
      // XLA: x/0 = -1 (all bits set, so UINT_MAX for unsigned); INT_MIN/-1 wraps to INT_MIN.
      return float ? (a, b) => a / b : (a, b) => (b === 0 ? -1 : Math.trunc(a / b));
    case 'remainder': return float ? (a, b) => a % b : (a, b) => (b === 0 ? a : a % b); // sign of dividend, as fmod
    case 'power':
      if (float) return powFloat;
      if (pred) return (a, b) => (a || !b ? 1 : 0);
      // Negative exponents give 0 except for base 1 (XLA's evaluator and CPU/GPU emitters).
      return signed ? (a, b) => (b < 0 ? (a === 1 ? 1 : 0) : ipow32(a, b)) : ipow32;
    case 'maximum':
      return float ? (a, b) => (Number.isNaN(a) ? a : Number.isNaN(b) ? b : Math.max(a, b)) : Math.max;
    case 'minimum':
      return float ? (a, b) => (Number.isNaN(a) ? a : Number.isNaN(b) ? b : Math.min(a, b)) : Math.min;
    case 'atan2': return Math.atan2;
    case 'and': return float ? undefined : (a, b) => a & b;
    case 'or': return float ? undefined : (a, b) => a | b;
    case 'xor': return float ? undefined : (a, b) => a ^ b;
    case 'shift-left': return float || pred ? undefined : (a, b) => (shiftOut(b) ? 0 : a << b);
    case 'shift-right-logical':
      return float || pred ? undefined : (a, b) => (shiftOut(b) ? 0 : asUnsigned(a) >>> b);
    case 'shift-right-arithmetic':
      return float || pred ? undefined : (a, b) => (shiftOut(b) ? (asSigned(a) < 0 ? -1 : 0) : asSigned(a) >> b);
    default: return undefined;
  }
}

function bigBinary(op: string, dt: DType): B2 | undefined {
  const signed = dt === 's64';
  const asU = (x: bigint): bigint => BigInt.asUintN(64, x);
  const asS = (x: bigint): bigint => BigInt.asIntN(64, x);
  const shiftOut = (b: bigint): boolean => b < 0n || b >= 64n;
  switch (op) {
    case 'add': return (a, b) => a + b;
    case 'subtract': return (a, b) => a - b;
    case 'multiply': return (a, b) => a * b;
    case 'divide': return (a, b) => (b === 0n ? -1n : a / b);
    case 'remainder': return (a, b) => (b === 0n ? a : a % b);
    case 'power': return (a, b) => (signed && b < 0n ? (a === 1n ? 1n : 0n) : ipow64(a, b));
    case 'maximum': return (a, b) => (a > b ? a : b);
    case 'minimum': return (a, b) => (a < b ? a : b);
    case 'and': return (a, b) => a & b;
    case 'or': return (a, b) => a | b;
    case 'xor': return (a, b) => a ^ b;
    case 'shift-left': return (a, b) => (shiftOut(b) ? 0n : a << b);
    case 'shift-right-logical': return (a, b) => (shiftOut(b) ? 0n : asU(a) >> b);
    case 'shift-right-arithmetic': return (a, b) => (shiftOut(b) ? (asS(a) < 0n ? -1n : 0n) : asS(a) >> b);
    default: return undefined;
  }
}

export function binaryKernel(op: string, dt: DType): Kernel2 | undefined {
  if (dt === 's64' || dt === 'u64') return bigBinary(op, dt) as Kernel2 | undefined;
  return numberBinary(op, dt) as Kernel2 | undefined;
}

export const COMPARE_DIRECTIONS = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE'] as const;

/** compare(a, b) → 0/1. Floats compare as IEEE (NaN unordered) unless type=TOTALORDER. */
export function compareKernel(direction: string, type: string | undefined, dt: DType): ((a: Scalar, b: Scalar) => number) | undefined {
  const cmp = (c: number): boolean | undefined => {
    switch (direction) {
      case 'EQ': return c === 0;
      case 'NE': return c !== 0;
      case 'LT': return c < 0;
      case 'LE': return c <= 0;
      case 'GT': return c > 0;
      case 'GE': return c >= 0;
      default: return undefined;
    }
  };
  if (cmp(0) === undefined) return undefined;
  if (type === 'TOTALORDER' && DTYPES[dt].cls === 'float')
    return (a, b) => (cmp(totalCompare(a as number, b as number)) ? 1 : 0);
  switch (direction) {
    case 'EQ': return (a, b) => (a === b ? 1 : 0);
    case 'NE': return (a, b) => (a !== b ? 1 : 0);
    case 'LT': return (a, b) => (a < b ? 1 : 0);
    case 'LE': return (a, b) => (a <= b ? 1 : 0);
    case 'GT': return (a, b) => (a > b ? 1 : 0);
    default: return (a, b) => (a >= b ? 1 : 0);
  }
}
