import { describe, it } from 'vitest';
import { WINDOW_CASES } from './cases_window.js';
import { checkJvp, checkVjp } from './harness.js';

describe('autodiff: windows, gather, scatter', () => {
  for (const cases of Object.values(WINDOW_CASES))
    for (const c of cases ?? []) {
      it(`${c.name}: vjp`, () => checkVjp(c));
      it(`${c.name}: jvp`, () => checkJvp(c));
    }
});
