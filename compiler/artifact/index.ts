// Artifacts: the folder `kiln compile --target wasm` writes, which runs without kiln.
//
//   model.wasm          the kernels and the entry (targets/wasm)
//   model.relaxed.wasm  with --relaxed-simd: the same with fused multiply-adds, for engines
//                         with relaxed SIMD (the runtime's wasmFile() picks which to load)
//   model.json          the manifest: memory layout, input and output tensors, files
//   weights.bin         the constants, unless embedded in model.wasm
//   runtime/core/*.js   the runtime, built once to JavaScript (runtime_files.ts), with its
//   runtime/wasm/*.js     .d.ts: the manifest core every target shares, and runtime/wasm
//   model.js, model.d.ts  a typed wrapper generated with ts-morph (wrapper.ts, wasm.ts):
//                         `load()` and `run()` with the model's input and output names,
//                         dtypes and shapes
//   package.json        `"type": "module"`, so Node reads the .js files as ES modules
//                         wherever the folder is copied
//
// Everything is a pure function of the module and the options: same input, same bytes.
// Tensor names are the source's (passes/lower/io_names.ts), or ONNX's outputs' names.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Program } from '../../ir/kernel/kernel.js';
import type { Module } from '../../ir/module.js';
import type { WasmManifest } from '../../runtime/wasm/manifest.js';
import { compileWasm, gainsFromRelaxedSimd, type WasmArtifact, type WasmOptimize } from '../../targets/wasm/index.js';
import { compileProgram, type CompileOptions } from '../compile.js';
import { assemble } from './assemble.js';
import { wasmArtifact } from './wasm.js';

export { runtimeFiles } from './runtime_files.js';

export interface ArtifactOptions extends CompileOptions {
  /** Build for threads (shared memory); the runtime falls back to one thread where it cannot. */
  threads?: boolean;
  /** Keep the weights in model.wasm (default) or write weights.bin beside it. */
  embedWeights?: boolean;
  /** Output names to use instead of the module's (ONNX graphs name theirs). */
  outputNames?: readonly string[];
  /** The binaryen passes run on the module (default 'cleanup'). */
  binaryen?: WasmOptimize;
  /**
   * Also build model.relaxed.wasm, with relaxed SIMD's fused multiply-add in dots and
   * convolutions (default false). Only where the program has such a multiply-add; the two
   * modules then share one weights.bin rather than each embedding the weights.
   */
  relaxedSimd?: boolean;
}

export interface Artifact {
  /** File name → contents, in a fixed order. */
  files: Map<string, Uint8Array>;
  manifest: WasmManifest;
  /** Bytes of code without weights: the .wasm files (less embedded constants) + runtime + wrapper. */
  codeBytes: number;
}

export function buildArtifact(m: Module, opts: ArtifactOptions = {}): Artifact {
  return packageArtifact(m, compileArtifact(m, opts), opts);
}

/** What compiling makes of a module before it is packaged: the kernel program and its wasm modules. */
export interface CompiledArtifact {
  program: Program;
  wasm: WasmArtifact;
  /** The relaxed-SIMD build of the same program (same manifest), when asked for and it differs. */
  relaxed?: WasmArtifact;
}

/** The compiler's part of an artifact: passes, lowering and binaryen (what `kiln bench` times as compile). */
export function compileArtifact(m: Module, opts: ArtifactOptions = {}): CompiledArtifact {
  const { program } = compileProgram(m, opts);
  const both = (opts.relaxedSimd ?? false) && gainsFromRelaxedSimd(program);
  const base = { shared: opts.threads ?? false, embedConstants: !both && (opts.embedWeights ?? true), optimize: opts.binaryen };
  const wasm = compileWasm(program, base);
  if (!both) return { program, wasm };
  const relaxed = compileWasm(program, { ...base, relaxedSimd: true });
  // One manifest serves both modules: their memory layouts must be the same.
  if (JSON.stringify(relaxed.manifest) !== JSON.stringify(wasm.manifest)) throw new Error(`${program.name}: the relaxed-SIMD build's layout differs from the plain one's`);
  return { program, wasm, relaxed };
}

/** The folder around a compiled module: code, manifest, weights, runtime, typed wrapper, package.json. */
export function packageArtifact(_m: Module, { program, wasm, relaxed }: CompiledArtifact, opts: ArtifactOptions = {}): Artifact {
  const target = wasmArtifact(wasm, relaxed, program.constantsBytes, opts.outputNames);
  return { ...assemble(target), manifest: target.manifest };
}

/** Writes the artifact's files under `dir` (created as needed); returns their paths. */
export function writeArtifact(art: Pick<Artifact, 'files'>, dir: string): string[] {
  return [...art.files].map(([name, bytes]) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  });
}
