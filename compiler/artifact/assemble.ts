// The folder every target's artifact is, from what the target made: its code files, its
// manifest, its weights, the runtime folders it ships and its wrapper slots. What differs
// by target is in TargetArtifact; the layout, the order of files and package.json are
// written here once, so that every target's artifact is laid out and reproducible alike.
import type { ManifestCore, TensorSpec } from '../../runtime/core/manifest.js';
import { runtimeFiles } from './runtime_files.js';
import type { WrapperTarget } from './wrapper.js';
import { wrapperFiles } from './wrapper.js';

/** A target's part of an artifact. */
export interface TargetArtifact<M extends ManifestCore> {
  /** The manifest, written as model.json and into the wrapper; its `weights` names the weights file. */
  readonly manifest: M;
  /** The code files (wasm modules, WGSL shaders), by name, in a fixed order. */
  readonly code: readonly (readonly [string, Uint8Array])[];
  /** Files compiled from the code (CUDA's model.ptx): shipped after it, not counted in codeBytes again. */
  readonly builds?: readonly (readonly [string, Uint8Array])[];
  /** The weights file's bytes, when the code does not hold them. */
  readonly weights?: Uint8Array;
  /** runtime/'s folders the artifact ships (wasm: core and wasm). */
  readonly runtime: readonly string[];
  readonly wrapper: WrapperTarget;
  /** Bytes of the code files that are weights (constants embedded in a module), left out of codeBytes. */
  readonly embeddedWeightBytes: number;
  /** npm packages the shipped runtime imports (cuda: koffi, its way to the driver), for package.json. */
  readonly dependencies?: Readonly<Record<string, string>>;
}

export interface AssembledArtifact {
  /** File name → contents, in a fixed order. */
  files: Map<string, Uint8Array>;
  /** Bytes of code without weights: the code files (less embedded weights) + runtime .js + model.js. */
  codeBytes: number;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The artifact's files: code, model.json, weights, runtime/, model.js + model.d.ts, package.json. */
export function assemble<M extends ManifestCore>(t: TargetArtifact<M>): AssembledArtifact {
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of [...t.code, ...(t.builds ?? [])]) files.set(name, bytes);
  files.set('model.json', text(JSON.stringify(t.manifest, null, 2) + '\n'));
  if (t.weights) {
    if (t.manifest.weights === undefined) throw new Error(`${t.manifest.name}: weights without a file name in the manifest`);
    files.set(t.manifest.weights, t.weights);
  }
  for (const [name, bytes] of runtimeFiles(t.runtime)) files.set(`runtime/${name}`, bytes);
  for (const [name, body] of wrapperFiles(t.manifest, t.wrapper)) files.set(name, text(body));
  const dependencies = t.dependencies ? { dependencies: t.dependencies } : {};
  files.set('package.json', text(JSON.stringify({ name: packageName(t.manifest.name), private: true, type: 'module', main: 'model.js', types: 'model.d.ts', ...dependencies }, null, 2) + '\n'));
  let codeBytes = -t.embeddedWeightBytes;
  for (const [name] of t.code) codeBytes += files.get(name)!.byteLength;
  for (const [name, body] of files) if (name.endsWith('.js')) codeBytes += body.byteLength;
  return { files, codeBytes };
}

/** `man` with its outputs renamed (ONNX graphs name theirs); unchanged without names. */
export function withOutputNames<T extends TensorSpec, M extends ManifestCore<T>>(man: M, names: readonly string[] | undefined): M {
  if (!names) return man;
  if (names.length !== man.outputs.length) throw new Error(`${names.length} output names for ${man.outputs.length} outputs`);
  return { ...man, outputs: man.outputs.map((o, i): T => ({ ...o, name: names[i] })) };
}

const packageName = (name: string): string => name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
