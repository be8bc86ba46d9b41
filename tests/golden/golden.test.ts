// Every golden case on every backend that can run here. A backend that is absent
// (no GPU, no browser) is skipped with its reason, never silently passed.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../compiler/backend.js';
import { loadCases, runCase } from './harness.js';

const cases = loadCases();

describe.each(BACKENDS.map((b) => [b.name, b] as const))('golden on %s', async (_name, backend) => {
  const why = await backend.unavailable();
  it.skipIf(why !== undefined).each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const diffs = await runCase(backend, c);
    for (const d of diffs)
      expect(d, `output ${d.index} ${d.shape}: max abs ${d.maxAbs} max rel ${d.maxRel} (${c.source})`).toMatchObject({ ok: true });
  });
});

it('has golden cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(10);
});
