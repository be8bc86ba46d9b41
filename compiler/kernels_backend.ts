// The kernels backend's code (backend.ts loads it when first used): compile to kernel IR
// and run it on the kernel IR's reference executor. It lowers for a target's description
// (the default target's unless told), so any target's kernel IR can be checked without it.
import { allocateMemory, runProgram } from '../ir/kernel/interpret.js';
import type { Module } from '../ir/module.js';
import type { TargetDescription } from '../ir/target.js';
import type { Executable } from './backend.js';
import { compileProgram } from './compile.js';
import { inputBytes, readOutput, resultLiteral } from './program_io.js';

export function prepareKernels(m: Module, target?: TargetDescription): Executable {
  const { program } = compileProgram(m, { target });
  return {
    run: async (args) => {
      const mem = allocateMemory(program);
      for (const { offset, bytes } of inputBytes(program, args)) mem.arena.set(bytes, offset);
      runProgram(program, mem);
      return resultLiteral(m.entry.root.shape, program.outputs.map((_, i) => readOutput(program, i, mem.arena)));
    },
  };
}
