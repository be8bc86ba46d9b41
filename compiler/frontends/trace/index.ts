// The traced array API: tensors, the numpy namespace, jit. (Transformations: transforms.ts.)
export { Tensor } from './tensor.js';
export { jit, type JitOptions, type Jitted, type Lowered } from './jit.js';
export { setBackend } from './config.js';
export { clearExecutables } from './executables.js';
export { treeMap, type Tree } from './pytree.js';
export * as numpy from './numpy/index.js';
export * as nn from './nn/index.js';
export * as random from './random.js';
