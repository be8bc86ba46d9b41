// The wasm target's part of an artifact: its module files and its slots in the typed
// wrapper (wrapper.ts) — `load(wasm, weights, threads)` over runtime/wasm's loadModel,
// `wasmFile()` that picks the relaxed-SIMD build where the engine has it, and `threads`.
import type { WasmManifest } from '../../runtime/wasm/manifest.js';
import type { WrapperTarget } from './wrapper.js';

/** runtime/'s folders a wasm artifact ships. */
export const WASM_RUNTIME = ['core', 'wasm'] as const;

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
