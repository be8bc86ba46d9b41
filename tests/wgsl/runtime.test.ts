// runtime/webgpu on its own, in Deno as an artifact's user runs it (runtime_deno.ts): inputs
// by name, by position and as GPUBuffers, outputs as typed arrays and as GPUBuffers, and the
// errors that must reject (naming the model or the shader) instead of returning zeros; and
// s64/u64 tensors as BigInt64Array/BigUint64Array (runtime_deno_int64.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { denoBinary } from '../../compiler/webgpu/bridge.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { program } from '../wasm/harness.js';
import { unavailable } from './harness.js';

describe.skipIf(unavailable)('runtime/webgpu', () => {
  it('runs with arrays and GPUBuffers, and rejects what it cannot run', () => {
    const i = b.variable('i');
    const p = program('double', [{ name: 'x', dtype: 'f32', size: 8, role: 'input' }, { name: 'y', dtype: 'f32', size: 8, role: 'output' }],
      [{ name: 'fusion.1', args: ['x', 'y'], body: [b.loop('i', 0, 8, [b.store(1, i, b.binary('multiply', b.load(0, i, 'f32'), b.constant('f32', 2)))], 'parallel')] }]);
    const art = compileWgsl(p);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-webgpu-'));
    writeFileSync(join(dir, 'artifact.json'), JSON.stringify({ manifest: art.manifest, shaders: Object.fromEntries(art.shaders) }));
    const env = { ...process.env, DENO_WEBGPU_BACKEND: process.env.DENO_WEBGPU_BACKEND ?? 'vulkan', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? dir };
    const script = join(import.meta.dirname, 'runtime_deno.ts');
    const stdout = execFileSync(denoBinary()!, ['run', '--quiet', '--sloppy-imports', '--no-lock', '--no-config', '--allow-read', script, join(dir, 'artifact.json')],
      { env, encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    const want = [2, -4, 6, -8, 10, -12, 14, -16];
    expect(out.byName).toEqual(want);
    expect(out.byPosition).toEqual(want);
    expect(out.gpuBuffers).toEqual(want);
    expect(out.wrongSize).toBe('kiln model double: input x (f32[8]) needs 32 bytes, got 12');
    expect(out.missingInput).toBe('kiln model double: missing input x');
    expect(out.badShader).toMatch(/^kiln model double: shaders\/fusion_1\.wgsl: \d+:\d+: \S/);
    expect(out.badBinding).toMatch(/^kiln model double: shaders\/fusion_1\.wgsl: validation error: /);
    expect(out.badFeature).toBe('kiln model double: the device lacks no-such-feature');
    expect(out.disposed).toBe('kiln model double: disposed');
  });

  it('takes s64 inputs as BigInt64Array and gives u64 outputs as BigUint64Array (two words an element)', () => {
    const i = b.variable('i');
    const p = program('wide', [{ name: 'x', dtype: 's64', size: 8, role: 'input' }, { name: 'y', dtype: 'u64', size: 8, role: 'output' }],
      [{ name: 'fusion.1', args: ['x', 'y'], body: [b.loop('i', 0, 8, [b.store(1, i, b.convert(b.binary('multiply', b.load(0, i, 's64'), b.constant('s64', 3n)), 'u64'))], 'parallel')] }]);
    const art = compileWgsl(p);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-webgpu-'));
    writeFileSync(join(dir, 'artifact.json'), JSON.stringify({ manifest: art.manifest, shaders: Object.fromEntries(art.shaders) }));
    const env = { ...process.env, DENO_WEBGPU_BACKEND: process.env.DENO_WEBGPU_BACKEND ?? 'vulkan', XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? dir };
    const script = join(import.meta.dirname, 'runtime_deno_int64.ts');
    const stdout = execFileSync(denoBinary()!, ['run', '--quiet', '--sloppy-imports', '--no-lock', '--no-config', '--allow-read', script, join(dir, 'artifact.json')],
      { env, encoding: 'utf8', timeout: 60_000 });
    const xs = [-(2n ** 63n), -1n, 0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, 4294967296n, -4294967297n];
    expect(JSON.parse(stdout)).toEqual({ kind: 'BigUint64Array', y: xs.map((v) => String(BigInt.asUintN(64, v * 3n))) });
  });
});
