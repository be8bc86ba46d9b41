// Every golden case on every backend that can run here. A backend that is absent
// (no GPU, no browser) is skipped with its reason, never silently passed.
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, type Executable } from '../../compiler/backend.js';
import { NotCompiled } from '../../passes/lower/errors.js';
import { NotSupported } from '../../targets/wgsl/errors.js';
import { loadCases, runCase, type GoldenCase } from './harness.js';

const cases = loadCases();

/**
 * Cases the compiled backends (everything but the interpreter) do not compile yet, with
 * the opcode they stop at. A case that starts compiling must be taken off this list,
 * and one that stops compiling fails: the list cannot drift.
 */
const NOT_COMPILED: Record<string, string> = {
};

/**
 * Cases the webgpu backend refuses, each with the reason its error must give (the
 * targets/wgsl NotSupported message). WGSL has no 64-bit types: s64 and u64 are emulated
 * on vec2<u32>, f64 has no faithful emulation, so kernels that compute in f64 are refused
 * by name. A listed case that runs fails, as does one that fails otherwise: the list
 * cannot drift.
 */
const WEBGPU_NOT_SUPPORTED: Record<string, string> = {
  dot_f64: 'f64 buffer d: WGSL has no 64-bit floats',
  f64_convert: 'f64 buffer x: WGSL has no 64-bit floats',
  f64_math: 'f64 buffer e: WGSL has no 64-bit floats',
  u64_to_float: 'f64 buffer d: WGSL has no 64-bit floats',
};

describe.each(BACKENDS.map((b) => [b.name, b] as const))('golden on %s', async (name, backend) => {
  const why = await backend.unavailable();
  // A backend that prepares many modules at once (cuda-cpu: one g++ call) prepares them all first.
  let prepared: Map<GoldenCase, Executable | Error> | undefined;
  beforeAll(async () => {
    if (why !== undefined || !backend.prepareMany) return;
    const exes = await backend.prepareMany(cases.map((c) => c.module));
    prepared = new Map(cases.map((c, i) => [c, exes[i]]));
  }, 300_000);
  it.skipIf(why !== undefined).each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const refused = name === 'webgpu' ? WEBGPU_NOT_SUPPORTED[c.name] : undefined;
    if (refused) {
      const err = await runCase(backend, c).then(() => undefined, (e: unknown) => e);
      expect(err, `${c.name} runs on webgpu now: take it off WEBGPU_NOT_SUPPORTED`).toBeInstanceOf(NotSupported);
      expect((err as Error).message).toContain(refused);
      return;
    }
    const expected = name === 'interpreter' ? undefined : NOT_COMPILED[c.name];
    let diffs;
    try {
      diffs = await runCase(backend, c, prepared?.get(c));
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
