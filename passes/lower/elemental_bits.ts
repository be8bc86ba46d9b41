// Per-element rules that work on the bits of a value: bitcast-convert (also between
// element widths, as XLA defines it: a wider source grows a minor dim of its bytes, a
// narrower one consumes it, little-endian), bitcasts that change the element type, and
// reduce-precision. Each value goes through its storage bits as an unsigned integer
// (u32 up to 32 bits, u64 for 64), the way the interpreter goes through bytes.
import { byteSize, type DType } from '../../ir/dtype.js';
import * as k from '../../ir/kernel/build.js';
import type { Expr } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { fixed, type Emitter, type Idx } from './emitter.js';
import { NotCompiled } from './errors.js';
import { narrow } from './elemental_math.js';
import { computeType } from './types.js';

const dtypeOf = (i: Instruction): DType => (i.shape as ArrayShape).dtype;
const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;
const BITS_TYPES = new Set<DType>(['pred', 's8', 'u8', 's16', 'u16', 'f16', 'bf16', 's32', 'u32', 'f32', 's64', 'u64', 'f64']);

/** The storage bits of `v` (a value of `dt` in its compute type): u32 for widths up to 32, else u64. */
export function bitsOf(em: Emitter, v: Expr, dt: DType): Expr {
  const u = (x: number): Expr => em.constant('u32', x);
  switch (dt) {
    case 'pred': return k.select(v, u(1), u(0));
    case 's8': case 's16': return k.binary('and', k.bitcast(v, 'u32'), u(dt === 's8' ? 0xff : 0xffff));
    case 'u8': case 'u16': case 'u32': return v;
    case 's32': case 'f32': return k.bitcast(v, 'u32');
    case 'bf16': return k.binary('shift-right-logical', k.bitcast(v, 'u32'), u(16));
    case 'f16': return f16Bits(em, v);
    case 's64': case 'f64': return k.bitcast(v, 'u64');
    case 'u64': return v;
    default: throw new Error(`lowering: no bits for ${dt}`);
  }
}

/** The value of `dt` whose storage bits are `bits` (u32 or u64, only the low width bits set). */
export function fromBits(em: Emitter, bits: Expr, dt: DType): Expr {
  const u = (x: number): Expr => em.constant('u32', x);
  switch (dt) {
    case 'pred': return k.compare('NE', bits, u(0));
    case 's8': case 's16': return narrow(k.bitcast(bits, 's32'), dt);
    case 'u8': case 'u16': case 'u32': case 'u64': return bits;
    case 's32': case 'f32': case 's64': case 'f64': return k.bitcast(bits, computeType(dt));
    case 'bf16': return k.bitcast(k.binary('shift-left', bits, u(16)), 'f32');
    case 'f16': return f16FromBits(em, bits);
    default: throw new Error(`lowering: no bits for ${dt}`);
  }
}

/** The f16 bits of an f32 that holds an f16 value exactly (normal, subnormal, zero, inf, NaN). */
function f16Bits(em: Emitter, v: Expr): Expr {
  const u = (x: number): Expr => em.constant('u32', x);
  const b = em.bind('b32', k.bitcast(v, 'u32'));
  const sign = k.binary('and', k.binary('shift-right-logical', b, u(16)), u(0x8000));
  const e = em.bind('e', k.binary('and', k.binary('shift-right-logical', b, u(23)), u(0xff)));
  const m = em.bind('m', k.binary('and', b, u(0x7fffff)));
  const normal = k.binary('or', k.binary('shift-left', k.binary('subtract', e, u(112)), u(10)), k.binary('shift-right-logical', m, u(13)));
  // Below 2^-14 the value is a multiple of 2^-24 under 2^-14: times 2^24 it is its mantissa, exactly.
  const abs = k.bitcast(k.binary('and', b, u(0x7fffffff)), 'f32');
  const sub = k.convert(k.binary('multiply', abs, em.constant('f32', 2 ** 24)), 'u32');
  const special = k.binary('or', u(0x7c00), k.select(k.compare('NE', m, u(0)), k.binary('or', u(0x200), k.binary('shift-right-logical', m, u(13))), u(0)));
  const magnitude = k.select(k.compare('EQ', e, u(255)), special, k.select(k.compare('GE', e, u(113)), normal, sub));
  return k.binary('or', sign, magnitude);
}

/** The f32 holding the f16 value of bits `h` exactly. */
function f16FromBits(em: Emitter, bits: Expr): Expr {
  const u = (x: number): Expr => em.constant('u32', x);
  const h = em.bind('h', bits);
  const sign = k.binary('shift-left', k.binary('and', h, u(0x8000)), u(16));
  const e = em.bind('e', k.binary('and', k.binary('shift-right-logical', h, u(10)), u(0x1f)));
  const m = em.bind('m', k.binary('and', h, u(0x3ff)));
  const normal = k.binary('or', k.binary('shift-left', k.binary('add', e, u(112)), u(23)), k.binary('shift-left', m, u(13)));
  const sub = k.bitcast(k.binary('multiply', k.convert(m, 'f32'), em.constant('f32', 2 ** -24)), 'u32');
  const special = k.binary('or', u(0x7f800000), k.binary('shift-left', m, u(13)));
  const magnitude = k.select(k.compare('EQ', e, u(0)), sub, k.select(k.compare('EQ', e, u(31)), special, normal));
  return k.bitcast(k.binary('or', sign, magnitude), 'f32');
}

/** The same bits read as another type of the same width. */
export const reinterpret = (em: Emitter, v: Expr, from: DType, to: DType): Expr => (from === to ? v : fromBits(em, bitsOf(em, v, from), to));

export function bitcastConvertRule(em: Emitter, instr: InstructionOf<'bitcast-convert'>, index: readonly Idx[]): Expr[] {
  const x = instr.operands[0];
  const from = dtypeOf(x), to = dtypeOf(instr);
  if (!BITS_TYPES.has(from) || !BITS_TYPES.has(to)) throw new NotCompiled(instr, `bitcast-convert ${from} → ${to}`);
  const bFrom = byteSize(from), bTo = byteSize(to);
  if (bFrom === bTo) return [reinterpret(em, em.value(x, index), from, to)];
  // Byte j of an element sits at a lane-varying shift: lane by lane.
  if (index.some((i) => i.lane)) return em.perLane(index, (s, idx) => bitcastConvertRule(s, instr, idx));
  const wide = Math.max(bFrom, bTo) === 8 ? 'u64' : 'u32';
  const asWide = (e: Expr): Expr => k.convert(e, wide);
  if (bFrom > bTo) {
    // out[..., j] = bytes [j·bTo, (j+1)·bTo) of x[...].
    const j = index[index.length - 1].e;
    const bits = asWide(bitsOf(em, em.value(x, index.slice(0, -1)), from));
    const shifted = k.binary('shift-right-logical', bits, k.convert(k.mul(j, k.int(8 * bTo)), wide));
    const part = k.convert(k.binary('and', shifted, k.constant(wide, 2 ** (8 * bTo) - 1)), bTo === 8 ? 'u64' : 'u32');
    return [fromBits(em, part, to)];
  }
  const ratio = bTo / bFrom;
  if (dimsOf(x)[dimsOf(x).length - 1] !== ratio) throw new NotCompiled(instr, `bitcast-convert ${from} → ${to}: minor dim is not ${ratio}`);
  let bits: Expr = k.constant(wide, 0);
  for (let j = 0; j < ratio; j++) {
    const part = asWide(bitsOf(em, em.value(x, [...index, fixed(k.int(j))]), from));
    bits = k.binary('or', bits, k.binary('shift-left', part, k.constant(wide, 8 * bFrom * j)));
  }
  return [fromBits(em, bits, to)];
}

/**
 * XLA's reduce-precision on the storage bits (the interpreter's reducePrecision): round
 * the mantissa to nearest even at `mantissa_bits`, then flush what the reduced exponent
 * range cannot hold to ±0 or ±inf. NaN stays NaN unless no mantissa bit is left (+inf).
 * bf16 works on the bits of the f32 it widens to (its low 16 bits are zero, so it rounds
 * alike); f16 on its own 16 bits, computed exactly.
 */
export function reducePrecisionRule(em: Emitter, instr: InstructionOf<'reduce-precision'>, index: readonly Idx[]): Expr[] {
  const dt = dtypeOf(instr);
  const layout: Partial<Record<DType, [number, number]>> = { f16: [5, 10], f32: [8, 23], bf16: [8, 23], f64: [11, 52] };
  const lay = layout[dt];
  if (!lay) throw new NotCompiled(instr, `reduce-precision on ${dt}`);
  const [srcExp, srcMant] = lay;
  const { exponent_bits: eb, mantissa_bits: mb } = instr.attrs;
  const x = em.bind('x', em.value(instr.operands[0], index));
  const wide = dt === 'f64';
  const ut = wide ? 'u64' : 'u32';
  const c = (v: bigint): Expr => em.constant(ut, wide ? v : Number(v));
  const mask = (1n << BigInt(1 + srcExp + srcMant)) - 1n;
  let v = em.bind('rb', dt === 'f16' ? bitsOf(em, x, dt) : k.bitcast(x, ut));
  if (mb < srcMant) {
    const drop = BigInt(srcMant - mb), last = 1n << drop;
    const lastBit = k.binary('shift-right-logical', k.binary('and', v, c(last)), c(drop));
    const bias = k.binary('add', c((last >> 1n) - 1n), lastBit);
    v = em.bind('rb', k.binary('and', k.binary('add', v, bias), c(~(last - 1n) & mask)));
  }
  if (eb < srcExp) {
    const expMask = ((1n << BigInt(srcExp)) - 1n) << BigInt(srcMant);
    const expBias = (1n << BigInt(srcExp - 1)) - 1n, redBias = (1n << BigInt(eb - 1)) - 1n;
    const e = k.binary('and', v, c(expMask));
    const signed = em.bind('sz', k.binary('and', v, c(1n << BigInt(srcExp + srcMant))));
    const over = k.compare('GT', e, c((expBias + redBias) << BigInt(srcMant)));
    const under = k.compare('LE', e, c((expBias - redBias) << BigInt(srcMant)));
    v = em.bind('rb', k.select(over, k.binary('or', signed, c(expMask)), k.select(under, signed, v)));
  }
  const nan = mb > 0 ? x : em.constant(x.type.scalar, Infinity);
  const back = dt === 'f16' ? fromBits(em, v, dt) : k.bitcast(v, x.type.scalar);
  return [narrow(k.select(k.compare('NE', x, x), nan, back), dt)];
}
