// Index operands, and which 64-bit entry parameters may be saturated to a narrow range.
//
// gather, dynamic-slice and dynamic-update-slice clamp each start index into the operand
// ([0, dim - size]); scatter skips an update whose index is out of bounds. So an index
// far out of range acts exactly like any other index equally far on the same side. An
// entry parameter p whose values reach nothing but such indices (ONNX's Gather:
// `select(p < 0, p + dim, p)`; GatherElements: that, reshaped and concatenated with an
// iota) may be read as clamp(-B, p, B - 1) when, for p anywhere in a tail [MIN, -B] or
// [B - 1, MAX], every index it yields is provably at or past the same bound. Saturation
// maps each tail onto its own end, so every index that changes acts as it did.
import { isElementwise } from '../ir/opcodes.js';
import type { Computation, Instruction } from '../ir/module.js';
import { leaves } from '../ir/shape.js';
import { analyseRanges, asRange, dtypeRange, range, type Range, type RangeInfo } from './int_range.js';

/** The widest saturated range: wide enough for any real dim, narrow enough that p + dim still fits s32. */
export const SAT_LO = -(1n << 30n), SAT_HI = (1n << 30n) - 1n;

/** The operand positions of i that are start indices, or [] when it takes none. */
export function indexOperands(i: Instruction): number[] {
  const n = i.operands.length;
  switch (i.opcode) {
    case 'gather': return [1];
    case 'dynamic-slice': return range1(1, n);
    case 'dynamic-update-slice': return range1(2, n);
    case 'scatter': return [(n - 1) / 2];
    default: return [];
  }
}

const range1 = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

const dimsOf = (i: Instruction): readonly number[] => (i.shape.kind === 'array' ? i.shape.dims : []);

/**
 * For an index sink: the smallest index that is at or past the upper bound of every
 * component (so every larger one acts the same), and whether being past it (strictly) is
 * what counts (scatter skips; the others clamp, where reaching the bound is enough).
 */
function upperBound(sink: Instruction): { at: bigint; strict: boolean } {
  const D = dimsOf(sink.operands[0]);
  const big = (xs: number[]): bigint => BigInt(Math.max(0, ...xs));
  switch (sink.opcode) {
    case 'gather': return { at: big(sink.attrs.start_index_map.map((d) => D[d] - sink.attrs.slice_sizes[d])), strict: false };
    case 'dynamic-slice': return { at: big(D.map((d, k) => d - sink.attrs.dynamic_slice_sizes[k])), strict: false };
    case 'dynamic-update-slice': return { at: big(D.map((d, k) => d - dimsOf(sink.operands[1])[k])), strict: false };
    default: return { at: big([...D]), strict: true }; // scatter: past every dim is out of bounds
  }
}

/** The indices a tail of values yields all act alike on this sink. */
function actsAlike(r: Range | undefined, sink: Instruction): boolean {
  if (!r) return false;
  const { at, strict } = upperBound(sink);
  return strict ? r.hi < 0n || r.lo >= at : r.hi <= 0n || r.lo >= at;
}

/** Ops that copy elements without changing them: an index may be assembled from p's values with them. */
const MOVES = new Set(['broadcast', 'reshape', 'transpose', 'slice', 'reverse', 'concatenate', 'copy']);

type Tails = Map<Instruction, RangeInfo>[];

/** v's elements (those computed from p) take one value on each tail of p. */
const constantOnTails = (v: Instruction, tails: Tails): boolean =>
  tails.every((t) => {
    const r = asRange(t.get(v));
    return r !== undefined && r.lo === r.hi;
  });

/**
 * Whether saturating p provably changes no result. Walks what p's values reach: every
 * element of every value computed from p must depend on at most one element of p, so
 * saturating one element of p changes only what that element computes. An op that copies
 * elements (reshape, broadcast, concatenate with an independent iota...) from one such
 * value keeps that, and starts a new alignment: elementwise ops keep it when all their
 * operands computed from p are aligned (element k of each depends on the same element of
 * p). A value that takes one value on each tail (`p < 0` is false on the high tail and
 * true on the low one, `iota == p` false on both) is the same for p and its saturated
 * value, and its users are free. Anything else p reaches must be a start index that acts
 * alike over each tail.
 */
function saturable(c: Computation, p: Instruction, tails: Tails): boolean {
  // A value computed from p -> the value it is aligned with (the last copy since p).
  const aligned = new Map<Instruction, Instruction>([[p, p]]);
  // ... -> the elementwise value whose range bounds its elements computed from p.
  const source = new Map<Instruction, Instruction>([[p, p]]);
  let sinks = 0;
  for (const i of c.instructions) {
    const reads = i.operands.flatMap((o, k) => (aligned.has(o) ? [k] : []));
    if (i === p || reads.length === 0) continue;
    const idx = indexOperands(i);
    const alignments = new Set(reads.map((k) => aligned.get(i.operands[k])!));
    if (reads.every((k) => idx.includes(k))) {
      if (!reads.every((k) => tails.every((t) => actsAlike(asRange(t.get(source.get(i.operands[k])!)), i)))) return false;
      sinks++;
    } else if (isElementwise(i.opcode) && alignments.size === 1) {
      if (constantOnTails(i, tails)) continue; // the same for p and saturated p
      aligned.set(i, [...alignments][0]);
      source.set(i, i);
    } else if (MOVES.has(i.opcode) && reads.length === 1) {
      aligned.set(i, i);
      source.set(i, source.get(i.operands[reads[0]])!);
    } else return false;
  }
  return !aligned.has(c.root) && sinks + aligned.size > 1;
}

/**
 * The saturated range of p (an entry parameter, or a convert from f32/f64), when
 * saturating it provably changes no result.
 * The smaller the range, the more of what is computed from it fits 32 bits (`p - p` spans
 * twice p's range): it tries a range just wider than twice c's largest dim first, then
 * [SAT_LO, SAT_HI].
 */
export function saturation(c: Computation, p: Instruction): Range | undefined {
  if (p.shape.kind !== 'array' || (p.shape.dtype !== 's64' && p.shape.dtype !== 'u64')) return undefined;
  const all = dtypeRange(p.shape.dtype)!;
  let small = 1n;
  while (small <= 2n * largestDim(c)) small *= 2n;
  const from = p.opcode === 'convert' ? floatSource(p) : undefined;
  if (p.opcode === 'convert' && !from) return undefined;
  // A float is clamped before its convert: the bounds must be exact in it.
  const exact = (b: bigint): boolean => from !== 'f32' || b <= 1n << 24n;
  for (const bound of (small < SAT_HI ? [small, SAT_HI + 1n] : [SAT_HI + 1n]).filter(exact)) {
    const sat = range(all.lo > -bound ? all.lo : -bound, bound - 1n);
    const tails = [range(sat.hi, all.hi), ...(all.lo < sat.lo ? [range(all.lo, sat.lo)] : [])]
      .map((tail) => analyseRanges(c, new Map<Instruction, RangeInfo>([[p, tail]])));
    if (saturable(c, p, tails)) return sat;
  }
  return undefined;
}

/**
 * The float type a convert to 64 bits reads, when saturating the float instead is exact:
 * convert truncates and saturates (NaN → 0, in either width), so it is monotone, and a
 * value clamped into [-B, B - 1] first converts to a value in the same tail.
 */
function floatSource(i: Instruction): 'f32' | 'f64' | undefined {
  const t = i.operands[0]?.shape.kind === 'array' ? i.operands[0].shape.dtype : undefined;
  return t === 'f32' || t === 'f64' ? t : undefined;
}

function largestDim(c: Computation): bigint {
  let d = 0;
  for (const i of c.instructions) for (const s of leaves(i.shape)) for (const n of s.dims) d = Math.max(d, n);
  return BigInt(d);
}
