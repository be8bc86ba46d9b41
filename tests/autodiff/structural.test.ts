import { describe, it } from 'vitest';
import { STRUCTURAL_CASES } from './cases_structural.js';
import { checkJvp, checkVjp } from './harness.js';

describe('autodiff: structural rules', () => {
  for (const cases of Object.values(STRUCTURAL_CASES))
    for (const c of cases ?? []) {
      it(`${c.name}: vjp`, () => checkVjp(c));
      it(`${c.name}: jvp`, () => checkJvp(c));
    }
});
