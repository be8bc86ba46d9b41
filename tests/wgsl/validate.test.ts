// Every shader the golden suite generates compiles on naga (Deno's WebGPU) with no error or
// warning, including shaders of cases whose results only the golden suite checks; and the
// runtime rejects a broken shader naming it, instead of running without it.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { bridge } from '../../compiler/webgpu/bridge.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { NotSupported } from '../../targets/wgsl/errors.js';
import { loadCases } from '../golden/harness.js';
import { unavailable } from './harness.js';

describe.skipIf(unavailable)('naga', () => {
  it('compiles every golden shader cleanly', async () => {
    const shaders: Record<string, string> = {};
    let refused = 0;
    for (const c of loadCases()) {
      try {
        for (const [file, text] of compileWgsl(compileProgram(c.module, { target: WGSL_TARGET }).program).shaders) shaders[`${c.name}/${file}`] = text;
      } catch (e) {
        if (!(e instanceof NotSupported)) throw e;
        refused++; // f64 cases: golden.test.ts lists each with its reason
      }
    }
    expect(Object.keys(shaders).length).toBeGreaterThan(50);
    expect(refused).toBeLessThanOrEqual(4);
    const b = bridge();
    const { reply } = await b.request({ id: b.id(), op: 'validate', shaders });
    const dirty = Object.entries(reply.messages ?? {}).filter(([, m]) => m.length > 0);
    expect(Object.keys(reply.messages ?? {}).length).toBe(Object.keys(shaders).length);
    expect(dirty).toEqual([]);
  });

  it('rejects a model whose shader does not compile, naming the shader', async () => {
    const art = compileWgsl(compileProgram(loadCases().find((c) => c.name === 'softmax')!.module, { target: WGSL_TARGET }).program);
    const file = art.manifest.shaders[1].file;
    const shaders = { ...Object.fromEntries(art.shaders), [file]: art.shaders.get(file)!.replace('bitcast<f32>', 'bitcast<f33>') };
    const b = bridge();
    await expect(b.request({ id: b.id(), op: 'load', manifest: art.manifest, shaders })).rejects.toThrow(file);
  });
});
