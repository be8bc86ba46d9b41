// One fuzz case: a mutant goes through kiln as `kiln run`/`kiln compile` would take it
// (frontend, verifier, the default passes, lowering to kernel IR, and for small modules
// the interpreter under a work budget). The outcome is the CLI's exit code for the first
// failure (compiler/exit_codes.ts), so a kiln bug shows as 70 wherever it happens.
import { compileProgram } from '../../compiler/compile.js';
import { exitCodeOf, type FailureCode } from '../../compiler/exit_codes.js';
import { randomInputs } from '../../compiler/random.js';
import { estimateWork } from '../../ir/cost.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Module } from '../../ir/module.js';
import { elementCount, type Shape } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';

export type Stage = 'frontend' | 'verify' | 'compile' | 'interpret';

export interface Outcome {
  /** The stage that failed, or 'done'. */
  readonly stage: Stage | 'done';
  readonly code?: FailureCode;
  readonly error?: Error;
  readonly ms: number;
}

/** Interpret only modules this small (elements over all parameters) ... */
const INTERPRET_MAX_INPUT = 1 << 14;
/**
 * ... whose estimated element operations (ir/cost, as check-corpus decides) stay under
 * this: the interpreter's meter charges an instruction's result, not the work inside it,
 * so a window of 10^9 (an ONNX LRN of size 10^9) would run for minutes before it stops ...
 */
const INTERPRET_MAX_WORK = 1e7;
/** ... and stop any interpretation after this much work (units of ir/interpret's meter). */
const INTERPRET_BUDGET = 1e5;

const inputElements = (shapes: readonly Shape[]): number =>
  shapes.reduce((n, s) => n + (s.kind === 'tuple' ? inputElements(s.elements) : elementCount(s)), 0);

export function runCase(load: () => Module): Outcome {
  const t0 = performance.now();
  let stage: Stage = 'frontend';
  try {
    const m = load();
    stage = 'verify';
    verifyModule(m);
    stage = 'compile';
    compileProgram(m);
    const params = m.entry.params.map((p) => p.shape);
    if (inputElements(params) <= INTERPRET_MAX_INPUT && estimateWork(m) <= INTERPRET_MAX_WORK) {
      stage = 'interpret';
      interpret(m, randomInputs(params, 7), { maxElements: INTERPRET_BUDGET });
    }
    return { stage: 'done', ms: performance.now() - t0 };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return { stage, code: exitCodeOf(e), error, ms: performance.now() - t0 };
  }
}
