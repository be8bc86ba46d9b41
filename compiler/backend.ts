// Backends: what runs a module. The list is explicit (no import-time registration):
// a new backend is one import and one entry in BACKENDS.
import { checkInterpretable, interpret } from '../ir/interpret/index.js';
import { allocateMemory, runProgram } from '../ir/kernel/interpret.js';
import type { Literal } from '../ir/literal.js';
import type { Module } from '../ir/module.js';
import { compileProgram } from './compile.js';
import { inputBytes, readOutput, resultLiteral } from './program_io.js';
import { wasmBackend } from './wasm_backend.js';

export interface Executable {
  /** Run with one literal per entry parameter; returns the entry's result. */
  run(args: readonly Literal[]): Promise<Literal>;
}

export interface Backend {
  readonly name: string;
  /** Why the backend cannot run here (e.g. no GPU), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  prepare(m: Module): Promise<Executable>;
}

export const interpreterBackend: Backend = {
  name: 'interpreter',
  unavailable: async () => undefined,
  prepare: async (m) => {
    checkInterpretable(m);
    return { run: async (args) => interpret(m, [...args]) };
  },
};

/**
 * The compiled program run by the kernel IR's reference executor: checks passes and
 * lowering (and every access's bounds) without any target.
 */
export const kernelsBackend: Backend = {
  name: 'kernels',
  unavailable: async () => undefined,
  prepare: async (m) => {
    const { program } = compileProgram(m);
    return {
      run: async (args) => {
        const mem = allocateMemory(program);
        for (const { offset, bytes } of inputBytes(program, args)) mem.arena.set(bytes, offset);
        runProgram(program, mem);
        return resultLiteral(m.entry.root.shape, program.outputs.map((_, i) => readOutput(program, i, mem.arena)));
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [interpreterBackend, kernelsBackend, wasmBackend];

export function findBackend(name: string): Backend {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b) throw new UsageError(`unknown backend '${name}' (known: ${BACKENDS.map((x) => x.name).join(', ')})`);
  return b;
}

/** A mistake in how kiln was called (exit code 2), as opposed to bad input (exit code 3). */
export class UsageError extends Error {
  override name = 'UsageError';
}
