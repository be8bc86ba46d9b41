// The `numpy` namespace (`import { numpy as np } from 'kiln'`): jax.numpy's names, in
// camelCase where numpy has snake_case (`logsumexp`, `zerosLike`).
export * from './creation.js';
export * from './math.js';
export * from './reductions.js';
export * from './shape.js';
export { dot, matmul, outer } from './linalg.js';
export { astype } from '../ops.js';
export * from './indexing.js';
export * from './join.js';
export * from './search.js';
export * from './statistics.js';
export * from './grids.js';
export { einsum, tensordot } from './einsum.js';
export * from './sorting.js';
