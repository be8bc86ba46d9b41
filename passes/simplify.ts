// Algebraic simplification, after XLA's AlgebraicSimplifier: a table of small named
// rewrite rules (passes/simplify_rules.ts), applied in sweeps over each computation
// until none fires. A rule returns the instruction that takes over (an existing one, or
// new ones it made through `make`); the sweep drops any answer whose shape or layout
// differs from the original's, so no rule can change what a computation returns.
// Instructions a rule leaves without users stay until DCE removes them.
import type { Instruction, Module } from '../ir/module.js';
import type { OpAttrs, Opcode } from '../ir/opcodes.js';
import type { Shape } from '../ir/shape.js';
import { cloneModule, makeInstruction, moduleNames, sweep } from './rewrite.js';
import { RULES } from './simplify_rules.js';

/** What a rule may do besides looking: make new instructions (placed before the one rewritten). */
export interface RuleContext {
  make<K extends Opcode>(opcode: K, shape: Shape, operands: Instruction[], attrs: OpAttrs<K>, raw?: Instruction['raw']): Instruction;
}

export interface Rule {
  readonly name: string;
  /** The opcodes of the instruction the rule rewrites. */
  readonly opcodes: readonly Opcode[];
  /** The replacement, or undefined when the rule does not apply. */
  apply(i: Instruction, ctx: RuleContext): Instruction | undefined;
}

/** Sweeps per computation before giving up on a fixed point (each sweep must change something). */
const MAX_SWEEPS = 64;

export function simplify(input: Module, rules: readonly Rule[] = RULES): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  const byOpcode = new Map<Opcode, Rule[]>();
  for (const r of rules) for (const op of r.opcodes) byOpcode.set(op, [...(byOpcode.get(op) ?? []), r]);
  for (const c of m.computations)
    for (let s = 0; s < MAX_SWEEPS; s++) {
      const applied = sweep(c, (i) => {
        for (const rule of byOpcode.get(i.opcode) ?? []) {
          const added: Instruction[] = [];
          const ctx: RuleContext = {
            make: (opcode, shape, operands, attrs, raw = []) => {
              const n = makeInstruction(names.unique(opcode), opcode, shape, operands, attrs, raw);
              added.push(n);
              return n;
            },
          };
          const replacement = rule.apply(i, ctx);
          if (replacement) return { replacement, added };
        }
        return undefined;
      });
      if (applied === 0) break;
    }
  return m;
}

/** Used by tests and docs: the rule names in table order. */
export const ruleNames = (rules: readonly Rule[] = RULES): string[] => rules.map((r) => r.name);
