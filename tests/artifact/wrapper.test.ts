// The typed wrapper's shared part with a target other than wasm in its slots: the webgpu
// shape the slot is meant for (load takes a GPUDevice), so the generator is known to need
// nothing of wasm's.
import { describe, expect, it } from 'vitest';
import { wrapperFiles, type WrapperTarget } from '../../compiler/artifact/wrapper.js';
import type { ManifestCore } from '../../runtime/core/manifest.js';

const manifest: ManifestCore = {
  format: 'kiln-webgpu/1', name: 'tiny', weights: 'weights.bin',
  inputs: [{ name: 'x', dtype: 'f32', dims: [2, 3], bytes: 24 }, { name: 'layer.0/ids', dtype: 's32', dims: [4], bytes: 16 }],
  outputs: [{ name: 'probs', dtype: 'f16', dims: [2], bytes: 4 }],
};

const webgpu: WrapperTarget = {
  imports: [
    { moduleSpecifier: './runtime/webgpu/index.js', namedImports: ['loadModel'] },
    { moduleSpecifier: './runtime/webgpu/manifest.js', namedImports: ['type WebGpuManifest'] },
  ],
  manifestType: 'WebGpuManifest',
  manifestDoc: 'Buffers, shaders and dispatches (model.json holds the same).',
  modelProperties: [],
  disposeDoc: 'Destroys the GPU buffers.',
  functions: [{
    name: 'load', isExported: true, isAsync: true, returnType: 'Promise<CompiledModel>',
    parameters: [{ name: 'device', type: 'GPUDevice' }, { name: 'weights', type: 'Uint8Array | undefined', initializer: 'undefined' }],
    statements: ['return (await loadModel(device, manifest, { weights })) as unknown as CompiledModel;'],
  }],
};

describe('the typed wrapper, target-neutral part', () => {
  it("declares the tensors' names and typed arrays, the manifest, and the target's load()", () => {
    const files = new Map(wrapperFiles(manifest, webgpu));
    expect([...files.keys()]).toEqual(['model.d.ts', 'model.js']);
    const types = files.get('model.d.ts')!;
    expect(types).toContain('import { type WebGpuManifest } from "./runtime/webgpu/manifest.js";');
    expect(types).toMatch(/interface Inputs \{[^}]*\n\s*x: Float32Array;[^}]*\n\s*"layer\.0\/ids": Int32Array;/);
    expect(types).toMatch(/interface Outputs \{[^}]*\n\s*probs: Uint16Array;/);
    expect(types).toContain('f16[2] (2 elements)');
    expect(types).toContain('export declare const manifest: WebGpuManifest;');
    expect(types).toContain('export declare function load(device: GPUDevice, weights?: Uint8Array | undefined): Promise<CompiledModel>;');
    expect(types).not.toMatch(/threads|wasm/i);
    const js = files.get('model.js')!;
    expect(js).toContain('import { loadModel } from "./runtime/webgpu/index.js";');
    expect(js).toContain('"format": "kiln-webgpu/1"');
    // The same bytes every time.
    expect(new Map(wrapperFiles(manifest, webgpu))).toEqual(files);
  });
});
