// Per-element rules for arithmetic: unary and binary ops, compare, select, clamp,
// convert and bitcast-convert. Kernels compute narrow types in their wide compute type
// and narrow after every op, so each op rounds (or wraps) exactly as the HLO
// interpreter does.
import type { DType } from '../../ir/dtype.js';
import { byteSize, isFloat, isInteger } from '../../ir/dtype.js';
import { isComplex } from '../../ir/shape_check.js';
import * as k from '../../ir/kernel/build.js';
import type { BinaryOp, CompareDir, Expr, UnaryOp } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import type { Emitter, Idx } from './emitter.js';
import { NotCompiled } from './errors.js';
import { computeType } from './types.js';

export const dtypeOf = (i: Instruction): DType => (i.shape as ArrayShape).dtype;
const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;

/** Wraps (narrow ints) or rounds (f16, bf16) a value computed in the wide type to `dt`. */
export function narrow(e: Expr, dt: DType): Expr {
  switch (dt) {
    case 'f16': case 'bf16': return { k: 'round', type: e.type, to: dt, a: e };
    case 's8': case 's16': {
      const sh = k.constant('s32', 32 - 8 * byteSize(dt), e.type.lanes);
      return k.binary('shift-right-arithmetic', k.binary('shift-left', e, sh), sh);
    }
    case 'u8': case 'u16': return k.binary('and', e, k.constant('u32', dt === 'u8' ? 0xff : 0xffff, e.type.lanes));
    default: return e;
  }
}

const narrowInt = (dt: DType): boolean => isInteger(dt) && byteSize(dt) < 4;
/** Ops whose result on an 8/16-bit int is not the 32-bit result narrowed. */
const WIDTH_SENSITIVE = new Set(['popcnt', 'clz', 'shift-left', 'shift-right-arithmetic', 'shift-right-logical']);

/** A scalar operand (rank 0) is read at no index; others at the output's. */
export const at = (operand: Instruction, index: readonly Idx[]): readonly Idx[] => (dimsOf(operand).length === 0 ? [] : index);

/**
 * Operand `x` at `index` in float type `dt`: mixed float precision (`f16 + f32 -> f32`,
 * which shape inference accepts as XLA's does) computes in the result's type, so a
 * narrower or wider float operand is converted first; any other operand is read as is.
 */
function valueAs(em: Emitter, x: Instruction, index: readonly Idx[], dt: DType): Expr {
  const v = em.value(x, index);
  const from = dtypeOf(x);
  return from !== dt && isFloat(from) && isFloat(dt) ? convertValue(em, v, from, dt) : v;
}

/**
 * `arg` as the value of reducer (or callee) parameter `p`: an f64 init value fed to an f32
 * reducer (mixed float precision) is converted to the parameter's type.
 */
export function asParam(p: Instruction, arg: Expr): Expr {
  if (p.shape.kind !== 'array' || !isFloat(p.shape.dtype)) return arg;
  const want = computeType(p.shape.dtype);
  const from = arg.type.scalar;
  return from !== want && (from === 'f32' || from === 'f64') ? narrow(k.convert(arg, want), p.shape.dtype) : arg;
}

/** The float type two mixed-precision operands are compared in: the wider one (f32 for f16 against bf16). */
function commonFloat(a: DType, b: DType): DType {
  if (a === b || !isFloat(a) || !isFloat(b)) return a;
  return byteSize(a) === byteSize(b) ? 'f32' : byteSize(a) > byteSize(b) ? a : b;
}

export function unaryRule(op: UnaryOp) {
  return (em: Emitter, instr: Instruction, index: readonly Idx[]): Expr[] => {
    const x = instr.operands[0];
    const v = em.value(x, index), dt = dtypeOf(x);
    if (narrowInt(dt) && WIDTH_SENSITIVE.has(op)) return [narrow(narrowUnary(em, op, v, dt), dtypeOf(instr))];
    return [narrow(k.unary(op, v), dtypeOf(instr))];
  };
}

export function binaryRule(op: BinaryOp) {
  return (em: Emitter, instr: Instruction, index: readonly Idx[]): Expr[] => {
    const [a, b] = instr.operands;
    const dt = dtypeOf(instr);
    if (narrowInt(dtypeOf(a)) && WIDTH_SENSITIVE.has(op)) return [narrow(narrowShift(em, op, em.value(a, index), em.value(b, index), dtypeOf(a)), dt)];
    return [narrow(k.binary(op, valueAs(em, a, index, dt), valueAs(em, b, index, dt)), dt)];
  };
}

/** The low `dt` bits of a narrow int held in its 32-bit compute type (an s8 is sign-extended there). */
const lowBits = (em: Emitter, v: Expr, dt: DType): Expr => k.binary('and', v, em.constant(v.type.scalar, 2 ** (8 * byteSize(dt)) - 1));

/** popcnt and clz count the narrow type's bits only, as the interpreter's do. */
function narrowUnary(em: Emitter, op: UnaryOp, v: Expr, dt: DType): Expr {
  const counted = k.unary(op, lowBits(em, v, dt));
  return op === 'clz' ? k.binary('subtract', counted, em.constant(v.type.scalar, 32 - 8 * byteSize(dt))) : counted;
}

/**
 * Shifts of 8/16-bit ints, by the 32-bit shift of a suitable widening: a count from the
 * type's width up to 32 then gives what a count out of range gives (0 or the sign fill),
 * as XLA says. Left: the low bits are what remains. Logical: the zero-extended value.
 * Arithmetic: the sign-extended value (an unsigned type is sign-extended first).
 */
function narrowShift(em: Emitter, op: BinaryOp, a: Expr, b: Expr, dt: DType): Expr {
  if (op === 'shift-right-logical') return k.binary(op, lowBits(em, a, dt), b);
  if (op !== 'shift-right-arithmetic' || a.type.scalar === 's32') return k.binary(op, a, b);
  const pad = em.constant('s32', 32 - 8 * byteSize(dt));
  const sext = k.bitcast(k.binary('shift-right-arithmetic', k.binary('shift-left', k.bitcast(a, 's32'), pad), pad), a.type.scalar);
  return k.binary(op, sext, b);
}

export function compareRule(em: Emitter, instr: InstructionOf<'compare'>, index: readonly Idx[]): Expr[] {
  const [a, b] = instr.operands;
  const dir = instr.attrs.direction as CompareDir;
  const dt = commonFloat(dtypeOf(a), dtypeOf(b));
  const x = valueAs(em, a, index, dt), y = valueAs(em, b, index, dt);
  if (instr.attrs.type === 'TOTALORDER' && isFloat(dt)) return [k.compare(dir, totalOrderKey(em, x), totalOrderKey(em, y))];
  return [k.compare(dir, x, y)];
}

/**
 * A signed integer that orders floats as IEEE totalOrder does (-NaN < -inf < … < -0 < +0
 * < … < +inf < +NaN): the bits, with the magnitude bits flipped when the sign is set.
 * Every NaN of one sign gets one key, as the interpreter holds NaNs equal whatever
 * their payload. f16/bf16 values are compared as the f32s they widen to: same order.
 */
function totalOrderKey(em: Emitter, v: Expr): Expr {
  const wide = v.type.scalar === 'f64';
  const int = wide ? 's64' : 's32';
  const c = (x: bigint): Expr => em.constant(int, wide ? x : Number(BigInt.asIntN(32, x)));
  const x = em.bind('x', v);
  const bits = em.bind('bits', k.bitcast(x, int));
  const negative = em.bind('neg', k.compare('LT', bits, c(0n)));
  const magnitude = wide ? 0x7fffffffffffffffn : 0x7fffffffn;
  const key = k.select(negative, k.binary('xor', bits, c(magnitude)), bits);
  const nanKey = k.select(negative, c(-magnitude - 1n), c(magnitude));
  return k.select(k.compare('NE', x, x), nanKey, key);
}

export function selectRule(em: Emitter, instr: InstructionOf<'select'>, index: readonly Idx[]): Expr[] {
  if (instr.shape.kind !== 'array') throw new NotCompiled(instr, 'select of tuples');
  const [p, t, f] = instr.operands;
  const dt = dtypeOf(instr);
  return [k.select(em.value(p, at(p, index)), valueAs(em, t, index, dt), valueAs(em, f, index, dt))];
}

/** min(max(x, lo), hi); NaN propagates as in the interpreter (which NaN may differ). */
export function clampRule(em: Emitter, instr: InstructionOf<'clamp'>, index: readonly Idx[]): Expr[] {
  const [lo, x, hi] = instr.operands;
  const dt = dtypeOf(instr);
  const v = k.binary('maximum', valueAs(em, x, index, dt), valueAs(em, lo, at(lo, index), dt));
  return [k.binary('minimum', v, valueAs(em, hi, at(hi, index), dt))];
}

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  s8: [-128, 127], s16: [-32768, 32767], u8: [0, 255], u16: [0, 65535],
};

/** HLO convert: float → int saturates (NaN → 0), int → int wraps, → pred is `!= 0`. */
export function convertValue(em: Emitter, x: Expr, from: DType, to: DType): Expr {
  if (to === 'pred') return k.compare('NE', x, em.constant(x.type.scalar, 0));
  const target = computeType(to);
  const range = INT_RANGE[to];
  if (isFloat(from) && range) {
    const lo = em.constant(x.type.scalar, range[0]), hi = em.constant(x.type.scalar, range[1]);
    return k.convert(k.binary('minimum', k.binary('maximum', x, lo), hi), target);
  }
  if (roundsTwice(from, to)) return narrow(toF32RoundToOdd(em, x), to);
  return narrow(k.convert(x, target), to);
}

/**
 * Whether going through the nearest f32 and then to `to` could round twice where HLO
 * rounds once: f64 → f16/bf16, and integers wider than f32's 24 bits → bf16 (→ f16 is
 * safe: any integer beyond 2^24 overflows f16 either way).
 */
const roundsTwice = (from: DType, to: DType): boolean =>
  (to === 'f16' || to === 'bf16') && (from === 'f64' || (to === 'bf16' && isInteger(from) && byteSize(from) >= 4));

/**
 * `x` (f64 or a 32/64-bit integer) as an f32 rounded to odd: the nearest f32 when exact,
 * else whichever neighbour has an odd last bit. With ≥ 2 bits more than f16 and bf16, a
 * round to nearest even of it to those types is the single rounding of `x` (the sticky bit
 * survives in the odd last bit).
 */
function toF32RoundToOdd(em: Emitter, v: Expr): Expr {
  const x = em.bind('x', v);
  const f = em.bind('f', k.convert(x, 'f32'));
  const back = em.bind('back', k.convert(f, x.type.scalar)); // f is integral for an integer x: exact back
  const bits = em.bind('fbits', k.bitcast(f, 's32'));
  const one = em.constant('s32', 1);
  const even = k.compare('EQ', k.binary('and', bits, one), em.constant('s32', 0));
  // A step of the bits moves away from zero: up in magnitude when x lies beyond f.
  const away = k.compare('EQ', k.compare('GT', x, back), k.compare('GT', f, em.constant('f32', 0)));
  const odd = k.bitcast(k.binary('add', bits, k.select(away, one, em.constant('s32', -1))), 'f32');
  return k.select(k.binary('and', k.compare('NE', back, x), even), odd, f);
}

export function convertRule(em: Emitter, instr: InstructionOf<'convert'>, index: readonly Idx[]): Expr[] {
  const x = instr.operands[0];
  return [convertValue(em, em.value(x, index), dtypeOf(x), dtypeOf(instr))];
}

/**
 * real and imag of a real number: the number itself, and zero. Complex numbers themselves
 * are not compiled, so a complex operand is refused here.
 */
export function complexPartRule(part: 'real' | 'imag') {
  return (em: Emitter, instr: Instruction, index: readonly Idx[]): Expr[] => {
    const x = instr.operands[0];
    if (isComplex(dtypeOf(x))) throw new NotCompiled(instr, 'complex numbers');
    return part === 'real' ? em.values(x, index) : [em.constant(computeType(dtypeOf(instr)), 0)];
  };
}
