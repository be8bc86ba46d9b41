// Backends: what runs a module. The list is explicit (no import-time registration):
// a new backend is one import and one entry in BACKENDS.
import { interpret } from '../ir/interpret/index.js';
import type { Literal } from '../ir/literal.js';
import type { Module } from '../ir/module.js';

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
  prepare: async (m) => ({ run: async (args) => interpret(m, [...args]) }),
};

export const BACKENDS: readonly Backend[] = [interpreterBackend];

export function findBackend(name: string): Backend {
  const b = BACKENDS.find((x) => x.name === name);
  if (!b) throw new UsageError(`unknown backend '${name}' (known: ${BACKENDS.map((x) => x.name).join(', ')})`);
  return b;
}

/** A mistake in how kiln was called (exit code 2), as opposed to bad input (exit code 3). */
export class UsageError extends Error {
  override name = 'UsageError';
}
