// Turns the groups the fusion pass formed into fused computations and `fusion`
// instructions. A group with several outputs (a row group whose values are also read
// outside it: fusion/row.ts) gets a tuple root, and its users outside read the outputs
// through get-tuple-element, as XLA's multi-output fusions do.
import type { NameUniquer } from '../../ir/builder.js';
import type { Computation, Instruction } from '../../ir/module.js';
import { tuple } from '../../ir/shape.js';
import { makeInstruction } from '../rewrite.js';

export interface FusedGroup {
  root: Instruction;
  /** Members read outside the group besides the root (a tuple root then holds root first, then these). */
  extraOutputs?: readonly Instruction[];
  members: Set<Instruction>;
  copies: Set<Instruction>;
  kind: string;
}

const outputsOf = (g: FusedGroup): Instruction[] => [g.root, ...(g.extraOutputs ?? [])];

/** Builds a fused computation per group and rewrites `c` to call them. */
export function materialise(c: Computation, groups: FusedGroup[], users: Map<Instruction, Instruction[]>, names: NameUniquer, compNames: NameUniquer): Computation[] {
  const order = new Map(c.instructions.map((i, k) => [i, k]));
  const groupOfOutput = new Map(groups.flatMap((g) => outputsOf(g).map((o) => [o, g] as const)));
  const memberOf = new Map<Instruction, FusedGroup[]>();
  for (const g of groups) for (const x of g.members) if (!groupOfOutput.has(x) || groupOfOutput.get(x) !== g) memberOf.set(x, [...(memberOf.get(x) ?? []), g]);
  const kept = keptInstructions(c, users, memberOf, groupOfOutput);

  /** Each group's output → what its users outside read now (the fusion, or a get-tuple-element of it). */
  const replacement = new Map<Instruction, Instruction>();
  /** The last output of each group (in `c`'s order) → the fusion and its get-tuple-elements, placed there. */
  const placed = new Map<Instruction, Instruction[]>();
  const fused: Computation[] = [];
  for (const g of [...groups].reverse()) {
    const { body, outside } = fusedComputation(c, g, order, kept, memberOf, names, compNames);
    fused.push(body);
    const f = makeInstruction(names.unique('fusion'), 'fusion', body.root.shape, outside, { kind: g.kind, calls: body } as never);
    const outs = outputsOf(g);
    const made = [f];
    if (outs.length === 1) replacement.set(g.root, f);
    else outs.forEach((o, k) => {
      const gte = makeInstruction(names.unique('get-tuple-element'), 'get-tuple-element', o.shape, [f], { index: k });
      replacement.set(o, gte);
      made.push(gte);
    });
    const last = outs.reduce((a, b) => (order.get(a)! > order.get(b)! ? a : b));
    placed.set(last, made);
  }

  const replace = (i: Instruction) => replacement.get(i) ?? i;
  const out: Instruction[] = [];
  for (const x of c.instructions) {
    const made = placed.get(x);
    if (made) {
      made[0].operands = made[0].operands.map(replace);
      out.push(...made);
    } else if (kept.has(x) && !replacement.has(x)) {
      if (x.operands.some((o) => replacement.has(o))) x.operands = x.operands.map(replace);
      out.push(x);
    }
  }
  // A user outside of an output that is not the group's last sits before the fusion now.
  c.instructions = groups.some((g) => g.extraOutputs?.length) ? operandsFirst(out) : out;
  c.root = replace(c.root);
  // Callees first: the fused computations in the order their fusions appear.
  const rank = new Map(c.instructions.map((i, k) => [i, k]));
  const callerOf = new Map<Computation, Instruction>();
  for (const made of placed.values()) callerOf.set((made[0].attrs as { calls: Computation }).calls, made[0]);
  return fused.sort((a, b) => rank.get(callerOf.get(a)!)! - rank.get(callerOf.get(b)!)!);
}

/** Which instructions stay in `c`: users first, so each user's fate is known. */
function keptInstructions(
  c: Computation, users: Map<Instruction, Instruction[]>, memberOf: Map<Instruction, FusedGroup[]>, groupOfOutput: Map<Instruction, FusedGroup>,
): Set<Instruction> {
  const kept = new Set<Instruction>();
  for (let k = c.instructions.length - 1; k >= 0; k--) {
    const x = c.instructions[k];
    const gs = memberOf.get(x);
    if (!gs || x === c.root || groupOfOutput.has(x)) { kept.add(x); continue; }
    // Needed by a copy of a user that stays here, or by a group holding a user but not x.
    const needed = (users.get(x) ?? []).some((u) =>
      (kept.has(u) && !groupOfOutput.has(u)) ||
      [...(memberOf.get(u) ?? []), ...(groupOfOutput.has(u) ? [groupOfOutput.get(u)!] : [])].some((g) => !g.members.has(x)));
    if (needed) kept.add(x);
  }
  return kept;
}

function fusedComputation(
  c: Computation, g: FusedGroup, order: Map<Instruction, number>, kept: Set<Instruction>, memberOf: Map<Instruction, FusedGroup[]>,
  names: NameUniquer, compNames: NameUniquer,
): { body: Computation; outside: Instruction[] } {
  // Members in the computation's order (operands before users).
  const members = c.instructions.filter((i) => g.members.has(i));
  // Parameters: what members read from outside, in the computation's order.
  const outside = [...new Set(members.flatMap((x) => x.operands).filter((o) => !g.members.has(o)))].sort((a, b) => order.get(a)! - order.get(b)!);
  const params = outside.map((o, k) => makeInstruction(names.unique(`param_${k}`), 'parameter', o.shape, [], { parameter_number: k }));
  const copy = new Map<Instruction, Instruction>();
  const inner = (o: Instruction): Instruction => copy.get(o) ?? params[outside.indexOf(o)];
  const outs = outputsOf(g);
  for (const x of members) {
    const exclusive = outs.includes(x) || !kept.has(x) && (memberOf.get(x) ?? []).length === 1;
    const attrs = { ...(x.attrs as object) };
    const clone = { ...x, name: exclusive ? x.name : names.unique(x.name), operands: x.operands.map(inner), attrs, raw: [...x.raw] } as Instruction;
    if (x.attrOrder) clone.attrOrder = [...x.attrOrder];
    delete clone.loc;
    copy.set(x, clone);
  }
  const instructions = [...params, ...members.map((x) => copy.get(x)!)];
  let root = copy.get(g.root)!;
  if (outs.length > 1) {
    root = makeInstruction(names.unique('tuple'), 'tuple', tuple(outs.map((o) => o.shape)), outs.map((o) => copy.get(o)!), {});
    instructions.push(root);
  }
  return { body: { name: compNames.unique('fused_computation'), instructions, root, isEntry: false, params }, outside };
}

/** `xs` reordered so that every operand in it comes before its users, otherwise in order. */
function operandsFirst(xs: Instruction[]): Instruction[] {
  const inList = new Set(xs);
  const done = new Set<Instruction>();
  const out: Instruction[] = [];
  const visit = (x: Instruction): void => {
    if (done.has(x)) return;
    done.add(x);
    for (const o of x.operands) if (inList.has(o)) visit(o);
    out.push(x);
  };
  xs.forEach(visit);
  return out;
}
