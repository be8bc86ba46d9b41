// The wasm backend: compile (passes, lowering, targets/wasm) and run through the same
// runtime an artifact ships (runtime/wasm), so tests exercise what users run.
import type { Literal } from '../ir/literal.js';
import type { Module } from '../ir/module.js';
import { loadModel, type Model, type TypedArray } from '../runtime/wasm/index.js';
import { compileWasm } from '../targets/wasm/index.js';
import type { Backend, Executable } from './backend.js';
import { compileProgram, type CompileOptions } from './compile.js';
import { inputBytes, readOutput, resultLiteral } from './program_io.js';

export interface WasmBackendOptions extends CompileOptions {
  threads?: number;
}

/** Compiles `m` to a loaded wasm model; inputs and outputs by position. */
export async function prepareWasm(m: Module, opts: WasmBackendOptions = {}): Promise<Executable & { model: Model }> {
  const { program } = compileProgram(m, opts);
  const threads = opts.threads ?? 1;
  const art = compileWasm(program, { shared: threads > 1 });
  const model = await loadModel(art.wasm, art.manifest, { threads, weights: art.weights });
  return {
    model,
    run: async (args: readonly Literal[]) => {
      const inputs = inputBytes(program, args).map(({ bytes }, i) => typed(bytes, art.manifest.inputs[i].dtype));
      const out = await model.run(inputs);
      const leaves = art.manifest.outputs.map((t, i) => {
        const v = out[t.name];
        const raw = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        // readOutput decodes by the program buffer's dtype and dims from offset 0 of `raw`.
        return readOutput({ ...program, buffers: program.buffers.map((b) => (b.id === program.outputs[i].buffer ? { ...b, offset: 0 } : b)) }, i, raw);
      });
      return resultLiteral(m.entry.root.shape, leaves);
    },
  };
}

function typed(bytes: Uint8Array, dtype: string): TypedArray {
  const copy = bytes.slice().buffer;
  switch (dtype) {
    case 'f32': return new Float32Array(copy);
    case 's32': return new Int32Array(copy);
    case 'u32': return new Uint32Array(copy);
    case 's8': return new Int8Array(copy);
    case 'u8': case 'pred': return new Uint8Array(copy);
    case 's16': return new Int16Array(copy);
    default: return new Uint16Array(copy);
  }
}

export const wasmBackend: Backend = {
  name: 'wasm',
  unavailable: async () => (typeof WebAssembly === 'undefined' ? 'no WebAssembly in this host' : undefined),
  prepare: async (m) => {
    const exe = await prepareWasm(m);
    return { run: (args) => exe.run(args) };
  },
};
