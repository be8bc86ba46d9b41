// Artifacts: the folder `kiln compile --target wasm` writes, which runs without kiln.
//
//   model.wasm          the kernels and the entry (targets/wasm)
//   model.relaxed.wasm  with --relaxed-simd: the same with fused multiply-adds, for engines
//                         with relaxed SIMD (the runtime's wasmFile() picks which to load)
//   model.json          the manifest: memory layout, input and output tensors
//   weights.bin         the constants, unless embedded in model.wasm
//   runtime/*.js        runtime/wasm, transpiled to JavaScript (and their .d.ts)
//   model.js, model.d.ts  a typed wrapper generated with ts-morph: `load()` and `run()`
//                         with the model's input and output names, dtypes and shapes
//   package.json        `"type": "module"`, so Node reads the .js files as ES modules
//                         wherever the folder is copied
//
// Everything is a pure function of the module and the options: same input, same bytes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Project, ts, VariableDeclarationKind } from 'ts-morph';
import type { Program } from '../ir/kernel/kernel.js';
import type { Module } from '../ir/module.js';
import { ARRAY_OF } from '../runtime/wasm/index.js';
import type { WasmManifest, WasmTensor } from '../runtime/wasm/manifest.js';
import { compileWasm, gainsFromRelaxedSimd, type WasmArtifact, type WasmOptimize } from '../targets/wasm/index.js';
import { compileProgram, type CompileOptions } from './compile.js';

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

const RUNTIME_DIR = join(import.meta.dirname, '..', 'runtime', 'wasm');
/** runtime/wasm's files, shipped in every artifact. */
const RUNTIME_MODULES = ['index', 'inputs', 'manifest'];
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

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

/** The folder around a compiled module: manifest, weights, runtime, typed wrapper, package.json. */
export function packageArtifact(m: Module, { program, wasm: art, relaxed }: CompiledArtifact, opts: ArtifactOptions = {}): Artifact {
  const modules = relaxed ? { simd128: 'model.wasm', relaxedSimd: 'model.relaxed.wasm' } : { simd128: 'model.wasm' };
  const manifest = { ...renameOutputs(art.manifest, opts.outputNames), modules };
  const files = new Map<string, Uint8Array>();
  files.set('model.wasm', art.wasm);
  if (relaxed) files.set('model.relaxed.wasm', relaxed.wasm);
  files.set('model.json', text(JSON.stringify(manifest, null, 2) + '\n'));
  if (art.weights) files.set('weights.bin', art.weights);
  for (const [name, body] of runtimeFiles()) files.set(`runtime/${name}`, text(body));
  for (const [name, body] of wrapperFiles(manifest, art.weights !== undefined)) files.set(name, text(body));
  files.set('package.json', text(JSON.stringify({ name: packageName(m.name), private: true, type: 'module', main: 'model.js', types: 'model.d.ts' }, null, 2) + '\n'));
  const embedded = art.weights ? 0 : program.constantsBytes;
  let codeBytes = art.wasm.byteLength - embedded + (relaxed?.wasm.byteLength ?? 0);
  for (const [name, body] of files) if (name.endsWith('.js')) codeBytes += body.byteLength;
  return { files, manifest, codeBytes };
}

/** Writes the artifact's files under `dir` (created as needed); returns their paths. */
export function writeArtifact(art: Artifact, dir: string): string[] {
  return [...art.files].map(([name, bytes]) => {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  });
}

const packageName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';

function renameOutputs(man: WasmManifest, names: readonly string[] | undefined): WasmManifest {
  if (!names) return man;
  if (names.length !== man.outputs.length) throw new Error(`${names.length} output names for ${man.outputs.length} outputs`);
  return { ...man, outputs: man.outputs.map((o, i): WasmTensor => ({ ...o, name: names[i] })) };
}

/** runtime/wasm as ES modules (`index.js`, `manifest.js`): TypeScript's own transpiler, no bundler. */
export function runtimeFiles(): [string, string][] {
  const out: [string, string][] = [];
  for (const name of RUNTIME_MODULES) {
    const source = readFileSync(join(RUNTIME_DIR, `${name}.ts`), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: EMIT_OPTIONS }).outputText;
    out.push([`${name}.js`, js]);
  }
  return out;
}


const propName = (n: string): string => (/^[A-Za-z_$][\w$]*$/.test(n) ? n : JSON.stringify(n));
const doc = (t: WasmTensor): string => `${t.dtype}[${t.dims.join(', ')}] (${t.dims.reduce((a, b) => a * b, 1)} elements)`;

/** model.js and model.d.ts: the typed wrapper, generated with ts-morph; and the runtime's .d.ts. */
function wrapperFiles(man: WasmManifest, separateWeights: boolean): [string, string][] {
  const project = new Project({ useInMemoryFileSystem: true });
  const f = project.createSourceFile('model.ts', '', { overwrite: true });
  f.addStatements(`// Generated by kiln for '${man.name}'. Do not edit; recompile instead.`);
  f.addImportDeclaration({ moduleSpecifier: './runtime/index.js', namedImports: ['loadModel', 'wasmFile as pickFile', 'type Model'] });
  f.addImportDeclaration({ moduleSpecifier: './runtime/manifest.js', namedImports: ['type WasmManifest'] });
  f.addInterface({
    name: 'Inputs', isExported: true,
    docs: [`Inputs of ${man.name}, by the model's parameter names.`],
    properties: man.inputs.map((t) => ({ name: propName(t.name), type: ARRAY_OF[t.dtype].name, docs: [doc(t)] })),
  });
  f.addInterface({
    name: 'Outputs', isExported: true,
    docs: [`Outputs of ${man.name}.`],
    properties: man.outputs.map((t) => ({ name: propName(t.name), type: ARRAY_OF[t.dtype].name, docs: [doc(t)] })),
  });
  f.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const, isExported: true,
    declarations: [{ name: 'manifest', type: 'WasmManifest', initializer: JSON.stringify(man) }],
    docs: ['Where each tensor lives in the module\'s memory (model.json holds the same).'],
  });
  f.addInterface({
    name: 'CompiledModel', isExported: true,
    properties: [{ name: 'threads', type: 'number', isReadonly: true }],
    methods: [
      { name: 'run', parameters: [{ name: 'inputs', type: 'Inputs' }], returnType: 'Promise<Outputs>', docs: ['Runs the model once.'] },
      { name: 'dispose', returnType: 'void', docs: ['Stops worker threads.'] },
    ],
  });
  f.addFunction({
    name: 'wasmFile', isExported: true, returnType: 'string',
    docs: [man.modules?.relaxedSimd
      ? `The module file to load on this engine: ${man.modules.relaxedSimd} where it has relaxed SIMD, else ${man.modules.simd128}.`
      : `The module file to load: ${man.modules?.simd128 ?? 'model.wasm'}.`],
    statements: ['return pickFile(manifest);'],
  });
  f.addFunction({
    name: 'load', isExported: true, isAsync: true,
    docs: [[
      `Loads ${man.name}.`,
      '@param wasm the bytes of the file wasmFile() names (or a compiled WebAssembly.Module)',
      separateWeights ? '@param weights the bytes of weights.bin' : '@param weights unused: the weights are inside model.wasm',
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
  });
  const source = f.getFullText();
  const out: [string, string][] = [
    ['model.js', ts.transpileModule(source, { compilerOptions: EMIT_OPTIONS }).outputText],
    ['model.d.ts', declarations('model.ts', source)],
  ];
  for (const name of RUNTIME_MODULES) out.push([`runtime/${name}.d.ts`, declarations(`${name}.ts`, readFileSync(join(RUNTIME_DIR, `${name}.ts`), 'utf8'))]);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

const EMIT_OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, removeComments: false };

/**
 * A file's .d.ts from its text alone (TypeScript's isolated declarations): every export
 * carries its type, so no type checker and no lib files are loaded. A full emit took
 * about 1.5 s per compile, most of it reading lib.dom.d.ts.
 */
function declarations(fileName: string, source: string): string {
  const r = ts.transpileDeclaration(source, {
    fileName, reportDiagnostics: true,
    compilerOptions: { ...EMIT_OPTIONS, declaration: true, isolatedDeclarations: true, strict: true },
  });
  const problem = r.diagnostics?.[0];
  if (problem) throw new Error(`${fileName}: no declarations without a type checker: ${ts.flattenDiagnosticMessageText(problem.messageText, ' ')}`);
  return r.outputText;
}
