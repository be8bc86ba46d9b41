// kiln: the same .onnx file compiled ahead of time to one wasm module and run through
// the runtime an artifact ships: runtime/wasm/index.js as `kiln compile` writes it,
// imported from bench/out/kiln/runtime/. Compile time is reported separately from cold start
// (load + first run), as `kiln compile` happens before shipping.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildArtifact, runtimeFiles } from '../../compiler/artifact/index.js';
import { WASM_RUNTIME } from '../../compiler/artifact/wasm.js';
import { loadModel as loadModule } from '../../compiler/load.js';
import { OUT_DIR } from '../models.js';
import type { BenchModel, Prepared, Runner } from '../runner.js';

type Runtime = typeof import('../../runtime/wasm/index.js');

export interface KilnBenchOptions {
  /** false measures kiln with the fusion pass off (`--no-fusion`). */
  fusion?: boolean;
  /**
   * false measures model.wasm alone (plain SIMD128); otherwise the artifact is built with
   * `--relaxed-simd` and runs the module its wasmFile() picks for this engine.
   */
  relaxedSimd?: boolean;
}

/** Writes the runtime files an artifact ships and imports them; returns the runtime and its files. */
async function shippedRuntime(): Promise<{ runtime: Runtime; files: string[] }> {
  const dir = join(OUT_DIR, 'kiln', 'runtime');
  const written = runtimeFiles(WASM_RUNTIME).map(([name, body]) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
    return join(dir, name);
  });
  const runtime = (await import(pathToFileURL(join(dir, 'wasm', 'index.js')).href)) as Runtime;
  // The code a page downloads: the .js files (the .d.ts are for the developer's editor).
  return { runtime, files: written.filter((f) => f.endsWith('.js')) };
}

export async function createKiln(threads: number, opts: KilnBenchOptions = {}): Promise<Runner> {
  const fusion = opts.fusion ?? true, relaxedSimd = opts.relaxedSimd ?? true;
  const { runtime, files } = await shippedRuntime();
  const simd = relaxedSimd ? (runtime.hasRelaxedSimd() ? 'relaxed SIMD (fma)' : 'SIMD128: this engine has no relaxed SIMD') : 'SIMD128 only';
  return {
    name: !fusion ? 'kiln-nofusion' : relaxedSimd ? 'kiln' : 'kiln-simd128',
    threads,
    runtimeFiles: files,
    note: `kiln wasm, ${fusion ? 'default passes' : 'fusion off'}, ${simd}; its .wasm is per model (in the code column)`,
    async prepare(model: BenchModel): Promise<Prepared> {
      if (!model.onnx) throw new Error(`${model.name}: kiln runner reads the ONNX form`);
      const t0 = performance.now();
      const { module } = loadModule(model.onnx);
      const art = buildArtifact(module, { threads: threads > 1, fusion, relaxedSimd });
      const compileMs = performance.now() - t0;
      const manifest = art.manifest;
      const m = await runtime.loadModel(art.files.get(runtime.wasmFile(manifest))!, manifest, { threads, weights: art.files.get('weights.bin') });
      return {
        compileMs,
        // What the artifact ships without weights: its .wasm files less constants, runtime/*.js, model.js.
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
