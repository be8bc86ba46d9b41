// The CUDA target's refusal: the wasm target's NotSupported (a file with no imports), so
// that the CLI reports it as "not compiled" (exit code 4) without knowing which target refused.
export { NotSupported } from '../wasm/errors.js';
