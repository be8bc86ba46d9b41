// Every golden case on every backend that can run here. A backend that is absent
// (no GPU, no browser) is skipped with its reason, never silently passed.
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../compiler/backend.js';
import { NotCompiled } from '../../passes/lower/errors.js';
import { loadCases, runCase } from './harness.js';

const cases = loadCases();

/**
 * Cases the compiled backends (everything but the interpreter) do not compile yet, with
 * the opcode they stop at. A case that starts compiling must be taken off this list,
 * and one that stops compiling fails: the list cannot drift.
 */
const NOT_COMPILED: Record<string, string> = {
};

describe.each(BACKENDS.map((b) => [b.name, b] as const))('golden on %s', async (name, backend) => {
  const why = await backend.unavailable();
  it.skipIf(why !== undefined).each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const expected = name === 'interpreter' ? undefined : NOT_COMPILED[c.name];
    let diffs;
    try {
      diffs = await runCase(backend, c);
    } catch (e) {
      if (expected && e instanceof NotCompiled && e.opcode === expected) return;
      throw e;
    }
    expect(expected, `${c.name} compiles now: take it off NOT_COMPILED`).toBeUndefined();
    for (const d of diffs)
      expect(d, `output ${d.index} ${d.shape}: max abs ${d.maxAbs} max rel ${d.maxRel} (${c.source})`).toMatchObject({ ok: true });
  });
});

it('has golden cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(10);
});
