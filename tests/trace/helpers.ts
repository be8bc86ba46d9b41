// Shared checks for the traced array API's tests.
import { expect } from 'vitest';
import type { Tensor } from '../../compiler/frontends/trace/tensor.js';

/** The tensor's shape and values (interpreter) equal `shape` and `values` (to `digits` decimals for floats). */
export function expectValues(t: Tensor, shape: readonly number[], values: readonly number[], digits = 5): void {
  expect(t.shape).toEqual([...shape]);
  const got = Array.from(t.dataSync() as ArrayLike<number>, Number);
  expect(got.length).toBe(values.length);
  got.forEach((v, i) => {
    if (Number.isNaN(values[i])) expect(v).toBeNaN();
    else expect(v, `element ${i}`).toBeCloseTo(values[i], digits);
  });
}


/** The values (interpreter) as JS numbers. */
export const values = (t: Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>, Number);
