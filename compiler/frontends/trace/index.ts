// The traced array API: tensors, the numpy, nn and random namespaces, jit, the
// transformations (grad, vjp, jvp, vmap), optimisers, ONNX models as functions.
// (writeArtifact, which writes files, is compiler/node.ts's: 'kiln/node'.)
export { Tensor } from './tensor.js';
export { jit, type JitOptions, type Jitted, type Lowered } from './jit.js';
export { grad, jvp, valueAndGrad, vjp, vmap, type GradOptions, type InAxes } from './transforms.js';
export { setBackend, setCacheDir } from './config.js';
export { clearExecutables } from './executables.js';
export { treeMap, type Tree } from './pytree.js';
export { fromOnnx, type OnnxFunction } from './onnx.js';
export * as numpy from './numpy/index.js';
export * as nn from './nn/index.js';
export * as random from './random.js';
export * as optim from './optim.js';
