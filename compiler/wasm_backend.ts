// The wasm backend: compile (passes, lowering, targets/wasm) and run through the same
// runtime an artifact ships (runtime/wasm), so tests exercise what users run.
import type { Literal } from '../ir/literal.js';
import type { Module } from '../ir/module.js';
import { ARRAY_OF, hasRelaxedSimd, loadModel, type Model } from '../runtime/wasm/index.js';
import { compileWasm, type WasmArtifact } from '../targets/wasm/index.js';
import { WASM_TARGET } from '../targets/wasm/target.js';
import type { Backend, Executable } from './backend.js';
import { compileProgram, type CompileOptions } from './compile.js';
import { inputBytes, readOutput, resultLiteral } from './program_io.js';

/** `target` may be a variation of wasm's description (other tiles); it is wasm's by default, whatever the driver's default. */
export interface WasmBackendOptions extends CompileOptions {
  threads?: number;
  /** Use relaxed SIMD's fused multiply-add (default: where this engine has relaxed SIMD, as a JIT targets its host). */
  relaxedSimd?: boolean;
}

/** Compiles `m` to a loaded wasm model; inputs and outputs by position. */
export async function prepareWasm(m: Module, opts: WasmBackendOptions = {}): Promise<Executable & { model: Model; artifact: WasmArtifact }> {
  const { program } = compileProgram(m, { ...opts, target: opts.target ?? WASM_TARGET });
  const threads = opts.threads ?? 1;
  const art = compileWasm(program, { shared: threads > 1, relaxedSimd: opts.relaxedSimd ?? hasRelaxedSimd() });
  const model = await loadModel(art.wasm, art.manifest, { threads, weights: art.weights });
  return {
    model,
    artifact: art,
    run: async (args: readonly Literal[]) => {
      // Each input's bytes are a fresh buffer of exactly its size: view them as the runtime wants.
      const inputs = inputBytes(program, args).map(({ bytes }, i) => new ARRAY_OF[art.manifest.inputs[i].dtype](bytes.buffer));
      const out = await model.run(inputs);
      const leaves = art.manifest.outputs.map((t, i) => {
        const v = out[t.name];
        return readOutput(program, i, new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 0);
      });
      return resultLiteral(m.entry.root.shape, leaves);
    },
  };
}

export const wasmBackend: Backend = {
  name: 'wasm',
  unavailable: async () => (typeof WebAssembly === 'undefined' ? 'no WebAssembly in this host' : undefined),
  prepare: async (m) => {
    const exe = await prepareWasm(m);
    return { run: (args) => exe.run(args) };
  },
};
