// Control steps (while, switch) on the reference executor and on wasm, on 1 and 2 threads:
// the loop's predicate and the switch's index are read from memory that kernels wrote, a
// parallel kernel inside the loop is split over threads, and every thread must take the
// same branch each time.
import { describe, expect, it } from 'vitest';
import { reference, runWasm } from './harness.js';
import { STEP_CASES, loopAndSwitch, stepCase, stepOutputs } from '../kernel_cases.js';

describe('control steps', () => {
  const p = loopAndSwitch();
  it.each(STEP_CASES)('n = %i, sel = %i: scale %i', async (n, sel, scale) => {
    const { inputs, want } = stepCase(n, sel, scale);
    expect(stepOutputs(reference(p, inputs))).toEqual(want);
    for (const threads of [1, 2]) {
      const got = await runWasm(p, inputs, { shared: threads > 1, threads });
      expect(stepOutputs(got), `${threads} threads`).toEqual(want);
    }
  });
});
