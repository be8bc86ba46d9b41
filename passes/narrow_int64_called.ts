// A reduce or sort over narrowed values calls a narrowed copy of its reducer or
// comparator: the copy's parameters for those lanes are retyped to 32 bits (with the
// lane's range: for a reduce, the hull of its inputs and init, which the reducer keeps by
// passes/int_range.ts's induction) and narrowed like any computation; a reducer's results
// for those lanes must come out narrow too, or the reduce stays as it is.
import type { Computation, Instruction } from '../ir/module.js';
import { asRange, hull, type Range, type RangeInfo } from './int_range.js';
import { narrowComputation, wideDtype, type Scope } from './narrow_int64.js';

type Calls = Extract<Instruction, { opcode: 'reduce' | 'sort' }>;

export function narrowCalled(i: Calls, ranges: Map<Instruction, RangeInfo>, scope: Scope): { copy: Computation; added: Computation[] } | undefined {
  const lanes = i.opcode === 'reduce' ? reduceLanes(i, ranges) : sortLanes(i, ranges);
  if (!lanes) return undefined;
  const callee = i.attrs.to_apply;
  const copy = cloneComputation(callee, scope.computationNames.unique(`${callee.name}.narrow`), scope);
  const inner: Scope = {
    c: copy, names: scope.names, computationNames: scope.computationNames, called: new Map(), added: [],
    given: new Map(lanes.params.flatMap(([ps, range]) => ps.map((p) => [copy.params[p], { range, how: 'retype' as const }]))),
    narrowRoot: lanes.results,
  };
  narrowComputation(inner);
  const narrow = (x: Instruction): boolean => x.shape.kind === 'array' && !wideDtype(x);
  const root = copy.root;
  const ok = [...inner.given.keys()].every(narrow) &&
    [...lanes.results].every((k) => narrow(root.opcode === 'tuple' ? root.operands[k] : root));
  return ok ? { copy, added: inner.added } : undefined;
}

interface Lanes {
  /** Parameter numbers of the called computation to retype, with their range. */
  params: [number[], Range][];
  /** Root tuple elements (0 for an array root) that must come out narrow. */
  results: Set<number>;
}

/** reduce(inputs..., inits...): the reducer's parameters k and n + k are lane k's accumulator and element. */
function reduceLanes(i: Calls, ranges: Map<Instruction, RangeInfo>): Lanes | undefined {
  const n = i.operands.length / 2;
  const out: Lanes = { params: [], results: new Set() };
  for (let k = 0; k < n; k++) {
    if (!wideDtype(i.operands[k])) continue;
    const a = asRange(ranges.get(i.operands[k])), b = asRange(ranges.get(i.operands[n + k]));
    if (!a || !b) return undefined;
    out.params.push([[k, n + k], hull(a, b)]);
    out.results.add(n === 1 ? 0 : k);
  }
  return out;
}

/** sort(operands...): the comparator's parameters 2k and 2k + 1 are two elements of operand k. */
function sortLanes(i: Calls, ranges: Map<Instruction, RangeInfo>): Lanes | undefined {
  const out: Lanes = { params: [], results: new Set() };
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
