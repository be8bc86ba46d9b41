// The compile driver: a verified module through the pass pipeline and lowering to a
// kernel IR Program, which a target then renders. Every backend and `kiln compile`
// go through here, so they compile the same way.
import type { Program } from '../ir/kernel/kernel.js';
import type { Module } from '../ir/module.js';
import { DEFAULT_PIPELINE, runPasses } from '../passes/pipeline.js';
import { ioNames } from '../passes/lower/io_names.js';
import { lowerModule, type LowerOptions } from '../passes/lower/program.js';
import { NotCompiled } from '../passes/lower/errors.js';
import { arrayBytes, describeBytes, TooLarge, WASM32_MEMORY_BYTES } from '../ir/limits.js';
import { leaves, shapeToString } from '../ir/shape.js';

export interface CompileOptions extends LowerOptions {
  /** Run the fusion pass (default true); `--no-fusion` turns it off to measure what it buys. */
  fusion?: boolean;
  /**
   * Bytes of memory the program may use (constants and arena). Default: wasm32's 4 GiB
   * linear memory, which also bounds the kernel executor's one ArrayBuffer; every target
   * kiln has addresses memory with 32 bits.
   */
  memoryLimit?: number;
}

export interface Compiled {
  /** The module after the passes, as lowered. */
  optimized: Module;
  program: Program;
}

export function compileProgram(m: Module, opts: CompileOptions = {}): Compiled {
  const limit = opts.memoryLimit ?? WASM32_MEMORY_BYTES;
  checkCompilable(m, limit);
  const passes = DEFAULT_PIPELINE.filter((p) => p !== 'fusion' || (opts.fusion ?? true));
  const optimized = runPasses(m, passes);
  // Inputs and outputs keep the source's names: the passes rename the root (io_names.ts).
  const program = lowerModule(optimized, opts, ioNames(m));
  const bytes = program.arenaBytes + program.constantsBytes;
  if (bytes > limit)
    throw new TooLarge(`${m.name}: the program needs ${describeBytes(bytes)} of memory (${describeBytes(program.arenaBytes)} of buffers, ` +
      `${describeBytes(program.constantsBytes)} of constants); ${limitText(limit)}`);
  return { optimized, program };
}

const limitText = (limit: number): string =>
  limit === WASM32_MEMORY_BYTES ? 'wasm32 linear memory holds at most 4 GiB (and browsers may allow less)' : `the limit is ${describeBytes(limit)}`;

/**
 * Refuses what no compiled program can hold, before the passes run: an unbounded dynamic dim
 * (lowering needs static shapes) or one value larger than the whole memory.
 */
function checkCompilable(m: Module, limit: number): void {
  for (const c of m.computations)
    for (const instr of c.instructions)
      for (const leaf of leaves(instr.shape)) {
        // A bounded dim (`<=N`) compiles at its bound; an unbounded one (`?`) has no size to lay out.
        if (leaf.dims.some((d) => d < 0))
          throw new NotCompiled(instr, `unbounded dynamic dimensions (${shapeToString(leaf, { layout: false })}) are not compiled; kiln compiles static and bounded shapes`);
        const bytes = arrayBytes(leaf);
        if (bytes > limit)
          throw new TooLarge(`%${instr.name} (${instr.opcode}): ${shapeToString(leaf, { layout: false })} needs ${describeBytes(bytes)}; ${limitText(limit)}`);
      }
}
