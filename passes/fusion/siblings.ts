// Sibling multi-output fusion (XLA's multi_output_fusion, the sibling case): two reduce
// fusions (kInput) with the same output dims that read the same large operand become one
// fusion with a tuple root, so one kernel reads that operand for both (a row's max and
// sum, batch statistics Σx and Σx² over the batch). loop_kernel.ts computes a tuple of
// same-dims outputs at each output index in one kernel; row reductions each vectorise
// along their row, which the first has just brought into cache.
import type { Instruction } from '../../ir/module.js';
import type { Shape } from '../../ir/shape.js';
import { convex } from './convex.js';

export interface SiblingGroup {
  root: Instruction;
  members: Set<Instruction>;
  copies: Set<Instruction>;
  kind: string;
  extraOutputs?: Instruction[];
}

/** Outputs one merged fusion may have. */
const MAX_OUTPUTS = 4;

const count = (s: Shape): number => (s.kind === 'array' ? s.dims.reduce((a, b) => a * b, 1) : 0);
const sameDims = (a: Shape, b: Shape): boolean =>
  a.kind === 'array' && b.kind === 'array' && a.dims.length === b.dims.length && a.dims.every((d, k) => d === b.dims[k]);

/** What the group reads from outside that is larger than its output. */
function largeInputs(g: SiblingGroup): Set<Instruction> {
  const out = new Set<Instruction>();
  for (const x of g.members) for (const o of x.operands) if (!g.members.has(o) && count(o.shape) > count(g.root.shape)) out.add(o);
  return out;
}

/** Merges sibling kInput groups in place of the originals; returns the groups left. */
export function mergeSiblings<G extends SiblingGroup>(groups: G[], users: Map<Instruction, Instruction[]>): G[] {
  const left = [...groups];
  for (let a = 0; a < left.length; a++) {
    for (let b = a + 1; b < left.length; b++) {
      const g = left[a], h = left[b];
      if (!siblings(g, h)) continue;
      const merged = { ...g, members: new Set([...g.members, ...h.members]), copies: new Set([...g.copies, ...h.copies]), extraOutputs: [...(g.extraOutputs ?? []), h.root] };
      if (!convex(merged, users)) continue;
      left[a] = merged;
      left.splice(b--, 1);
    }
  }
  return left;
}

function siblings(g: SiblingGroup, h: SiblingGroup): boolean {
  if (g.kind !== 'kInput' || h.kind !== 'kInput' || (h.extraOutputs?.length ?? 0) > 0) return false;
  if ((g.extraOutputs?.length ?? 0) + 2 > MAX_OUTPUTS || !sameDims(g.root.shape, h.root.shape)) return false;
  // Independent: neither reads what the other computes (else it is a producer-consumer pair).
  if ([...h.members].some((x) => g.members.has(x) && !g.copies.has(x) && !h.copies.has(x))) return false;
  const reads = (p: SiblingGroup, q: SiblingGroup) => [...p.members].some((x) => x.operands.some((o) => q.members.has(o) && !p.members.has(o)));
  if (reads(g, h) || reads(h, g)) return false;
  const shared = largeInputs(h);
  return [...largeInputs(g)].some((o) => shared.has(o));
}
