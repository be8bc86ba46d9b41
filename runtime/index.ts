// `kiln/runtime`: the runtimes alone, for an app that runs artifacts `kiln compile` wrote
// and never compiles (package.json's exports; built into dist/runtime/ with the rest of
// runtime/). Each target's runtime is a namespace (each has a `loadModel`); `kiln/runtime/wasm`,
// `kiln/runtime/webgpu` and `kiln/runtime/cuda` are the same modules on their own. Not shipped
// in artifacts, which carry only their target's folder. (cuda imports its driver binding,
// koffi, only when a model loads, so importing this costs nothing without it.)
export * as wasm from './wasm/index.js';
export * as webgpu from './webgpu/index.js';
export * as cuda from './cuda/index.js';
export { ARRAY_OF, ELEMENT_BYTES, elementCount } from './core/dtype.js';
export type { DType, TypedArray, TypedArrayCtor } from './core/dtype.js';
