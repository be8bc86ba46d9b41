// The manifest core: what every kiln artifact's manifest (model.json) says whatever its
// target — its format, its name, its input and output tensors, its weights file — and the
// checks of those parts that every runtime runs before trusting the numbers. Each target
// extends it with what only it needs: runtime/wasm/manifest.ts with the linear-memory
// layout and its module files, runtime/webgpu/manifest.ts with regions, shaders and steps.
// Depends on nothing; targets import these types only, which erase.
import { ELEMENT_BYTES, elementCount, type DType } from './dtype.js';

/** One input or output of a compiled model. */
export interface TensorSpec {
  /** The source model's name for it (a parameter, the root, an ONNX output). */
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  /** Bytes the tensor occupies: at least its elements' bytes (a target may pad). */
  readonly bytes: number;
}

/** `kiln-<target>/<version>`: a runtime refuses a format or version it does not know. */
export type ManifestFormat = `kiln-${string}/${number}`;

export interface ManifestCore<T extends TensorSpec = TensorSpec> {
  readonly format: ManifestFormat;
  /** The model's name (the HLO module's, the ONNX graph's). */
  readonly name: string;
  readonly inputs: readonly T[];
  readonly outputs: readonly T[];
  /**
   * The file, beside the manifest, that holds the constants' bytes; absent when the code
   * holds them or no constant has data. The code files themselves (wasm modules, WGSL
   * shaders) are named by each target's own fields, and checked with checkFile().
   */
  readonly weights?: string;
}

/** Refusals in one voice: `kiln <target>: <model>: manifest <what> <why>`. */
export interface ManifestChecker {
  bad(what: string, why: string): never;
  /** `x` as a size or offset: an integer in [0, max]. */
  size(what: string, x: unknown): number;
}

/**
 * A checker for `m`. The compiler does not write bad manifests; these checks guard against
 * a damaged or hand-edited model.json before its numbers become a huge allocation, a copy
 * out of bounds, or a fetch of a file outside the artifact.
 */
export function manifestChecker(target: string, m: { readonly name?: unknown }, max: number): ManifestChecker {
  const bad = (what: string, why: string): never => { throw new RangeError(`kiln ${target}: ${String(m.name)}: manifest ${what} ${why}`); };
  const size = (what: string, x: unknown): number =>
    typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= max ? x : bad(what, `is ${JSON.stringify(x)}, not an integer in [0, ${max === 2 ** 32 ? '2^32' : max}]`);
  return { bad, size };
}

/**
 * Checks every input and output's dtype, dims and byte size against each other; returns
 * them (inputs first) for the target to check where each lives.
 */
export function checkTensors<T extends TensorSpec>(m: ManifestCore<T>, c: ManifestChecker): readonly T[] {
  const all = [...(m.inputs ?? c.bad('inputs', 'are missing')), ...(m.outputs ?? c.bad('outputs', 'are missing'))];
  for (const t of all) checkTensor(t, c);
  return all;
}

function checkTensor(t: TensorSpec, c: ManifestChecker): void {
  const what = `tensor '${t.name}'`;
  // hasOwn: a dtype like 'constructor' must not find Object.prototype's.
  const per = Object.hasOwn(ELEMENT_BYTES, t.dtype) ? ELEMENT_BYTES[t.dtype] : c.bad(what, `has unknown dtype ${JSON.stringify(t.dtype)}`);
  if (!Array.isArray(t.dims)) c.bad(what, 'has no dims');
  t.dims.forEach((d, i) => c.size(`${what} dim ${i}`, d));
  const count = elementCount(t.dims);
  if (c.size(`${what} bytes`, t.bytes) < count * per) c.bad(what, `is ${t.bytes} bytes, too few for ${count} ${t.dtype} elements`);
}

/**
 * `file` as the name of a file inside the artifact: relative, '/'-separated, no '..' or
 * '.' segments, no scheme. A loader joins it to the artifact's URL or folder, so a name
 * that climbs out would fetch what the artifact never shipped.
 */
export function checkFile(c: ManifestChecker, what: string, file: unknown): string {
  const ok = typeof file === 'string' && file !== '' && !/[\\:?#]/.test(file) && !file.startsWith('/')
    && file.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
  return ok ? file : c.bad(what, `is ${JSON.stringify(file)}, not a file name inside the artifact`);
}
