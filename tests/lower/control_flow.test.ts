// Lowering of while and conditional: the steps it makes (the swap through temporaries),
// and the golden control-flow cases on wasm with two threads, where every thread must
// read the same predicate and index.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { compareLiterals, leavesOf } from '../../compiler/compare.js';
import { prepareWasm } from '../../compiler/wasm_backend.js';
import type { Step } from '../../ir/kernel/kernel.js';
import { printProgram } from '../../ir/kernel/print.js';
import { loadCases } from '../golden/harness.js';

const cases = new Map(loadCases().map((c) => [c.name, c]));

/** Steps as one line each: kernel names for launches (minus their k<n>_ prefix), control flow by its buffer. */
function outline(steps: readonly Step[], names: (k: number) => string, bufs: (id: number) => string, indent = ''): string[] {
  return steps.flatMap((s): string[] => {
    if (s.k === 'launch') return [`${indent}${names(s.kernel).replace(/^k\d+_/, '')}(${s.args.map(bufs).join(', ')})`];
    if (s.k === 'while') return [`${indent}while ${bufs(s.pred)}`, ...outline(s.cond, names, bufs, indent + '  cond '), ...outline(s.body, names, bufs, indent + '  body ')];
    return [`${indent}switch ${bufs(s.index)}`, ...s.branches.flatMap((b, i) => outline(b, names, bufs, `${indent}  ${i}: `))];
  });
}

describe('control flow lowering', () => {
  it('copies the init into the loop state, computes in place where it can, and swaps through temporaries', () => {
    const { program: p } = compileProgram(cases.get('while_swap')!.module);
    const name = (id: number) => `${p.buffers[id].name}@${p.buffers[id].offset}`;
    expect(outline(p.steps, (k) => p.kernels[k].name, name)).toEqual([
      // The state is the while's own buffers (w@192 the counter, w@256, w@320, w@384 the arrays).
      'copy(w@192, zero@0)', 'copy(w@256, pa@0)', 'copy(w@320, pb@64)', 'copy(w@384, pc@128)',
      'while fusion@448',
      '  cond fusion(fusion@448, w@192)',
      // The counter is read only by the add that makes the next one: computed in place.
      '  body fusion_1(w@192)',
      // b and a are each other's slots: both are read into temporaries before either is written.
      '  body copy(w.next@576, w@320)',
      '  body copy(w.next@640, w@256)',
      '  body copy(w@256, w.next@576)',
      '  body copy(w@320, w.next@640)',
      // The third array is passed through in its own slot: no copy.
    ]);
  });

  it('prints steps nested, control flow by the buffer it reads', () => {
    const text = (name: string) => printProgram(compileProgram(cases.get(name)!.module).program).split('\n\n').at(-1);
    // acc + i1 is computed in place into acc's slot (1); i1 cannot be (the acc update reads
    // the old i after it), so it is computed aside and copied back.
    expect(text('while_sum')).toBe(`launch k0_copy(0, 2)
launch k1_copy(1, 2)
while {
  launch k2_fusion(3, 0)
} (fusion#3) {
  launch k3_i1(5, 0, 4)
  launch k4_fusion_1(1, 0)
  launch k5_copy(0, 5)
}
`);
    // Each branch computes its result straight into the conditional's buffer (2, then 4).
    expect(text('conditional_pred')).toBe(`launch k0_np(1, 0)
switch pred p#0 {
case 0:
  launch k1_n(2, 3)
case 1:
  launch k2_fusion(2, 3)
}
switch pred np#1 {
case 0:
  launch k3_n(4, 3)
case 1:
  launch k4_fusion(4, 3)
}
`);
  });

  it.each(['while_sum', 'while_swap', 'while_dot', 'while_reverse', 'while_nested', 'while_in_conditional', 'conditional_pred', 'conditional_index', 'tuple_params'])(
    '%s runs on wasm with 2 threads', async (name) => {
      const c = cases.get(name)!;
      const exe = await prepareWasm(c.module, { threads: 2 });
      try {
        const got = leavesOf(await exe.run(c.inputs)).map((l) => l.value);
        const bad = got.flatMap((g, i) => compareLiterals(g, c.outputs[i], c.tolerance)).filter((d) => !d.ok);
        expect(bad).toEqual([]);
      } finally {
        exe.model.dispose();
      }
    });
});
