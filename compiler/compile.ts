// The compile driver: a verified module through the pass pipeline and lowering to a
// kernel IR Program, which a target then renders. Every backend and `kiln compile`
// go through here, so they compile the same way.
import type { Program } from '../ir/kernel/kernel.js';
import type { Module } from '../ir/module.js';
import { DEFAULT_PIPELINE, runPasses } from '../passes/pipeline.js';
import { lowerModule, type LowerOptions } from '../passes/lower/program.js';

export interface CompileOptions extends LowerOptions {
  /** Run the fusion pass (default true); `--no-fusion` turns it off to measure what it buys. */
  fusion?: boolean;
}

export interface Compiled {
  /** The module after the passes, as lowered. */
  optimized: Module;
  program: Program;
}

export function compileProgram(m: Module, opts: CompileOptions = {}): Compiled {
  const passes = DEFAULT_PIPELINE.filter((p) => p !== 'fusion' || (opts.fusion ?? true));
  const optimized = runPasses(m, passes);
  return { optimized, program: lowerModule(optimized, opts) };
}
