// narrow-int64: s64/u64 values that provably fit in 32 bits become s32/u32 values, for
// targets without 64-bit integers (WGSL). ONNX carries int64 index and shape tensors
// almost everywhere; onnxruntime-web's WebGPU backend narrows them the same way.
//
// Exact by construction: a value is narrowed only when its range (passes/int_range.ts)
// fits the narrow type and its op computes the same numbers in 32 bits when every input
// and the result fit (no wrap-around can happen in either width). The module's interface
// stays: entry parameters keep their types (narrowed through a convert, or a saturating
// clamp for pure indices, passes/narrow_int64_index.ts), and a narrowed value a 64-bit
// user or a computation's root needs is converted back (`.wide`). A reduce or sort over
// narrowed values calls a narrowed copy of its reducer or comparator
// (passes/narrow_int64_called.ts). The rewrite itself is passes/narrow_int64_rewrite.ts.
import { NameUniquer } from '../ir/builder.js';
import type { DType } from '../ir/dtype.js';
import { calledComputations, usersOf, type Computation, type Instruction, type Module } from '../ir/module.js';
import { analyseRanges, asRange, dtypeRange, within, type Range, type RangeInfo } from './int_range.js';
import { narrowCalled } from './narrow_int64_called.js';
import { indexOperands, saturation } from './narrow_int64_index.js';
import { comparesExactly, RELABEL_MOVES, type Relabel } from './narrow_int64_relabel.js';
import { rewrite } from './narrow_int64_rewrite.js';
import { arrayValues, cloneModule, moduleNames } from './rewrite.js';

export const NARROW: Partial<Record<DType, DType>> = { s64: 's32', u64: 'u32' };

/** 32-bit arithmetic on inputs and a result that all fit gives the 64-bit op's numbers. */
const SAME_IN_32_BITS = new Set<string>([
  'add', 'subtract', 'multiply', 'divide', 'remainder', 'maximum', 'minimum', 'negate', 'abs', 'sign',
  'and', 'or', 'xor', 'not', 'clamp', 'select', 'copy',
  'broadcast', 'reshape', 'transpose', 'slice', 'reverse', 'bitcast', 'concatenate', 'pad',
  'dynamic-slice', 'dynamic-update-slice', 'gather',
]);

export interface Called {
  readonly copy: Computation;
  readonly added: Computation[];
  /** Reduce lanes whose init is a sentinel, relabelled. */
  readonly relabels: ReadonlyMap<number, Relabel>;
}

export const wideDtype = (i: Instruction): DType | undefined =>
  i.shape.kind === 'array' && NARROW[i.shape.dtype] !== undefined ? i.shape.dtype : undefined;

/** What narrowing one computation needs to know. */
export interface Scope {
  readonly c: Computation;
  readonly names: NameUniquer;
  readonly computationNames: NameUniquer;
  /**
   * Values read narrow, with their ranges: an entry parameter saturated (read through clamp
   * and convert), a convert from a float saturated (the float clamped first), or a
   * parameter of a narrowed copy of a called computation (retyped).
   */
  readonly given: Map<Instruction, { range: Range; how: 'saturate' | 'retype' }>;
  /** Root tuple elements (or 0 for an array root) that must come out narrow: a reducer's narrowed lanes. */
  readonly narrowRoot: ReadonlySet<number>;
  /** A reduce or sort to narrow -> the narrowed copy it will call, the copies that copy calls, its relabelled lanes. */
  readonly called: Map<Instruction, Called>;
  /** Narrowed values whose narrow form relabels a sentinel (passes/narrow_int64_relabel.ts). */
  readonly relabeled: Map<Instruction, Relabel>;
  /** Value ranges of the computation's instructions. */
  ranges: Map<Instruction, RangeInfo>;
  /** Narrowed copies this computation's rewrite made, callees first: they go before it in the module. */
  readonly added: Computation[];
}

export function narrowInt64(input: Module): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  const computationNames = new NameUniquer();
  for (const c of m.computations) computationNames.unique(c.name);
  for (const c of [...m.computations]) {
    const scope: Scope = { c, names, computationNames, given: new Map(), narrowRoot: new Set(), called: new Map(), added: [], relabeled: new Map(), ranges: new Map() };
    // Saturation candidates: 64-bit entry parameters, and converts from floats (OneHot's float indices).
    const sources = [...(c.isEntry ? c.params : []), ...c.instructions.filter((i) => i.opcode === 'convert' && wideDtype(i))];
    for (const p of sources) {
      const r = saturation(c, p);
      if (r) scope.given.set(p, { range: r, how: 'saturate' });
    }
    narrowComputation(scope);
    m.computations.splice(m.computations.indexOf(c), 0, ...scope.added);
  }
  return dropUncalled(m, input);
}

/** Drops the reducers and comparators whose callers all call narrowed copies now (those the input did not hold uncalled). */
function dropUncalled(m: Module, input: Module): Module {
  const calledBefore = new Set(input.computations.flatMap((c) => c.instructions.flatMap((i) => calledComputations(i).map((k) => k.name))));
  const calledNow = new Set(m.computations.flatMap((c) => c.instructions.flatMap((i) => calledComputations(i))));
  m.computations = m.computations.filter((c) => c === m.entry || calledNow.has(c) || !calledBefore.has(c.name));
  return m;
}

/** Decides and rewrites one computation. Its parameters and root keep their types, except as `scope` says. */
export function narrowComputation(scope: Scope): void {
  const { c } = scope;
  if (!c.instructions.some((i) => wideDtype(i) || i.operands.some((o) => wideDtype(o)))) return;
  const ranges = analyseRanges(c, new Map<Instruction, RangeInfo>([...scope.given].map(([p, g]) => [p, g.range])));
  scope.ranges = ranges;
  const users = usersOf(c);
  const candidates = new Set<Instruction>();
  for (const i of c.instructions) if (isCandidate(i, ranges, candidates, users, scope)) candidates.add(i);
  const narrowed = keepUseful(scope, candidates, users);
  if (narrowed.size > 0) rewrite(scope, narrowed);
}

/** A 64-bit value that fits its narrow type, computed by an op that means the same in 32 bits. */
function isCandidate(i: Instruction, ranges: Map<Instruction, RangeInfo>, candidates: Set<Instruction>, users: Map<Instruction, Instruction[]>, scope: Scope): boolean {
  if (i.opcode === 'reduce' || i.opcode === 'reduce-window' || i.opcode === 'sort') return narrowsCalled(i, ranges, candidates, users, scope);
  const relabel = relabelOf(i, scope);
  if (relabel) {
    if (!candidates.has(i.operands[0])) return false;
    scope.relabeled.set(i, relabel);
    return true;
  }
  if (i.operands.some((o) => scope.relabeled.has(o))) return false; // arithmetic on a relabelled value is not exact
  const t = wideDtype(i);
  const r = asRange(ranges.get(i));
  if (!t || !r || !within(r, dtypeRange(NARROW[t]!)!)) return false;
  switch (i.opcode) {
    case 'parameter': return scope.given.has(i);
    case 'constant': return arrayValues(i.attrs.literal) !== undefined;
    case 'iota': case 'convert': return true;
    case 'get-tuple-element': return candidates.has(i.operands[0]);
    default: return SAME_IN_32_BITS.has(i.opcode);
  }
}

/** A get-tuple-element of a relabelled reduce lane, or a copy of a relabelled value: relabelled alike. */
function relabelOf(i: Instruction, scope: Scope): Relabel | undefined {
  if (i.opcode === 'get-tuple-element') return scope.called.get(i.operands[0])?.relabels.get(i.attrs.index);
  return RELABEL_MOVES.has(i.opcode) && i.operands.length === 1 ? scope.relabeled.get(i.operands[0]) : undefined;
}

/**
 * A reduce or sort whose 64-bit operands are all candidates, whose results fit, whose
 * tuple only get-tuple-elements read, and whose reducer or comparator has a narrowed copy.
 */
function narrowsCalled(i: Extract<Instruction, { opcode: 'reduce' | 'reduce-window' | 'sort' }>, ranges: Map<Instruction, RangeInfo>, candidates: Set<Instruction>, users: Map<Instruction, Instruction[]>, scope: Scope): boolean {
  if (!i.operands.some((o) => wideDtype(o))) return false;
  if (i.shape.kind === 'tuple' && !(users.get(i) ?? []).every((u) => u.opcode === 'get-tuple-element')) return false;
  if (i.operands.some((o) => scope.relabeled.has(o))) return false;
  const called = narrowCalled(i, ranges, scope);
  if (!called) return false;
  const n = i.operands.length / 2;
  const relabelledInit = (k: number): boolean => i.opcode !== 'sort' && k >= n && called.relabels.has(k - n);
  if (!i.operands.every((o, k) => !wideDtype(o) || candidates.has(o) || relabelledInit(k))) return false;
  const info = ranges.get(i);
  const results = Array.isArray(info) ? (info as RangeInfo[]) : [info];
  const shapes = i.shape.kind === 'tuple' ? i.shape.elements : [i.shape];
  const fits = shapes.every((s, k) => s.kind === 'array' &&
    (NARROW[s.dtype] === undefined || called.relabels.has(k) || within(asRange(results[k]) ?? dtypeRange(s.dtype)!, dtypeRange(NARROW[s.dtype]!)!)));
  if (fits) scope.called.set(i, called);
  return fits;
}

/**
 * Whether user u can read candidate operand k narrowed: u converts it (to any type: an
 * integer that fits converts the same from either width), compares it with another
 * candidate, takes it as a start index with its fellow indices candidates, or is the root
 * tuple of a narrowed copy and k one of its narrowed lanes.
 */
function readsNarrow(u: Instruction, k: number, candidates: ReadonlySet<Instruction>, scope: Scope): boolean {
  if (scope.relabeled.has(u.operands[k]) && u.opcode !== 'compare' && !indexOperands(u).includes(k)) return false;
  if (u.opcode === 'convert' || u.opcode === 'get-tuple-element') return true; // a narrowed tuple's lanes
  if (u.opcode === 'compare') return u.operands.every((o) => candidates.has(o)) && relabelsCompareExactly(u, scope);
  if (u === scope.c.root && u.opcode === 'tuple' && scope.narrowRoot.has(k)) return true;
  const idx = indexOperands(u);
  if (idx.includes(k)) return idx.every((j) => !wideDtype(u.operands[j]) || candidates.has(u.operands[j]));
  return false;
}

/** Both operands of compare u read narrow or neither: a relabelled one only where the comparison keeps its answer. */
function relabelsCompareExactly(u: Instruction, scope: Scope): boolean {
  return u.operands.every((o, k) => {
    const r = scope.relabeled.get(o), other = u.operands[1 - k];
    return !r || comparesExactly(r, scope.relabeled.get(other), asRange(scope.ranges.get(other)));
  });
}

/** Whether u (narrowed or not) reads its operand k narrowed; start indices go by readsNarrow, whatever u's data does. */
export const readsNarrowAt = (u: Instruction, k: number, uNarrowed: boolean, narrowed: ReadonlySet<Instruction>, scope: Scope): boolean =>
  (uNarrowed && !indexOperands(u).includes(k)) || readsNarrow(u, k, narrowed, scope);

/**
 * Operands that must be narrowed with i: its 64-bit data operands (not start indices, not
 * a relabelled sentinel init: the rewrite replaces it), a get-tuple-element's tuple.
 */
const dataOperands = (i: Instruction, scope: Scope): Instruction[] => {
  if (i.opcode === 'get-tuple-element') return [i.operands[0]];
  const idx = indexOperands(i);
  const relabels = scope.called.get(i)?.relabels;
  const n = i.operands.length / 2;
  return i.operands.filter((o, k) => !idx.includes(k) && wideDtype(o) && !(relabels?.has(k - n)));
};

/** The root is an entry result (the host widens it) or a lane of a narrowed copy's result. */
function resultWantsNarrow(i: Instruction, scope: Scope): boolean {
  const { root, isEntry } = scope.c;
  if (root.opcode === 'tuple') return root.operands.some((o, k) => o === i && (isEntry || scope.narrowRoot.has(k)));
  return i === root && (isEntry || scope.narrowRoot.has(0));
}

/**
 * The candidates worth narrowing: a candidate whose data operands are all narrowed, with
 * some user (or the result) that reads it narrow. Decided from the root upwards, so a
 * value only 64-bit users read is not narrowed and widened back for nothing. Retyped
 * parameters and get-tuple-elements of a narrowed tuple are narrowed whatever their users.
 */
function keepUseful(scope: Scope, candidates: Set<Instruction>, users: Map<Instruction, Instruction[]>): Set<Instruction> {
  const { c } = scope;
  // Candidates whose data operands are not all candidates cannot be narrowed; repeat to a fixed point.
  for (let changed = true; changed;) {
    changed = false;
    for (const i of c.instructions)
      if (candidates.has(i) && i.opcode !== 'parameter' && i.opcode !== 'convert' && !dataOperands(i, scope).every((o) => candidates.has(o))) {
        candidates.delete(i);
        changed = true;
      }
  }
  const kept = new Set<Instruction>();
  const forced = (i: Instruction): boolean => scope.given.get(i)?.how === 'retype' || i.opcode === 'get-tuple-element';
  for (let k = c.instructions.length - 1; k >= 0; k--) {
    const i = c.instructions[k];
    if (!candidates.has(i)) continue;
    const useful = forced(i) || resultWantsNarrow(i, scope) || (users.get(i) ?? []).some((u) =>
      u.operands.some((o, j) => o === i && readsNarrowAt(u, j, kept.has(u), candidates, scope)));
    if (useful) kept.add(i);
  }
  return kept;
}
