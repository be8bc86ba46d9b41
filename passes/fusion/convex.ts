// Convexity of a fusion group: fusing a group that a path leaves and re-enters would make a cycle.
import type { Instruction } from '../../ir/module.js';

/** A group's instructions, and which of them are copies (the original stays for users outside). */
export interface GroupMembers {
  readonly members: ReadonlySet<Instruction>;
  readonly copies: ReadonlySet<Instruction>;
}

/** No path from a member of `g` leaves it and comes back to a member. */
export function convex(g: GroupMembers, users: ReadonlyMap<Instruction, readonly Instruction[]>): boolean {
  const seen = new Set<Instruction>();
  const stack = [...g.members].filter((m) => !g.copies.has(m)).flatMap((m) => (users.get(m) ?? []).filter((u) => !g.members.has(u)));
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const u of users.get(x) ?? []) {
      if (g.members.has(u)) return false;
      stack.push(u);
    }
  }
  return true;
}
