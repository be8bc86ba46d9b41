// The golden harness: each case is an HLO module with inputs and expected outputs;
// every available backend runs every case and must match within the case's tolerance.
// Format (docs/golden.md): tests/golden/cases/NAME.json beside NAME.hlo.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { verifyModule } from '../../ir/verify.js';
import type { Backend, Executable } from '../../compiler/backend.js';
import { OutputDiff, Tolerance, compareLiterals, leavesOf } from '../../compiler/compare.js';
import { parseHlo, parseLiteralText } from '../../compiler/frontends/hlo/index.js';

export const CASES_DIR = join(import.meta.dirname, 'cases');

export interface GoldenCase {
  name: string;
  /** Where the expected values come from (hand computation, NumPy, XLA docs...). */
  source: string;
  module: Module;
  inputs: Literal[];
  /** The result's array leaves in order (one for an array result, one per tuple element). */
  outputs: Literal[];
  tolerance?: Tolerance;
}

interface CaseFile {
  module: string;
  source: string;
  tolerance?: Tolerance;
  inputs: string[];
  outputs: string[];
}

export function loadCases(dir = CASES_DIR): GoldenCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const spec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CaseFile;
      const hloPath = join(dir, spec.module);
      const module = parseHlo(readFileSync(hloPath, 'utf8'), hloPath);
      verifyModule(module);
      return {
        name: f.replace(/\.json$/, ''),
        source: spec.source,
        module,
        inputs: spec.inputs.map((t, i) => parseLiteralText(t, `${f} input ${i}`)),
        outputs: spec.outputs.map((t, i) => parseLiteralText(t, `${f} output ${i}`)),
        tolerance: spec.tolerance,
      };
    });
}

/** Run a case on a backend and compare each output leaf with the expected one. */
export async function runCase(backend: Backend, c: GoldenCase, prepared?: Executable | Error): Promise<OutputDiff[]> {
  if (prepared instanceof Error) throw prepared;
  const exe = prepared ?? await backend.prepare(c.module);
  const result = await exe.run(c.inputs);
  const got = leavesOf(result).map((l) => l.value);
  if (got.length !== c.outputs.length)
    throw new Error(`${c.name}: ${backend.name} returned ${got.length} outputs, expected ${c.outputs.length}`);
  return got.flatMap((g, i) => compareLiterals(g, c.outputs[i], c.tolerance).map((d) => ({ ...d, index: String(i) })));
}
