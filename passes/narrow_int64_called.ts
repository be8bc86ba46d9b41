// A reduce or sort over narrowed values calls a narrowed copy of its reducer or
// comparator: the copy's parameters for those lanes are retyped to 32 bits (with the
// lane's range: for a reduce, the hull of its inputs and init, which the reducer keeps by
// passes/int_range.ts's induction) and narrowed like any computation; a reducer's results
// for those lanes must come out narrow too, or the reduce stays as it is.
import type { Computation, Instruction } from '../ir/module.js';
import { asRange, dtypeRange, hull, range, within, type Range, type RangeInfo } from './int_range.js';
import { NARROW, narrowComputation, wideDtype, type Called, type Scope } from './narrow_int64.js';
import { orderOnly, sentinelImage, type Relabel } from './narrow_int64_relabel.js';

type Calls = Extract<Instruction, { opcode: 'reduce' | 'reduce-window' | 'sort' }>;

export function narrowCalled(i: Calls, ranges: Map<Instruction, RangeInfo>, scope: Scope): Called | undefined {
  const lanes = i.opcode === 'sort' ? sortLanes(i, ranges) : reduceLanes(i, ranges);
  if (!lanes) return undefined;
  const callee = i.attrs.to_apply;
  const copy = cloneComputation(callee, scope.computationNames.unique(`${callee.name}.narrow`), scope);
  const inner: Scope = {
    c: copy, names: scope.names, computationNames: scope.computationNames, called: new Map(), added: [],
    given: new Map(lanes.params.flatMap(([ps, range]) => ps.map((p) => [copy.params[p], { range, how: 'retype' as const }]))),
    narrowRoot: lanes.results, relabeled: new Map(), ranges: new Map(),
  };
  narrowComputation(inner);
  const narrow = (x: Instruction): boolean => x.shape.kind === 'array' && !wideDtype(x);
  const root = copy.root;
  const ok = [...inner.given.keys()].every(narrow) &&
    [...lanes.results].every((k) => narrow(root.opcode === 'tuple' ? root.operands[k] : root));
  return ok ? { copy, added: inner.added, relabels: lanes.relabels } : undefined;
}

interface Lanes {
  /** Parameter numbers of the called computation to retype, with their range. */
  params: [number[], Range][];
  /** Root tuple elements (0 for an array root) that must come out narrow. */
  results: Set<number>;
  /** Lanes whose init is a sentinel the reduce runs relabelled. */
  relabels: Map<number, Relabel>;
}

/** reduce or reduce-window(inputs..., inits...): the reducer's parameters k and n + k are lane k's accumulator and element. */
function reduceLanes(i: Calls, ranges: Map<Instruction, RangeInfo>): Lanes | undefined {
  const n = i.operands.length / 2;
  const out: Lanes = { params: [], results: new Set(), relabels: new Map() };
  for (let k = 0; k < n; k++) {
    const t = wideDtype(i.operands[k]);
    if (!t) continue;
    const a = asRange(ranges.get(i.operands[k])), b = asRange(ranges.get(i.operands[n + k]));
    if (!a || !b) return undefined;
    // Every accumulator the reducer sees lies in the reduce's result range (by induction,
    // or an add reducer's bound on partial sums); elements lie in the input's.
    const result = asRange(i.shape.kind === 'tuple' ? (ranges.get(i) as RangeInfo[] | undefined)?.[k] : ranges.get(i));
    let lane = result ? hull(hull(a, b), result) : hull(a, b);
    // An init outside the narrow type: a sentinel, when the reducer only orders this lane.
    const relabel = b.lo === b.hi && !within(b, dtypeRange(NARROW[t]!)!) && i.operands[n + k].opcode === 'constant' &&
      within(a, dtypeRange(NARROW[t]!)!) ? sentinelImage(b.lo, a, NARROW[t]!) : undefined;
    if (relabel && orderOnly(i.attrs.to_apply, k, n)) {
      out.relabels.set(k, relabel);
      lane = hull(a, range(relabel.image, relabel.image));
    }
    out.params.push([[k, n + k], lane]);
    out.results.add(n === 1 ? 0 : k);
  }
  return out;
}

/** sort(operands...): the comparator's parameters 2k and 2k + 1 are two elements of operand k. */
function sortLanes(i: Calls, ranges: Map<Instruction, RangeInfo>): Lanes | undefined {
  const out: Lanes = { params: [], results: new Set(), relabels: new Map() };
  for (const [k, o] of i.operands.entries()) {
    if (!wideDtype(o)) continue;
    const r = asRange(ranges.get(o));
    if (!r) return undefined;
    out.params.push([[2 * k, 2 * k + 1], r]);
  }
  return out;
}

/** A copy of c under a new name, its instructions renamed fresh (names are unique in a module). */
function cloneComputation(c: Computation, name: string, scope: Scope): Computation {
  const map = new Map<Instruction, Instruction>();
  for (const i of c.instructions)
    map.set(i, { ...i, name: scope.names.unique(i.name), operands: i.operands.map((o) => map.get(o) ?? o), attrs: { ...i.attrs }, raw: [...i.raw] } as Instruction);
  return { name, instructions: c.instructions.map((i) => map.get(i)!), root: map.get(c.root)!, isEntry: false, params: c.params.map((p) => map.get(p)!) };
}
