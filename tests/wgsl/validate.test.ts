// Every shader the golden suite generates (golden_shaders.ts) compiles on naga (Deno's WebGPU)
// with no error or warning, including shaders of cases whose results only the golden suite
// checks, and so does every shader of the GPU schedules' property suite; and the runtime rejects a broken shader naming it, instead of running without it.
// Tint (Chromium) checks the same shaders: tests/browser/tint.test.ts.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { bridge } from '../../compiler/webgpu/bridge.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { loadCases } from '../golden/harness.js';
import { goldenShaders, MAX_REFUSED, propertyShaders } from './golden_shaders.js';
import { unavailable } from './harness.js';

/** naga gives no error or warning for any of `shaders` (text by name). */
async function expectClean(shaders: Record<string, string>): Promise<void> {
  const b = bridge();
  const { reply } = await b.request({ id: b.id(), op: 'validate', shaders });
  const dirty = Object.entries(reply.messages ?? {}).filter(([, m]) => m.length > 0);
  expect(Object.keys(reply.messages ?? {}).length).toBe(Object.keys(shaders).length);
  expect(dirty).toEqual([]);
}

describe.skipIf(unavailable)('naga', () => {
  it('compiles every golden shader cleanly', async () => {
    const { shaders: list, refused } = goldenShaders();
    const shaders = Object.fromEntries(list.map((s) => [s.name, s.code]));
    expect(list.length).toBeGreaterThan(50);
    expect(refused.length).toBeLessThanOrEqual(MAX_REFUSED);
    await expectClean(shaders);
  });

  it("compiles every shader of the GPU schedules' property suite cleanly", async () => {
    await expectClean(Object.fromEntries(propertyShaders().map((s) => [s.name, s.code])));
  });

  it('rejects a model whose shader does not compile, naming the shader', async () => {
    const art = compileWgsl(compileProgram(loadCases().find((c) => c.name === 'softmax')!.module, { target: WGSL_TARGET }).program);
    const file = art.manifest.shaders[1].file;
    const shaders = { ...Object.fromEntries(art.shaders), [file]: art.shaders.get(file)!.replace('bitcast<f32>', 'bitcast<f33>') };
    const b = bridge();
    await expect(b.request({ id: b.id(), op: 'load', manifest: art.manifest, shaders })).rejects.toThrow(file);
  });
});
