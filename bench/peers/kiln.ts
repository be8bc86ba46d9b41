// kiln: the same .onnx file compiled ahead of time to one wasm module and run through
// the runtime an artifact ships (runtime/wasm). Compile time is reported separately
// from cold start (load + first run), as `kiln compile` happens before shipping.
import { join } from 'node:path';
import { buildArtifact } from '../../compiler/artifact.js';
import { loadModel as loadModule } from '../../compiler/load.js';
import { loadModel } from '../../runtime/wasm/index.js';
import type { BenchModel, Prepared, Runner } from '../runner.js';

const RUNTIME = join(import.meta.dirname, '..', '..', 'runtime', 'wasm');

export interface KilnBenchOptions {
  /** false measures kiln with the fusion pass off (`--no-fusion`). */
  fusion?: boolean;
}

export async function createKiln(threads: number, opts: KilnBenchOptions = {}): Promise<Runner> {
  const fusion = opts.fusion ?? true;
  return {
    name: fusion ? 'kiln' : 'kiln-nofusion',
    threads,
    runtimeFiles: [join(RUNTIME, 'index.ts'), join(RUNTIME, 'manifest.ts')],
    note: fusion ? 'kiln wasm, default passes' : 'kiln wasm, fusion off',
    async prepare(model: BenchModel): Promise<Prepared> {
      if (!model.onnx) throw new Error(`${model.name}: kiln runner reads the ONNX form`);
      const t0 = performance.now();
      const { module } = loadModule(model.onnx);
      const art = buildArtifact(module, { threads: threads > 1, fusion });
      const compileMs = performance.now() - t0;
      const manifest = art.manifest;
      const m = await loadModel(art.files.get('model.wasm')!, manifest, { threads });
      return {
        compileMs,
        codeBytes: art.codeBytes,
        async run(inputs) {
          const out = await m.run(inputs);
          return manifest.outputs.map((t) => out[t.name] as Float32Array);
        },
        async dispose() {
          m.dispose();
        },
      };
    },
  };
}
