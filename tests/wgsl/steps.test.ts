// Control steps (while, switch) on WebGPU: the runtime reads the loop's predicate and the
// switch's index back from the arena that dispatches wrote, between submits, and a
// parallel kernel inside the loop runs as 64 invocations. The program is
// tests/kernel_cases.ts's, as tests/wasm/steps.test.ts runs it on wasm.
import { describe, expect, it } from 'vitest';
import { reference } from '../wasm/harness.js';
import { STEP_CASES, loopAndSwitch, stepCase, stepOutputs } from '../kernel_cases.js';
import { runWebGpu, unavailable } from './harness.js';

describe.skipIf(unavailable)('webgpu control steps', () => {
  const p = loopAndSwitch();
  it.each(STEP_CASES)('n = %i, sel = %i: scale %i', async (n, sel, scale) => {
    const { inputs, want } = stepCase(n, sel, scale);
    expect(stepOutputs(reference(p, inputs))).toEqual(want);
    expect(stepOutputs(await runWebGpu(p, inputs))).toEqual(want);
  });
});
