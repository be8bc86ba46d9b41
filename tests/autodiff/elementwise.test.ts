import { describe, it } from 'vitest';
import { ELEMENTWISE_CASES } from './cases_elementwise.js';
import { checkJvp, checkVjp } from './harness.js';

describe('autodiff: elementwise rules', () => {
  for (const [op, cases] of Object.entries(ELEMENTWISE_CASES))
    for (const c of cases ?? []) {
      it(`${c.name}: vjp`, () => checkVjp(c));
      it(`${c.name}: jvp`, () => checkJvp(c));
    }
});
