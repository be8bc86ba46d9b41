// The wasm target's part of an artifact (assemble.ts): model.wasm (and model.relaxed.wasm),
// the manifest with its module files, and its slots in the typed wrapper (wrapper.ts) —
// `load(wasm, weights, threads)` over runtime/wasm's loadModel, `wasmFile()` that picks
// the relaxed-SIMD build where the engine has it, and `threads`.
import type { WasmManifest } from '../../runtime/wasm/manifest.js';
import type { WasmArtifact } from '../../targets/wasm/index.js';
import { withOutputNames, type TargetArtifact } from './assemble.js';
import type { WrapperTarget } from './wrapper.js';

/** runtime/'s folders a wasm artifact ships. */
export const WASM_RUNTIME = ['core', 'wasm'] as const;

const WEIGHTS_FILE = 'weights.bin';

/**
 * What a wasm artifact holds, from the plain module and, where built, the relaxed-SIMD one
 * (which shares its manifest and weights). `constantsBytes`: the program's, which the plain
 * module holds when it embeds them. `outputNames`: ONNX's, to use instead of the program's.
 */
export function wasmArtifact(plain: WasmArtifact, relaxed: WasmArtifact | undefined, constantsBytes: number, outputNames?: readonly string[]): TargetArtifact<WasmManifest> {
  const modules = relaxed ? { simd128: 'model.wasm', relaxedSimd: 'model.relaxed.wasm' } : { simd128: 'model.wasm' };
  const manifest: WasmManifest = { ...withOutputNames(plain.manifest, outputNames), ...(plain.weights ? { weights: WEIGHTS_FILE } : {}), modules };
  const code: [string, Uint8Array][] = [['model.wasm', plain.wasm]];
  if (relaxed) code.push(['model.relaxed.wasm', relaxed.wasm]);
  return {
    manifest, code, weights: plain.weights, runtime: WASM_RUNTIME, wrapper: wasmWrapper(manifest),
    embeddedWeightBytes: plain.weights ? 0 : constantsBytes,
  };
}

/** What the wasm wrapper imports, declares and defines besides the shared parts. */
export function wasmWrapper(man: WasmManifest): WrapperTarget {
  const separateWeights = man.weights !== undefined;
  return {
    imports: [
      { moduleSpecifier: './runtime/wasm/index.js', namedImports: ['loadModel', 'wasmFile as pickFile', 'type Model'] },
      { moduleSpecifier: './runtime/wasm/manifest.js', namedImports: ['type WasmManifest'] },
    ],
    manifestType: 'WasmManifest',
    manifestDoc: 'Where each tensor lives in the module\'s memory (model.json holds the same).',
    modelProperties: [{ name: 'threads', type: 'number', isReadonly: true }],
    disposeDoc: 'Stops worker threads.',
    functions: [
      {
        name: 'wasmFile', isExported: true, returnType: 'string',
        docs: [man.modules?.relaxedSimd
          ? `The module file to load on this engine: ${man.modules.relaxedSimd} where it has relaxed SIMD, else ${man.modules.simd128}.`
          : `The module file to load: ${man.modules?.simd128 ?? 'model.wasm'}.`],
        statements: ['return pickFile(manifest);'],
      },
      {
        name: 'load', isExported: true, isAsync: true,
        docs: [[
          `Loads ${man.name}.`,
          '@param wasm the bytes of the file wasmFile() names (or a compiled WebAssembly.Module)',
          separateWeights ? `@param weights the bytes of ${man.weights}` : '@param weights unused: the weights are inside model.wasm',
          '@param threads threads to run on: an integer ≥ 1 (default 1; needs a build with --threads and a host with SharedArrayBuffer;',
          '  more than the host\'s hardware threads are clamped to that number, and model.threads says how many run)',
        ].join('\n')],
        parameters: [
          { name: 'wasm', type: 'BufferSource | WebAssembly.Module' },
          { name: 'weights', type: 'Uint8Array | undefined', initializer: 'undefined' },
          { name: 'threads', type: 'number', initializer: '1' },
        ],
        returnType: 'Promise<CompiledModel>',
        statements: [
          'const model: Model = await loadModel(wasm, manifest, { weights, threads });',
          'return {',
          '  threads: model.threads,',
          '  run: async (inputs: Inputs) => (await model.run(inputs as unknown as Record<string, never>)) as unknown as Outputs,',
          '  dispose: () => model.dispose(),',
          '};',
        ],
      },
    ],
  };
}
