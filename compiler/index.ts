// kiln as a library: `import { compile } from 'kiln'` (package.json's exports: the build in
// dist/lib/, bin/build.mjs). Importing it loads no compiler: compile() imports the
// frontends, passes and targets when it runs, and binaryen only for the wasm backend.
// The runtime alone, for apps that only run compiled artifacts, is `kiln/runtime`.
export { compile } from './api/compile.js';
export { KilnError, type ErrorCode } from './api/errors.js';
export type { BackendName, CompileOptions, DType, Executable, Inputs, OnnxOptions, Output, TensorInfo, TypedArray } from './api/types.js';
export type { Module } from '../ir/module.js';
export {
  Tensor, jit, grad, valueAndGrad, vjp, jvp, vmap, numpy, nn, random, optim, fromOnnx, setBackend, setCacheDir, clearExecutables, treeMap,
  type JitOptions, type Jitted, type Lowered, type GradOptions, type InAxes, type OnnxFunction, type Tree,
} from './frontends/trace/index.js';
