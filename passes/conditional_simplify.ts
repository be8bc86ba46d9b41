// Conditional simplification (XLA's ConditionalSimplifier, its first rule): a
// `conditional` whose selector is a constant runs the one branch it selects, so it becomes
// a `call` of that branch on that branch's operand, and the call is inlined. pred true
// selects branch 0, false branch 1; an s32 index outside [0, N) selects the last.
import { branchIndex } from '../ir/kernel/kernel.js';
import type { Instruction, Module } from '../ir/module.js';
import { callInline } from './call_inline.js';
import { arrayValues, cloneModule, makeInstruction, moduleNames, sweep } from './rewrite.js';

export function conditionalSimplify(input: Module): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  let changed = 0;
  for (const c of m.computations)
    changed += sweep(c, (i) => {
      if (i.opcode !== 'conditional') return undefined;
      const taken = constantBranch(i);
      if (taken === undefined) return undefined;
      const call = makeInstruction(names.unique(`${i.name}.taken`), 'call', i.shape, [i.operands[taken.index + 1]], { to_apply: taken.computation });
      return { replacement: call, added: [call] };
    });
  return changed > 0 ? callInline(m) : m;
}

/** The branch a conditional with a constant selector runs, or undefined. */
function constantBranch(i: Extract<Instruction, { opcode: 'conditional' }>) {
  const sel = i.operands[0];
  if (sel.opcode !== 'constant') return undefined;
  const lit = arrayValues(sel.attrs.literal);
  const { true_computation: t, false_computation: f, branch_computations: bs } = i.attrs;
  const branches = t && f ? [t, f] : bs ?? [];
  if (!lit || branches.length === 0 || (lit.shape.dtype !== 'pred' && lit.shape.dtype !== 's32')) return undefined;
  const index = branchIndex(lit.shape.dtype, Number(lit.data[0]), branches.length);
  return { index, computation: branches[index] };
}
