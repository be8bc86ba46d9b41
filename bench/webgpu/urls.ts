// Where the page finds the peers' browser builds (build.ts links vendor/ to node_modules):
// shared by the page (bundled) and by build.ts, whose test checks that each file is there.

/** Classic scripts the page loads before page.js: tfjs's UMD builds, which set `window.tf`. */
export const SCRIPTS = ['/vendor/tfjs-core/tf-core.es2017.min.js', '/vendor/tfjs-webgpu/tf-backend-webgpu.es2017.min.js'];

/** onnxruntime-web's WebGPU build, an ES module; it loads its .wasm from ORT_WASM_PATHS. */
export const ORT_URL = '/vendor/ort/ort.webgpu.min.mjs';
export const ORT_WASM_PATHS = '/vendor/ort/';
