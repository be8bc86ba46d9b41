// Integer value ranges: for each instruction of a computation, an interval [lo, hi]
// (bigints, so s64/u64 are exact) that holds every value any element can take. It is
// what lets narrow-int64 prove that a 64-bit value fits in 32 bits. Sound, not precise:
// when an op could wrap in its own type, or kiln does not model it, the range is its
// dtype's whole range. Floats have no range (undefined).
import { DTYPES, type DType, isIntegral } from '../ir/dtype.js';
import type { Computation, Instruction } from '../ir/module.js';
import { leaves, product, type Shape } from '../ir/shape.js';
import { arrayValues } from './rewrite.js';

export interface Range {
  readonly lo: bigint;
  readonly hi: bigint;
}

/** A range per array leaf: a Range (undefined for floats and opaque types), or one per tuple element. */
export type RangeInfo = Range | undefined | readonly RangeInfo[];

export const range = (lo: bigint, hi: bigint): Range => ({ lo, hi });

/** Every value of an integer or pred dtype; undefined for other dtypes. */
export function dtypeRange(t: DType): Range | undefined {
  if (t === 'pred') return range(0n, 1n);
  if (!isIntegral(t) || !DTYPES[t].computable) return undefined;
  const bits = BigInt(DTYPES[t].bits);
  return DTYPES[t].cls === 'signed' ? range(-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n) : range(0n, (1n << bits) - 1n);
}

export const within = (r: Range, outer: Range): boolean => r.lo >= outer.lo && r.hi <= outer.hi;

/** r when every value of it is a value of t (nothing wrapped); otherwise all of t. */
export function clip(r: Range | undefined, t: DType): Range | undefined {
  const all = dtypeRange(t);
  return r && all && within(r, all) ? r : all;
}

export const hull = (a: Range, b: Range): Range => range(a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi);
const min = (...xs: bigint[]): bigint => xs.reduce((a, b) => (b < a ? b : a));
const max = (...xs: bigint[]): bigint => xs.reduce((a, b) => (b > a ? b : a));
const corners = (a: Range, b: Range, f: (x: bigint, y: bigint) => bigint): Range => {
  const v = [f(a.lo, b.lo), f(a.lo, b.hi), f(a.hi, b.lo), f(a.hi, b.hi)];
  return range(min(...v), max(...v));
};

/** The whole range of an instruction's shape, leaf by leaf. */
export function fullInfo(s: Shape): RangeInfo {
  return s.kind === 'array' ? dtypeRange(s.dtype) : s.elements.map(fullInfo);
}

const dtypeOf = (i: Instruction): DType | undefined => (i.shape.kind === 'array' ? i.shape.dtype : undefined);
const asRange = (x: RangeInfo): Range | undefined => (x !== undefined && !Array.isArray(x) ? (x as Range) : undefined);

/**
 * Math ranges of binary integer ops, before wrapping to the result type. Division truncates
 * (BigInt's `/` does too); x / 0 is -1 (all bits set) and x % 0 is x, as in XLA.
 */
function binaryRange(op: string, a: Range, b: Range, t: DType): Range | undefined {
  switch (op) {
    case 'add': return range(a.lo + b.lo, a.hi + b.hi);
    case 'subtract': return range(a.lo - b.hi, a.hi - b.lo);
    case 'multiply': return corners(a, b, (x, y) => x * y);
    case 'maximum': return range(max(a.lo, b.lo), max(a.hi, b.hi));
    case 'minimum': return range(min(a.lo, b.lo), min(a.hi, b.hi));
    case 'divide': return divideRange(a, b, t);
    case 'remainder': return range(min(0n, a.lo), max(0n, a.hi)); // |x % y| <= |x|, sign of x; x % 0 = x
    case 'and': case 'or': case 'xor': return bitwiseRange(op, a, b);
    default: return undefined;
  }
}

function divideRange(a: Range, b: Range, t: DType): Range | undefined {
  const parts: Range[] = [];
  // Truncated division is monotone in each operand on each side of 0: corners bound it.
  if (b.lo < 0n) parts.push(corners(a, range(b.lo, min(b.hi, -1n)), (x, y) => x / y));
  if (b.hi > 0n) parts.push(corners(a, range(max(b.lo, 1n), b.hi), (x, y) => x / y));
  if (b.lo <= 0n && b.hi >= 0n) parts.push(DTYPES[t].cls === 'unsigned' ? range(dtypeRange(t)!.hi, dtypeRange(t)!.hi) : range(-1n, -1n));
  return parts.reduce(hull);
}

/** Bits needed for every value of r in two's complement: r within [-2^k, 2^k - 1]. */
function signedBits(r: Range): bigint {
  let k = 0n;
  while (r.lo < -(1n << k) || r.hi > (1n << k) - 1n) k++;
  return k;
}

function bitwiseRange(op: string, a: Range, b: Range): Range {
  const k = max(signedBits(a), signedBits(b));
  if (a.lo >= 0n && b.lo >= 0n) return op === 'and' ? range(0n, min(a.hi, b.hi)) : range(0n, (1n << k) - 1n);
  // Sign extension commutes with and/or/xor: values within k+1 signed bits stay there.
  return range(-(1n << k), (1n << k) - 1n);
}

function unaryRange(op: string, a: Range, t: DType): Range | undefined {
  const unsigned = DTYPES[t].cls !== 'signed';
  switch (op) {
    case 'negate': return range(-a.hi, -a.lo);
    case 'abs': return unsigned || a.lo >= 0n ? a : a.hi <= 0n ? range(-a.hi, -a.lo) : range(0n, max(-a.lo, a.hi));
    case 'sign': return range(a.lo < 0n ? -1n : a.lo > 0n ? 1n : 0n, a.hi > 0n ? 1n : a.hi < 0n ? -1n : 0n);
    case 'not': return t === 'pred' ? range(0n, 1n) : unsigned ? range(dtypeRange(t)!.hi - a.hi, dtypeRange(t)!.hi - a.lo) : range(-a.hi - 1n, -a.lo - 1n);
    case 'copy': return a;
    case 'popcnt': case 'clz': return range(0n, BigInt(DTYPES[t].bits));
    default: return undefined;
  }
}

/** Ops that only move or pick elements of their first operand: its range is theirs. */
const MOVES_OPERAND_0 = new Set(['broadcast', 'reshape', 'transpose', 'slice', 'reverse', 'copy', 'dynamic-slice', 'gather']);

/** The range of one instruction given its operands' (already computed). */
function rangeOf(i: Instruction, get: (o: Instruction) => RangeInfo): RangeInfo {
  const t = dtypeOf(i);
  if (t === undefined) return tupleRange(i, get);
  if (!isIntegral(t)) return undefined;
  const op = (k: number): Range | undefined => asRange(get(i.operands[k]));
  const operandsIntegral = i.operands.every((o) => o.shape.kind === 'array' && isIntegral(o.shape.dtype));
  switch (i.opcode) {
    case 'constant': return constantRange(i);
    case 'iota': return clip(range(0n, BigInt(Math.max(0, (i.shape as { dims: readonly number[] }).dims[i.attrs.iota_dimension] - 1))), t);
    case 'compare': return operandsIntegral && op(0) && op(1) ? compareRange(i.attrs.direction, op(0)!, op(1)!) : range(0n, 1n);
    case 'is-finite': return range(0n, 1n);
    case 'convert': return operandsIntegral ? clip(op(0), t) : dtypeRange(t);
    case 'bitcast': return dtypeOf(i.operands[0]) === t ? op(0) : dtypeRange(t);
    case 'select': return selectRange(op(0), op(1), op(2), t);
    case 'clamp': return clampRange(op(0), op(1), op(2), t);
    case 'concatenate': return clip(i.operands.map((o) => asRange(get(o))).reduce((a, b) => (a && b ? hull(a, b) : undefined)), t);
    case 'pad': case 'dynamic-update-slice': return both(op(0), op(1), hull, t);
    case 'reduce': case 'reduce-window': case 'sort': case 'get-tuple-element': return tupleRange(i, get);
    default: break;
  }
  if (MOVES_OPERAND_0.has(i.opcode)) return clip(op(0), t);
  if (!operandsIntegral) return dtypeRange(t);
  if (i.operands.length === 2 && op(0) && op(1)) return clip(binaryRange(i.opcode, op(0)!, op(1)!, t), t);
  if (i.operands.length === 1 && op(0)) return clip(unaryRange(i.opcode, op(0)!, t), t);
  return dtypeRange(t);
}

const both = (a: Range | undefined, b: Range | undefined, f: (a: Range, b: Range) => Range, t: DType): Range | undefined =>
  clip(a && b ? f(a, b) : undefined, t);

/** A comparison that holds for all, or for none, of the operands' values is known. */
function compareRange(direction: string, a: Range, b: Range): Range {
  const known = (v: boolean): Range => (v ? range(1n, 1n) : range(0n, 0n));
  const lt = a.hi < b.lo ? true : a.lo >= b.hi ? false : undefined;
  const gt = a.lo > b.hi ? true : a.hi <= b.lo ? false : undefined;
  const eq = a.lo === a.hi && b.lo === b.hi && a.lo === b.lo ? true : a.hi < b.lo || a.lo > b.hi ? false : undefined;
  const not = (v: boolean | undefined): boolean | undefined => (v === undefined ? undefined : !v);
  const r = { LT: lt, GE: not(lt), GT: gt, LE: not(gt), EQ: eq, NE: not(eq) }[direction];
  return r === undefined ? range(0n, 1n) : known(r);
}

/** select(p, a, b): a when p is known true, b when known false, either otherwise. */
function selectRange(p: Range | undefined, a: Range | undefined, b: Range | undefined, t: DType): Range | undefined {
  if (p && p.lo === 1n) return clip(a, t);
  if (p && p.hi === 0n) return clip(b, t);
  return both(a, b, hull, t);
}

/** clamp(lo, x, hi) = min(max(x, lo), hi). */
function clampRange(lo: Range | undefined, x: Range | undefined, hi: Range | undefined, t: DType): Range | undefined {
  if (!lo || !x || !hi) return dtypeRange(t);
  const m = range(max(x.lo, lo.lo), max(x.hi, lo.hi));
  return clip(range(min(m.lo, hi.lo), min(m.hi, hi.hi)), t);
}

function constantRange(i: Extract<Instruction, { opcode: 'constant' }>): RangeInfo {
  const values = arrayValues(i.attrs.literal);
  const t = dtypeOf(i)!;
  if (!values || values.data.length === 0) return dtypeRange(t);
  let lo: bigint | undefined, hi: bigint | undefined;
  for (const v of values.data) {
    const b = typeof v === 'bigint' ? v : BigInt(v);
    if (lo === undefined || b < lo) lo = b;
    if (hi === undefined || b > hi) hi = b;
  }
  return clip(range(lo!, hi!), t);
}

/** Ranges of tuple-shaped results: tuple, get-tuple-element, reduce, sort. */
function tupleRange(i: Instruction, get: (o: Instruction) => RangeInfo): RangeInfo {
  switch (i.opcode) {
    case 'tuple': return i.operands.map(get);
    case 'get-tuple-element': {
      const t = get(i.operands[0]);
      return Array.isArray(t) ? (t as readonly RangeInfo[])[i.attrs.index] : fullInfo(i.shape);
    }
    case 'sort': return i.operands.length === 1 ? get(i.operands[0]) : i.operands.map(get); // a permutation
    case 'reduce': case 'reduce-window': return reduceRange(i, get);
    default: return fullInfo(i.shape);
  }
}

/**
 * A reduce's results, by induction over its steps: with every accumulator and element of
 * output k within H_k = hull(init_k, inputs_k), if the reducer's result k is within H_k
 * too, no step leaves H_k (min, max, argmax's selects). An add reducer instead adds at
 * most n elements to the init. A reduce-window's padding reads the init: within H_k too.
 */
function reduceRange(i: Extract<Instruction, { opcode: 'reduce' | 'reduce-window' }>, get: (o: Instruction) => RangeInfo): RangeInfo {
  const n = i.operands.length / 2;
  const hulls = Array.from({ length: n }, (_, k) => {
    const a = asRange(get(i.operands[k])), b = asRange(get(i.operands[n + k]));
    return a && b ? hull(a, b) : undefined;
  });
  const reducer = i.attrs.to_apply;
  const overrides = new Map<Instruction, RangeInfo>();
  reducer.params.forEach((p, k) => overrides.set(p, hulls[k % n]));
  const root = analyseRanges(reducer, overrides).get(reducer.root);
  const rootK = (k: number): Range | undefined => asRange(n === 1 ? root : Array.isArray(root) ? (root as RangeInfo[])[k] : undefined);
  const out = hulls.map((h, k) => {
    const r = rootK(k), leaf = leaves(i.shape)[k];
    if (h && r && within(r, h)) return h;
    if (n === 1 && i.opcode === 'reduce' && reducer.root.opcode === 'add') return addReduceRange(i, get, leaf.dtype);
    return dtypeRange(leaf.dtype);
  });
  return n === 1 ? out[0] : out;
}

function addReduceRange(i: Extract<Instruction, { opcode: 'reduce' }>, get: (o: Instruction) => RangeInfo, t: DType): Range | undefined {
  const root = i.attrs.to_apply.root;
  if (!root.operands.every((o) => o.opcode === 'parameter')) return dtypeRange(t);
  const x = asRange(get(i.operands[0])), init = asRange(get(i.operands[1]));
  const dims = i.operands[0].shape.kind === 'array' ? i.operands[0].shape.dims : [];
  const n = BigInt(product(i.attrs.dimensions.map((d) => dims[d])));
  return x && init ? clip(range(init.lo + n * min(x.lo, 0n), init.hi + n * max(x.hi, 0n)), t) : dtypeRange(t);
}

/**
 * Ranges of every instruction of c, in one pass in order. `overrides` fixes the range of
 * some instructions (parameters of a reducer, a saturated entry parameter, a tail).
 */
export function analyseRanges(c: Computation, overrides: ReadonlyMap<Instruction, RangeInfo> = new Map()): Map<Instruction, RangeInfo> {
  const out = new Map<Instruction, RangeInfo>();
  const get = (o: Instruction): RangeInfo => (out.has(o) ? out.get(o) : fullInfo(o.shape));
  for (const i of c.instructions) {
    if (overrides.has(i)) out.set(i, overrides.get(i));
    else if (i.opcode === 'parameter') out.set(i, fullInfo(i.shape));
    else out.set(i, rangeOf(i, get));
  }
  return out;
}

export { asRange };
