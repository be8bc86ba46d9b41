// The WGSL target's part of an artifact (assemble.ts): shaders/*.wgsl (one per launch, the
// names the manifest's shaders give), the WebGpuManifest as model.json, weights.bin, the
// runtime folders core and webgpu, and its slots in the typed wrapper (wrapper.ts):
// `load(device, read?)` over runtime/webgpu's loadModel. The wrapper reads the shaders and
// the weights itself, with fetch() beside model.js by default, so that in a browser or Deno
// `load(device)` is all a user writes; where fetch cannot read the folder (Node's file:
// URLs) the caller passes `read`.
import type { Module } from '../../ir/module.js';
import type { WebGpuManifest } from '../../runtime/webgpu/manifest.js';
import { compileWgsl, type WgslArtifact } from '../../targets/wgsl/index.js';
import { WGSL_TARGET } from '../../targets/wgsl/target.js';
import { compileProgram, type CompileOptions } from '../compile.js';
import { assemble, withOutputNames, type TargetArtifact } from './assemble.js';
import type { Artifact } from './index.js';
import type { WrapperTarget } from './wrapper.js';

/** runtime/'s folders a WebGPU artifact ships. */
export const WEBGPU_RUNTIME = ['core', 'webgpu'] as const;

export interface WebGpuArtifactOptions extends CompileOptions {
  /** Output names to use instead of the module's (ONNX graphs name theirs). */
  outputNames?: readonly string[];
}

export interface WebGpuArtifact extends Omit<Artifact, 'manifest'> {
  manifest: WebGpuManifest;
}

/** Passes, lowering for WGSL_TARGET (unless `opts.target` says otherwise) and rendering: what `kiln bench` times as compile. */
export function compileWebGpu(m: Module, opts: WebGpuArtifactOptions = {}): WgslArtifact {
  return compileWgsl(compileProgram(m, { target: WGSL_TARGET, ...opts }).program);
}

/** The folder `kiln compile --target wgsl` writes. */
export function buildWebGpuArtifact(m: Module, opts: WebGpuArtifactOptions = {}): WebGpuArtifact {
  const target = webgpuArtifact(compileWebGpu(m, opts), opts.outputNames);
  return { ...assemble(target), manifest: target.manifest };
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** What a WebGPU artifact holds; the shaders in file-name order, so the folder is the same bytes every time. */
export function webgpuArtifact(art: WgslArtifact, outputNames?: readonly string[]): TargetArtifact<WebGpuManifest> {
  const manifest = withOutputNames(art.manifest, outputNames);
  const code = [...art.shaders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, wgsl]) => [file, text(wgsl)] as const);
  // Weights live in weights.bin, never in the code: embeddedWeightBytes is 0.
  return { manifest, code, weights: art.weights, runtime: WEBGPU_RUNTIME, wrapper: webgpuWrapper(manifest), embeddedWeightBytes: 0 };
}

/** What the WebGPU wrapper imports, declares and defines besides the shared parts. */
export function webgpuWrapper(man: WebGpuManifest): WrapperTarget {
  return {
    imports: [
      { moduleSpecifier: './runtime/webgpu/index.js', namedImports: ['loadModel', 'type Model'] },
      { moduleSpecifier: './runtime/webgpu/manifest.js', namedImports: ['type WebGpuManifest'] },
    ],
    manifestType: 'WebGpuManifest',
    manifestDoc: 'The shaders, dispatches and where each tensor lives in the arena (model.json holds the same).',
    modelProperties: [],
    disposeDoc: 'Destroys the GPU buffers (the device stays the caller\'s).',
    functions: [readFileFunction(), loadFunction(man)],
  };
}

/** `readFile(name)`: a file of this folder, fetched beside model.js (a browser, Deno). */
function readFileFunction(): WrapperTarget['functions'][number] {
  return {
    name: 'readFile', isExported: true, isAsync: true,
    docs: ['A file of this folder (a shader, the weights), fetched relative to model.js: works in a browser and in Deno.'],
    parameters: [{ name: 'name', type: 'string' }],
    returnType: 'Promise<Uint8Array>',
    statements: [
      'const url = new URL(name, import.meta.url);',
      'const res = await fetch(url);',
      'if (!res.ok) throw new Error(`kiln model ${manifest.name}: ${url.href}: HTTP ${res.status}`);',
      'return new Uint8Array(await res.arrayBuffer());',
    ],
  };
}

function loadFunction(man: WebGpuManifest): WrapperTarget['functions'][number] {
  const files = [`${man.shaders.length} shader${man.shaders.length === 1 ? '' : 's'}`, ...(man.weights ? [man.weights] : [])].join(' and ');
  return {
    name: 'load', isExported: true, isAsync: true,
    docs: [[
      `Loads ${man.name} on \`device\`: reads its ${files}, uploads the weights, creates every pipeline.`,
      '@param device any GPUDevice: a browser\'s (navigator.gpu), Deno\'s',
      '@param read reads a file of this folder by its name in the manifest (default readFile: fetch beside model.js)',
    ].join('\n')],
    parameters: [
      { name: 'device', type: 'GPUDevice' },
      { name: 'read', type: '(name: string) => Promise<Uint8Array>', initializer: 'readFile' },
    ],
    returnType: 'Promise<CompiledModel>',
    statements: [
      'const weightsFile = manifest.weights;',
      // All files at once: over HTTP, one round trip rather than one per file.
      'const [weights, texts] = await Promise.all([',
      '  weightsFile === undefined ? undefined : read(weightsFile),',
      '  Promise.all(manifest.shaders.map(async (s) => [s.file, new TextDecoder().decode(await read(s.file))] as const)),',
      ']);',
      'const model: Model = await loadModel(device, manifest, { shader: Object.fromEntries(texts), weights });',
      'return {',
      '  run: async (inputs: Inputs) => (await model.run(inputs as unknown as Record<string, ArrayBufferView>)) as unknown as Outputs,',
      '  dispose: () => model.dispose(),',
      '};',
    ],
  };
}
