// What runs eager reads and jitted functions unless told otherwise.
import type { BackendName } from '../../api/types.js';

/** `cacheDir`: undefined until setCacheDir is called (then KILN_CACHE_DIR decides); null: off. */
export const config: { backend: BackendName; threads: number; cacheDir?: string | null } = { backend: 'wasm', threads: 1 };

/** Sets the backend (and wasm threads) used by `Tensor.data()` and by `jit` without a `backend` option. */
export function setBackend(backend: BackendName, opts: { threads?: number } = {}): void {
  config.backend = backend;
  config.threads = opts.threads ?? 1;
}

/**
 * Keeps jit's compiled wasm modules in `dir` across processes (docs/api.md, "On-disk
 * cache"); null turns it off. Without a call, the KILN_CACHE_DIR environment variable names
 * the folder; off when neither does. Node only: elsewhere it is ignored.
 */
export function setCacheDir(dir: string | null): void {
  if (dir !== null && (typeof dir !== 'string' || dir === '')) throw new TypeError(`kiln: setCacheDir takes a folder's path or null, got ${JSON.stringify(dir)}`);
  config.cacheDir = dir;
}

/** The on-disk cache's folder, where one is set and this is Node. */
export function cacheDir(): string | undefined {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') return undefined;
  const dir = config.cacheDir === undefined ? process.env.KILN_CACHE_DIR : config.cacheDir;
  return dir || undefined;
}
