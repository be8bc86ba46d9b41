// The names a compiled program gives its inputs and outputs: the source module's, so that
// a wrapper's `probs` stays `probs` whatever the passes did to the graph (fusion replaces
// the root with `fusion.4`, whose number moves whenever fusion decisions do). The driver
// takes them from the module it was given, before any pass runs.
//
//   inputs    a parameter's name; a tuple parameter's leaves `p.1.0` (its index path)
//   outputs   an array root: the root's name. A tuple root: each leaf is named after the
//             operand that makes it, followed through nested tuples (`ROOT t = tuple(a, b)`
//             gives `a`, `b`); a leaf of an operand that is itself tuple-shaped but no
//             tuple instruction (a while, a call) is `<operand>.<index path>`.
//             Leaves whose names would repeat (`tuple(a, a)`) are `<root>.<index path>`
//             (`t.0`, `t.1`) instead.
//   any       a name that still repeats (a source name that looks like a generated one)
//             gets `_2`, `_3`, ... appended at its later occurrences.
import type { Instruction, Module } from '../../ir/module.js';
import { leafPaths } from '../buffer_liveness.js';

export interface IONames {
  /** One per array leaf of the entry's parameters, in order. */
  readonly inputs: readonly string[];
  /** One per array leaf of the entry's root, in order. */
  readonly outputs: readonly string[];
}

export function ioNames(m: Module): IONames {
  const inputs = m.entry.params.flatMap((p) => leafPaths(p.shape).map((path) => dotted(p.name, path)));
  return { inputs: distinct(inputs), outputs: distinct(outputNames(m.entry.root)) };
}

function outputNames(root: Instruction): string[] {
  const paths = leafPaths(root.shape);
  const named = paths.map((path) => leafName(root, path));
  const count = new Map<string, number>();
  for (const n of named) count.set(n, (count.get(n) ?? 0) + 1);
  return named.map((n, j) => (count.get(n)! > 1 ? dotted(root.name, paths[j]) : n));
}

/** The name of `instr`'s leaf at `path`, after the instruction that makes it. */
function leafName(instr: Instruction, path: readonly number[]): string {
  if (path.length === 0) return instr.name;
  if (instr.opcode === 'tuple') return leafName(instr.operands[path[0]], path.slice(1));
  return dotted(instr.name, path);
}

const dotted = (name: string, path: readonly number[]): string => [name, ...path].join('.');

/** `names` with later repeats suffixed `_2`, `_3`, ...: unique, and unchanged where already so. */
function distinct(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((n) => {
    if (!seen.has(n)) {
      seen.add(n);
      return n;
    }
    let k = 2;
    while (taken.has(`${n}_${k}`)) k++;
    taken.add(`${n}_${k}`);
    return `${n}_${k}`;
  });
}
