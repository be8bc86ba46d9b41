// What runs eager reads and jitted functions unless told otherwise.
import type { BackendName } from '../../api/types.js';

export const config: { backend: BackendName; threads: number } = { backend: 'wasm', threads: 1 };

/** Sets the backend (and wasm threads) used by `Tensor.data()` and by `jit` without a `backend` option. */
export function setBackend(backend: BackendName, opts: { threads?: number } = {}): void {
  config.backend = backend;
  config.threads = opts.threads ?? 1;
}
