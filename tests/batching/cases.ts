// The per-opcode cases, one list per opcode with a batching rule (rules.test.ts fails for a
// rule with none).
import type { Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { COMPUTE_CASES, CONTROL_CASES } from './cases_compute.js';
import { ELEMENTWISE_CASES } from './cases_elementwise.js';
import { STRUCTURAL_CASES } from './cases_structural.js';

export interface Case {
  /** The per-example module. */
  module: () => Module;
  /** In-axes to try instead of the generated variants. */
  axes?: (number | null)[][];
  /** Relative tolerance (0: bit for bit). */
  tol?: number;
  /** Check the batched module's shapes only (the interpreter does not compute the op). */
  shapesOnly?: boolean;
  inputs?: (example: number, next: () => number) => Literal[];
}

export const CASES: { [O in Opcode]?: Case[] } = {
  ...ELEMENTWISE_CASES,
  ...STRUCTURAL_CASES,
  ...COMPUTE_CASES,
  ...CONTROL_CASES,
};
