// Optimisers as pure functions over parameter pytrees, as optax writes them: `init(params)`
// makes the state, `update(grads, state)` gives the updates and the next state, and
// `applyUpdates(params, updates)` adds them. Inside a jitted step all of it is traced, so
// the whole update fuses into the step's module.
import * as np from './numpy/index.js';
import { treeMap, type Tree } from './pytree.js';
import { scalarTensor } from './ops.js';
import type { Tensor } from './tensor.js';

export interface Optimizer<S> {
  init(params: Tree): S;
  update(grads: Tree, state: S, params?: Tree): [Tree, S];
}

/** params + updates, leaf by leaf. */
export const applyUpdates = <T extends Tree>(params: T, updates: Tree): T => treeMap<T>((p, u) => np.add(p as Tensor, u as Tensor), params, updates);

/** Stochastic gradient descent: updates = -lr · grads. */
export function sgd(lr: number): Optimizer<Record<string, never>> {
  return {
    init: () => ({}),
    update: (grads, state) => [treeMap((g) => np.multiply(g as Tensor, -lr), grads), state],
  };
}

export interface AdamOptions {
  lr: number;
  b1?: number;
  b2?: number;
  eps?: number;
}

export interface AdamState {
  /** Steps taken, as an f32 scalar (exact to 2^24 steps). */
  count: Tensor;
  mu: Tree;
  nu: Tree;
}

/** Adam (Kingma & Ba), with optax's defaults b1 0.9, b2 0.999, eps 1e-8 and its bias correction. */
export function adam({ lr, b1 = 0.9, b2 = 0.999, eps = 1e-8 }: AdamOptions): Optimizer<AdamState> {
  return {
    init: (params) => ({
      count: scalarTensor(0, 'f32'),
      mu: treeMap((p) => np.zerosLike(p as Tensor), params),
      nu: treeMap((p) => np.zerosLike(p as Tensor), params),
    }),
    update: (grads, state) => {
      const count = np.add(state.count, 1);
      const mu = treeMap((m, g) => np.add(np.multiply(m as Tensor, b1), np.multiply(g as Tensor, 1 - b1)), state.mu, grads);
      const nu = treeMap((v, g) => np.add(np.multiply(v as Tensor, b2), np.multiply(np.square(g as Tensor), 1 - b2)), state.nu, grads);
      // Bias corrections 1 - b^t folded into one step size per step, as optax's scale_by_adam does per leaf.
      const c1 = np.subtract(1, np.power(b1, count));
      const c2 = np.subtract(1, np.power(b2, count));
      const updates = treeMap((m, v) => np.multiply(np.divide(np.divide(m as Tensor, c1), np.add(np.sqrt(np.divide(v as Tensor, c2)), eps)), -lr), mu, nu);
      return [updates, { count, mu, nu }];
    },
  };
}
