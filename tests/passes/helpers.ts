// Shared by the pass tests: parse HLO text, run passes, print the entry compactly, and
// compare interpreter results bit for bit.
import { expect } from 'vitest';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Literal, TupleLiteral } from '../../ir/literal.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import { printInstruction, printModule } from '../../ir/print.js';
import { verifyModule } from '../../ir/verify.js';
import { runPasses } from '../../passes/pipeline.js';

export function hlo(text: string): Module {
  const m = parseHlo(text);
  verifyModule(m);
  return m;
}

/** Parse the text, run the passes (verifying after each) and return the result. */
export const optimise = (text: string, passes: readonly string[]): Module => runPasses(hlo(text), passes);

const SHORT = { percent: false, operandShapes: false, signatures: false };

/** A computation's instructions as short HLO lines (`add = f32[2] add(x, y)`), the root marked. */
export function lines(c: Computation): string[] {
  return c.instructions.map((i) => `${i === c.root ? 'ROOT ' : ''}${printInstruction(i, SHORT)}`);
}

/** The entry's opcodes in order. */
export const opcodes = (m: Module): string[] => m.entry.instructions.map((i) => i.opcode);

/** Where two results differ bit for bit (NaN equals NaN), or undefined when they do not. */
export function bitDifference(a: Literal, b: Literal, at = 'result'): string | undefined {
  if (a.shape.kind === 'tuple' || b.shape.kind === 'tuple') {
    if (a.shape.kind !== b.shape.kind) return `${at}: tuple against array`;
    const ea = (a as TupleLiteral).elements, eb = (b as TupleLiteral).elements;
    if (ea.length !== eb.length) return `${at}: ${ea.length} elements against ${eb.length}`;
    for (let k = 0; k < ea.length; k++) {
      const d = bitDifference(ea[k], eb[k], `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  const x = (a as { data: ArrayLike<number | bigint> }).data, y = (b as { data: ArrayLike<number | bigint> }).data;
  if (a.shape.dtype !== b.shape.dtype || x.length !== y.length) return `${at}: shapes differ`;
  for (let k = 0; k < x.length; k++) {
    const u = x[k], v = y[k];
    const same = typeof u === 'number' && typeof v === 'number' ? Object.is(u, v) || (Number.isNaN(u) && Number.isNaN(v)) : u === v;
    if (!same) return `${at}[${k}]: ${String(u)} against ${String(v)}`;
  }
  return undefined;
}

/** The scalar f32 `add` and `max` computations the fusion tests' reduces apply. */
export const REDUCERS = `
add {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  ROOT s = f32[] add(x, y)
}
max {
  x = f32[] parameter(0)
  y = f32[] parameter(1)
  ROOT m = f32[] maximum(x, y)
}`;

export const fusions = (m: Module): Instruction[] => m.entry.instructions.filter((i) => i.opcode === 'fusion');
export const kinds = (m: Module): string[] => fusions(m).map((f) => (f.attrs as { kind: string }).kind);
export const body = (f: Instruction): Computation => (f.attrs as { calls: Computation }).calls;

/** Runs fusion alone; checks the result verifies, re-parses, and computes the same bits (inputs drawn with `seed`). */
export function fuse(text: string, seed: number): Module {
  const before = hlo(text);
  const m = optimise(text, ['fusion']);
  const reparsed = parseHlo(printModule(m));
  verifyModule(reparsed);
  expect(printModule(reparsed)).toBe(printModule(m));
  const args = randomInputs(before.entry.params.map((p) => p.shape), seed);
  expect(bitDifference(interpret(m, args), interpret(before, args))).toBeUndefined();
  return m;
}
