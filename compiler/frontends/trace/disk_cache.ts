// jit's on-disk cache, under the in-memory one (executables.ts): a wasm module compiled in
// one process is loaded by the next straight from a file with runtime/wasm's loadModel,
// without binaryen or the compiler's passes (binaryen's load alone is ~1.5 s). Node only;
// imported only when a folder is set (config.ts), and every node: module dynamically, so
// the library still bundles for a browser.
//
// One file per entry, `<key>.kwasm`: a JSON header line (the manifest, the byte counts and
// the SHA-256 of what follows), then the wasm bytes, then the weights. The key hashes what
// decides those bytes: the module's HLO text, the options, and kiln's version. Written to
// a temporary file and renamed, so a reader sees a whole entry or none, and concurrent
// writers of one key (which write the same bytes) are harmless; a truncated or damaged
// entry fails its checks, counts as a miss, and is written again.
import type { Module } from '../../../ir/module.js';
import type { WasmManifest, Model } from '../../../runtime/wasm/index.js';
import { wasmPrepared, type Prepared } from '../../api/compile.js';

/** Bump when the entry's layout changes: old entries then miss. */
const ENTRY_FORMAT = 'kiln-jit-cache/1';

/** What decides a compiled module's bytes, besides its text. */
export interface KeyParts {
  /** kiln's version (package.json). */
  version: string;
  /** A shared-memory build (threads > 1). */
  shared: boolean;
  relaxedSimd: boolean;
  fusion: boolean;
  aliases: readonly { output: number; param: number }[];
}

interface Entry {
  wasm: Uint8Array;
  manifest: WasmManifest;
  weights?: Uint8Array;
}

interface Header {
  format: string;
  key: string;
  manifest: WasmManifest;
  wasmBytes: number;
  weightsBytes: number;
  sha256: string;
}

/** The entry's key: SHA-256 (hex) of the module text and the parts. */
export async function cacheKey(text: string, parts: KeyParts): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { version, shared, relaxedSimd, fusion, aliases } = parts;
  const head = JSON.stringify({ format: ENTRY_FORMAT, version, backend: 'wasm', shared, relaxedSimd, fusion, aliases });
  return createHash('sha256').update(head).update('\n').update(text).digest('hex');
}

/** The wasm executable for `m` (printed as `text`) from `dir`, or compiled and written there. */
export async function cachedWasm(dir: string, m: Module, text: string, settings: { threads?: number; aliases?: readonly { output: number; param: number }[] }): Promise<Prepared> {
  const [{ hasRelaxedSimd, loadModel }, { join }] = await Promise.all([import('../../../runtime/wasm/index.js'), import('node:path')]);
  const threads = settings.threads ?? 1;
  const version = await kilnVersion();
  const parts: KeyParts = { version: version ?? '', shared: threads > 1, relaxedSimd: hasRelaxedSimd(), fusion: true, aliases: settings.aliases ?? [] };
  const key = await cacheKey(text, parts);
  const file = join(dir, `${key}.kwasm`);
  const hit = version === undefined ? undefined : await readEntry(file, key);
  if (hit) {
    // A valid entry that does not load (a manifest this runtime refuses) is a miss too.
    const model = await loadModel(hit.wasm, hit.manifest, { threads, weights: hit.weights }).catch(() => undefined);
    if (model) return wasmPrepared(model);
  }
  const { model, artifact } = await compileWasm(m, parts, threads);
  // Without kiln's version an entry could outlive the compiler that wrote it: not written.
  if (version !== undefined) await writeEntry(dir, file, key, artifact);
  return wasmPrepared(model);
}

/** Compiled by prepareWasm (as compile.ts's prepare does), keeping the bytes it loaded. */
async function compileWasm(m: Module, parts: KeyParts, threads: number): Promise<{ model: Model; artifact: Entry }> {
  await (await import('../../api/plain_binaryen.js')).loadBinaryenPlainly();
  const [{ verified }, { prepareWasm }] = await Promise.all([import('../../verified.js'), import('../../wasm_backend.js')]);
  return prepareWasm(verified(m, m.name), { threads, fusion: parts.fusion, relaxedSimd: parts.relaxedSimd, aliases: parts.aliases });
}

/** The entry in `file`, or undefined when it is missing, truncated, damaged or another key's. */
async function readEntry(file: string, key: string): Promise<Entry | undefined> {
  const [{ readFile }, { createHash }] = await Promise.all([import('node:fs/promises'), import('node:crypto')]);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  try {
    const nl = bytes.indexOf(10);
    if (nl < 0) return undefined;
    const h = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl))) as Header;
    const body = bytes.subarray(nl + 1);
    if (h.format !== ENTRY_FORMAT || h.key !== key || body.byteLength !== h.wasmBytes + h.weightsBytes) return undefined;
    if (createHash('sha256').update(body).digest('hex') !== h.sha256) return undefined;
    const wasm = body.subarray(0, h.wasmBytes);
    return { wasm, manifest: h.manifest, weights: h.weightsBytes > 0 ? body.subarray(h.wasmBytes) : undefined };
  } catch {
    return undefined;
  }
}

/** Writes the entry atomically (a temporary file renamed); a failure to write is not the caller's: it only costs the next process a compile. */
async function writeEntry(dir: string, file: string, key: string, e: Entry): Promise<void> {
  const [{ mkdir, writeFile, rename, rm }, { createHash, randomBytes }] = await Promise.all([import('node:fs/promises'), import('node:crypto')]);
  const weights = e.weights ?? new Uint8Array(0);
  const sha256 = createHash('sha256').update(e.wasm).update(weights).digest('hex');
  const header: Header = { format: ENTRY_FORMAT, key, manifest: e.manifest, wasmBytes: e.wasm.byteLength, weightsBytes: weights.byteLength, sha256 };
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    const head = new TextEncoder().encode(`${JSON.stringify(header)}\n`);
    const all = new Uint8Array(head.byteLength + e.wasm.byteLength + weights.byteLength);
    all.set(head);
    all.set(e.wasm, head.byteLength);
    all.set(weights, head.byteLength + e.wasm.byteLength);
    await writeFile(tmp, all);
    await rename(tmp, file);
  } catch {
    await rm(tmp, { force: true }).catch(() => {});
  }
}

let versionFound: Promise<string | undefined> | undefined;

/**
 * kiln's version, from the package.json of the package this file is in: found by walking
 * up from here, so from the TypeScript sources (compiler/frontends/trace/) and from the
 * bundled library (dist/lib/) alike; undefined where it is not found (the cache is then
 * not used).
 */
export function kilnVersion(): Promise<string | undefined> {
  versionFound ??= (async () => {
    const [{ readFile }, { dirname, join }, { fileURLToPath }] = await Promise.all([import('node:fs/promises'), import('node:path'), import('node:url')]);
    for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
      const pkg = await readFile(join(d, 'package.json'), 'utf8').then((t) => JSON.parse(t) as { name?: string; version?: string }, () => undefined);
      if (pkg?.name === 'kiln' && typeof pkg.version === 'string') return pkg.version;
      if (dirname(d) === d) return undefined;
    }
  })();
  return versionFound;
}
