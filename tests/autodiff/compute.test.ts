import { describe, it } from 'vitest';
import { COMPUTE_CASES } from './cases_compute.js';
import { checkJvp, checkVjp } from './harness.js';

describe('autodiff: dot, reduce, convolution', () => {
  for (const cases of Object.values(COMPUTE_CASES))
    for (const c of cases ?? []) {
      it(`${c.name}: vjp`, () => checkVjp(c));
      it(`${c.name}: jvp`, () => checkJvp(c));
    }
});
