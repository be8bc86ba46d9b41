// One property test per opcode with a batching rule, the list read from the rule table:
// vmap of a small module, with several in-axes and out-axes, against running the module
// once per example and stacking the results.
import { describe, expect, it } from 'vitest';
import type { Opcode } from '../../ir/opcodes.js';
import { RULES } from '../../passes/batching/index.js';
import { isNotBatchable } from '../../passes/batching/types.js';
import { CASES } from './cases.js';
import { axesVariants, checkVmap, outAxesVariants } from './harness.js';

const withRules = (Object.keys(RULES) as Opcode[]).filter((op) => !isNotBatchable(RULES[op]));
const SIZE = 3;

describe('every batching rule has a case', () => {
  it.each(withRules)('%s', (op) => {
    expect(CASES[op]?.length ?? 0, `no test case for the batching rule of '${op}'`).toBeGreaterThan(0);
  });
});

describe('vmap per opcode, against per-example runs', () => {
  it.each(withRules)('%s', (op) => {
    (CASES[op] ?? []).forEach((cs, k) => {
      const m = cs.module();
      for (const inAxes of cs.axes ?? axesVariants(m))
        for (const outAxes of outAxesVariants(m))
          checkVmap(m, inAxes, SIZE, outAxes, { seed: 7 + k, tol: cs.tol, shapesOnly: cs.shapesOnly, inputs: cs.inputs });
    });
  });
});
