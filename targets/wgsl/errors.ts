// The WGSL target's refusal: the same NotSupported class as the wasm target's, so that the
// CLI (compiler/exit_codes.ts) reports it as "not compiled" (exit code 4) without knowing
// which target refused. It lives in targets/wasm/errors.ts, a file with no imports; when
// a third target needs it, it belongs in a shared targets/errors.ts.
export { NotSupported } from '../wasm/errors.js';
