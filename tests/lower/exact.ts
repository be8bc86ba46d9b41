// Runs one HLO module on the interpreter and on every compiled backend here (the kernel
// IR executor, wasm) and expects the same bits: signed zeros, NaN and integer values
// exactly, not within a tolerance. For ops whose result XLA defines exactly (sort,
// scatter with an exact combiner, bit manipulation).
import { expect } from 'vitest';
import { kernelsBackend, type Backend } from '../../compiler/backend.js';
import { leavesOf } from '../../compiler/compare.js';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { wasmBackend } from '../../compiler/wasm_backend.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, type Literal } from '../../ir/literal.js';
import type { Program } from '../../ir/kernel/kernel.js';
import type { ArrayShape } from '../../ir/shape.js';

const show = (v: number | bigint): string => (Object.is(v, -0) ? '-0' : String(v));
export const bits = (l: Literal): string[][] => leavesOf(l).map(({ value }) => Array.from(value.data as ArrayLike<number | bigint>, show));

/** Compiles `hlo`, runs it on `inputs` (one value list per parameter) everywhere, expects the interpreter's bits; returns the program. */
export async function expectExact(hlo: string, inputs: readonly (readonly (number | bigint | boolean)[])[]): Promise<Program> {
  const m = parseHlo(hlo, 'case');
  const args = m.entry.params.map((p, i) => arrayLiteral(p.shape as ArrayShape, inputs[i]));
  const want = bits(interpret(m, args));
  for (const backend of [kernelsBackend, wasmBackend] as Backend[]) {
    const got = await (await backend.prepare(m)).run(args);
    expect(bits(got), backend.name).toEqual(want);
  }
  return compileProgram(m).program;
}

/** Deterministic pseudo-random integers in [0, n). */
export const hash = (i: number, n: number): number => (Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0) % n;
