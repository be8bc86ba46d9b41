// The error a differentiation stops with when it meets an op it has no rule for.
import type { Instruction } from '../../ir/module.js';

export class NotDifferentiableError extends Error {
  override name = 'NotDifferentiableError';
  constructor(readonly instruction: string, readonly opcode: string, readonly reason: string) {
    super(`autodiff: cannot differentiate %${instruction} (${opcode}): ${reason}`);
  }
  static of(i: Instruction, reason: string): NotDifferentiableError {
    return new NotDifferentiableError(i.name, i.opcode, reason);
  }
}

/** A request autodiff refuses (bad `wrt`, tuple parameters, a non-scalar grad root). */
export class AutodiffUsageError extends Error {
  override name = 'AutodiffUsageError';
}
