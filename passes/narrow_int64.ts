// narrow-int64: s64/u64 values that provably fit in 32 bits become s32/u32 values, for
// targets without 64-bit integers (WGSL). ONNX carries int64 index and shape tensors
// almost everywhere; onnxruntime-web's WebGPU backend narrows them the same way.
//
// Exact by construction: a value is narrowed only when its range (passes/int_range.ts)
// fits the narrow type and its op computes the same numbers in 32 bits when every input
// and the result fit (no wrap-around can happen in either width). The module's interface
// stays: entry parameters keep their types (narrowed through a convert, or a saturating
// clamp for pure indices, passes/narrow_int64_index.ts), and a narrowed value a 64-bit
// user or a computation's root needs is converted back (`.wide`).
import type { DType } from '../ir/dtype.js';
import { arrayLiteral } from '../ir/literal.js';
import { usersOf, type Computation, type Instruction, type Module } from '../ir/module.js';
import type { ArrayShape } from '../ir/shape.js';
import { analyseRanges, asRange, dtypeRange, within, type RangeInfo } from './int_range.js';
import { indexOperands, saturation } from './narrow_int64_index.js';
import { arrayValues, cloneModule, makeInstruction, moduleNames } from './rewrite.js';
import type { NameUniquer } from '../ir/builder.js';

export const NARROW: Partial<Record<DType, DType>> = { s64: 's32', u64: 'u32' };

/** 32-bit arithmetic on inputs and a result that all fit gives the 64-bit op's numbers. */
const SAME_IN_32_BITS = new Set<string>([
  'add', 'subtract', 'multiply', 'divide', 'remainder', 'maximum', 'minimum', 'negate', 'abs', 'sign',
  'and', 'or', 'xor', 'not', 'clamp', 'select', 'copy',
  'broadcast', 'reshape', 'transpose', 'slice', 'reverse', 'bitcast', 'concatenate', 'pad',
  'dynamic-slice', 'dynamic-update-slice', 'gather',
]);

const wideDtype = (i: Instruction): DType | undefined =>
  i.shape.kind === 'array' && NARROW[i.shape.dtype] !== undefined ? i.shape.dtype : undefined;

export function narrowInt64(input: Module): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  for (const c of m.computations) narrowComputation(c, names);
  return m;
}

/** Decides and rewrites one computation; its parameters and root keep their types. */
function narrowComputation(c: Computation, names: NameUniquer): void {
  if (!c.instructions.some((i) => wideDtype(i) || i.operands.some((o) => wideDtype(o)))) return;
  const users = usersOf(c);
  const saturated = new Map<Instruction, RangeInfo>();
  if (c.isEntry) for (const p of c.params) {
    const r = saturation(c, p);
    if (r) saturated.set(p, r);
  }
  const ranges = analyseRanges(c, saturated);
  const candidates = new Set(c.instructions.filter((i) => isCandidate(i, ranges, saturated)));
  const narrowed = keepUseful(c, candidates, users);
  if (narrowed.size > 0) rewrite(c, narrowed, saturated, names);
}

/** A 64-bit value that fits its narrow type, computed by an op that means the same in 32 bits. */
function isCandidate(i: Instruction, ranges: Map<Instruction, RangeInfo>, saturated: Map<Instruction, RangeInfo>): boolean {
  const t = wideDtype(i);
  const r = asRange(ranges.get(i));
  if (!t || !r || !within(r, dtypeRange(NARROW[t]!)!)) return false;
  if (i.opcode === 'parameter') return saturated.has(i);
  if (i.opcode === 'constant') return arrayValues(i.attrs.literal) !== undefined;
  if (i.opcode === 'iota' || i.opcode === 'convert') return true;
  return SAME_IN_32_BITS.has(i.opcode);
}

/**
 * Whether user u can read candidate operand k narrowed: u is narrowed itself (every wide
 * data operand of a candidate is then a candidate too, checked in keepUseful), u converts
 * it (to any type: an integer that fits converts the same from either width), compares it
 * with another candidate, or takes it as a start index with its fellow indices candidates.
 */
function readsNarrow(u: Instruction, k: number, candidates: ReadonlySet<Instruction>): boolean {
  if (u.opcode === 'convert') return true;
  if (u.opcode === 'compare') return u.operands.every((o) => candidates.has(o));
  const idx = indexOperands(u);
  if (idx.includes(k)) return idx.every((j) => !wideDtype(u.operands[j]) || candidates.has(u.operands[j]));
  return false;
}

/** Whether u (narrowed or not) reads its operand k narrowed; start indices go by readsNarrow, whatever u's data does. */
const readsNarrowAt = (u: Instruction, k: number, uNarrowed: boolean, narrowed: ReadonlySet<Instruction>): boolean =>
  (uNarrowed && !indexOperands(u).includes(k)) || readsNarrow(u, k, narrowed);

/** Wide operands of i that are data (not start indices): they must be narrowed with i. */
const dataOperands = (i: Instruction): Instruction[] => {
  const idx = indexOperands(i);
  return i.operands.filter((o, k) => !idx.includes(k) && wideDtype(o));
};

/**
 * The candidates worth narrowing: a candidate whose data operands are all narrowed, with
 * some user (or the entry's result) that reads it narrow. Decided from the root upwards,
 * so a value only 64-bit users read is not narrowed and widened back for nothing.
 */
function keepUseful(c: Computation, candidates: Set<Instruction>, users: Map<Instruction, Instruction[]>): Set<Instruction> {
  // Candidates whose data operands are not all candidates cannot be narrowed; repeat to a fixed point.
  for (let changed = true; changed;) {
    changed = false;
    for (const i of c.instructions)
      if (candidates.has(i) && i.opcode !== 'parameter' && i.opcode !== 'convert' && !dataOperands(i).every((o) => candidates.has(o))) {
        candidates.delete(i);
        changed = true;
      }
  }
  const kept = new Set<Instruction>();
  const entryResult = (i: Instruction): boolean => c.isEntry && (i === c.root || (c.root.opcode === 'tuple' && c.root.operands.includes(i)));
  for (let k = c.instructions.length - 1; k >= 0; k--) {
    const i = c.instructions[k];
    if (!candidates.has(i)) continue;
    const useful = entryResult(i) || (users.get(i) ?? []).some((u) =>
      u.operands.some((o, j) => o === i && readsNarrowAt(u, j, kept.has(u), candidates)));
    if (useful) kept.add(i);
  }
  return kept;
}

/**
 * Rewrites c in place: each narrowed instruction is retyped (constants get narrow
 * literals; a convert to the narrow type of a value already narrow disappears; a
 * saturated parameter is read through clamp and convert); users that need 64 bits read
 * a `.wide` convert, made once per value just before its first such user.
 */
function rewrite(c: Computation, narrowed: Set<Instruction>, saturated: Map<Instruction, RangeInfo>, names: NameUniquer): void {
  const narrowOf = new Map<Instruction, Instruction>();
  const wideOf = new Map<Instruction, Instruction>();
  const out: Instruction[] = [];
  const wideShape = new Map(c.instructions.map((i) => [i, i.shape])); // before retyping
  const widen = (n: Instruction, original: Instruction): Instruction => {
    let w = wideOf.get(n);
    if (!w) {
      w = makeInstruction(names.unique(`${original.name}.wide`), 'convert', wideShape.get(original)!, [n], {});
      wideOf.set(n, w);
      out.push(w);
    }
    return w;
  };
  for (const i of c.instructions) {
    const reads = i.operands.map((o, k) => {
      const n = narrowOf.get(o);
      if (!n) return o;
      return readsNarrowAt(i, k, narrowed.has(i), narrowed) ? n : widen(n, o);
    });
    if (!narrowed.has(i)) {
      i.operands = reads;
      out.push(i);
      continue;
    }
    const n = narrowInstruction(i, reads, saturated, names, out);
    narrowOf.set(i, n);
  }
  if (narrowOf.has(c.root)) c.root = widen(narrowOf.get(c.root)!, c.root);
  c.instructions = out;
}

/** The narrow version of i reading `reads`; new instructions go to `out`. */
function narrowInstruction(i: Instruction, reads: Instruction[], saturated: Map<Instruction, RangeInfo>, names: NameUniquer, out: Instruction[]): Instruction {
  const shape = i.shape as ArrayShape;
  const narrowShape: ArrayShape = { ...shape, dtype: NARROW[shape.dtype]! };
  if (i.opcode === 'parameter') {
    // Kept as it is (the interface); its uses read clamp(SAT_LO, p, SAT_HI) in 32 bits.
    out.push(i);
    const r = asRange(saturated.get(i))!;
    const bound = (v: bigint, tag: string): Instruction =>
      makeInstruction(names.unique(`${i.name}.${tag}`), 'constant', { kind: 'array', dtype: shape.dtype, dims: [] }, [], { literal: arrayLiteral({ kind: 'array', dtype: shape.dtype, dims: [] }, [v]) });
    const lo = bound(r.lo, 'lo'), hi = bound(r.hi, 'hi');
    const clamp = makeInstruction(names.unique(`${i.name}.saturated`), 'clamp', shape, [lo, i, hi], {});
    const narrow = makeInstruction(names.unique(`${i.name}.narrow`), 'convert', narrowShape, [clamp], {});
    out.push(lo, hi, clamp, narrow);
    return narrow;
  }
  if (i.opcode === 'convert' && reads[0].shape.kind === 'array' && reads[0].shape.dtype === narrowShape.dtype) return reads[0];
  if (i.opcode === 'constant') {
    const values = arrayValues(i.attrs.literal)!;
    i.attrs = { ...i.attrs, literal: arrayLiteral(narrowShape, Array.from(values.data as ArrayLike<bigint>, (v) => Number(v))) };
  }
  i.shape = narrowShape;
  i.operands = reads;
  out.push(i);
  return i;
}
