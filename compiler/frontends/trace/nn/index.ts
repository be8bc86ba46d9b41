// The `nn` namespace (`import { nn } from 'kiln'`): jax.nn's activations and softmaxes,
// the layers and losses a small network needs (flax's and optax's names, in camelCase).
export * from './activations.js';
export * from './conv.js';
export * from './layers.js';
export { oneHot } from '../numpy/indexing.js';
