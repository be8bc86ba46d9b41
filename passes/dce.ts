// Dead code elimination: in each computation keep what its root needs, its parameters,
// and instructions with side effects (and what they need); then keep the computations
// that the entry still calls, directly or through other computations.
import { calledComputations, type Computation, type Instruction, type Module } from '../ir/module.js';
import { cloneModule, hasSideEffect, removeDead } from './rewrite.js';

export function dce(input: Module): Module {
  const m = cloneModule(input);
  for (const c of m.computations) removeDead(c, hasSideEffect);
  const live = liveComputations(m);
  m.computations = m.computations.filter((c) => live.has(c));
  return m;
}

/** The entry and everything it calls. Raw attributes (`calls=` of an async op) count by name. */
function liveComputations(m: Module): Set<Computation> {
  const byName = new Map(m.computations.map((c) => [c.name, c]));
  const live = new Set<Computation>();
  const stack = [m.entry];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (live.has(c)) continue;
    live.add(c);
    for (const i of c.instructions) stack.push(...calledComputations(i), ...namedInRaw(i, byName));
  }
  return live;
}

function namedInRaw(i: Instruction, byName: Map<string, Computation>): Computation[] {
  const out: Computation[] = [];
  for (const r of i.raw)
    for (const word of r.text.match(/[%A-Za-z_][\w.\-]*/g) ?? []) {
      const c = byName.get(word.replace(/^%/, ''));
      if (c) out.push(c);
    }
  return out;
}
