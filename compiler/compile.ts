// The compile driver: a verified module through the pass pipeline and lowering to a
// kernel IR Program, which a target then renders. Every backend and `kiln compile`
// go through here, so they compile the same way. The target's description picks the
// passes (pipelineFor), the kernels' lanes and schedules (lowerModule) and the memory limit.
import type { Program } from '../ir/kernel/kernel.js';
import type { Module } from '../ir/module.js';
import type { TargetDescription } from '../ir/target.js';
import { pipelineFor, runPasses } from '../passes/pipeline.js';
import { ioNames } from '../passes/lower/io_names.js';
import { lowerModule } from '../passes/lower/program.js';
import { NotCompiled } from '../passes/lower/errors.js';
import { arrayBytes, describeBytes, TooLarge } from '../ir/limits.js';
import { leaves, shapeToString } from '../ir/shape.js';
import { DEFAULT_TARGET, TARGETS } from './targets.js';
import { type Alias, checkAliases } from './aliases.js';

export interface CompileOptions {
  /** What to compile for (default wasm's description, compiler/targets.ts). */
  target?: TargetDescription;
  /** Run the fusion pass (default true); `--no-fusion` turns it off to measure what it buys. */
  fusion?: boolean;
  /**
   * Bytes of memory the program may use (constants and arena). Default: the target's
   * limits.maxMemoryBytes (wasm32's 4 GiB linear memory, which also bounds the kernel
   * executor's one ArrayBuffer).
   */
  memoryLimit?: number;
  /**
   * Outputs that must end in an input's bytes (donated inputs, XLA's must-alias): output
   * leaf `output` gets entry parameter `param`'s buffer; same shape and dtype, each once
   * (an InputError otherwise). The manifest says so (`outputs[j].aliases`).
   */
  aliases?: readonly Alias[];
}

export interface Compiled {
  /** The module after the passes, as lowered. */
  optimized: Module;
  program: Program;
}

export function compileProgram(m: Module, opts: CompileOptions = {}): Compiled {
  const target = opts.target ?? TARGETS[DEFAULT_TARGET].description;
  const limit = opts.memoryLimit ?? target.limits.maxMemoryBytes;
  const why = (): string => (limit === target.limits.maxMemoryBytes ? target.limits.maxMemoryReason : `the limit is ${describeBytes(limit)}`);
  checkCompilable(m, limit, why);
  const aliases = checkAliases(m, opts.aliases);
  const passes = pipelineFor(target).filter((p) => !p.startsWith('fusion') || (opts.fusion ?? true));
  const optimized = runPasses(m, passes);
  // Inputs and outputs keep the source's names: the passes rename the root (io_names.ts).
  const program = lowerModule(optimized, target, ioNames(m), aliases);
  const bytes = program.arenaBytes + program.constantsBytes;
  if (bytes > limit)
    throw new TooLarge(`${m.name}: the program needs ${describeBytes(bytes)} of memory (${describeBytes(program.arenaBytes)} of buffers, ` +
      `${describeBytes(program.constantsBytes)} of constants); ${why()}`);
  return { optimized, program };
}

/**
 * Refuses what no compiled program can hold, before the passes run: an unbounded dynamic dim
 * (lowering needs static shapes) or one value larger than the whole memory.
 */
function checkCompilable(m: Module, limit: number, why: () => string): void {
  for (const c of m.computations)
    for (const instr of c.instructions)
      for (const leaf of leaves(instr.shape)) {
        // A bounded dim (`<=N`) compiles at its bound; an unbounded one (`?`) has no size to lay out.
        if (leaf.dims.some((d) => d < 0))
          throw new NotCompiled(instr, `unbounded dynamic dimensions (${shapeToString(leaf, { layout: false })}) are not compiled; kiln compiles static and bounded shapes`);
        const bytes = arrayBytes(leaf);
        if (bytes > limit)
          throw new TooLarge(`%${instr.name} (${instr.opcode}): ${shapeToString(leaf, { layout: false })} needs ${describeBytes(bytes)}; ${why()}`);
      }
}
