// Automatic differentiation as a module-to-module transformation: reverse mode (vjp,
// grad) and forward mode (jvp) over HLO, driven by one rule table keyed by opcode
// (table.ts). See docs/autodiff.md.
import type { Module } from '../../ir/module.js';
import type { DiffOptions } from './core.js';
import { jvpModule } from './jvp.js';
import { gradModule, vjpModule } from './vjp.js';

export type { DiffOptions } from './core.js';
export { NotDifferentiableError, AutodiffUsageError } from './errors.js';
export { RULES } from './table.js';
export type { Rule, NotDifferentiable, RuleTable, Cot } from './types.js';

/**
 * Reverse mode. Entry params: the original params in order, then one cotangent param per
 * floating-point output leaf (shape of that leaf). Root: tuple(output leaves..., one
 * gradient per wrt param, in wrt order).
 */
export function vjp(m: Module, opts?: DiffOptions): Module {
  return vjpModule(m, opts);
}

/** grad of a scalar-f32/f64-rooted module: params as the original; root tuple(value, gradients per wrt param). Cotangent 1. */
export function grad(m: Module, opts?: DiffOptions): Module {
  return gradModule(m, opts);
}

/**
 * Forward mode. Entry params: original params, then one tangent per wrt param. Root:
 * tuple(output leaves..., one tangent per floating-point output leaf).
 */
export function jvp(m: Module, opts?: DiffOptions): Module {
  return jvpModule(m, opts);
}
