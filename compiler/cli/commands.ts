// The kiln commands. Each is a name, a help text, its options (node:util parseArgs
// config) and a function; main.ts does argument parsing and error-to-exit-code mapping.
import { writeFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { elementCount, shapeToString } from '../../ir/shape.js';
import { printModule } from '../../ir/print.js';
import { literalToString } from '../../ir/print_literal.js';
import type { Literal } from '../../ir/literal.js';
import { findBackend, interpreterBackend, UsageError } from '../backend.js';
import { compareLiterals, leavesOf } from '../compare.js';
import { canonicalFiles, checkCorpus } from '../corpus.js';
import { loadModule } from '../load.js';
import { entryInputs, writeOutputs } from './inputs.js';
import { corpusTable } from './report.js';

type Values = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code. */
  run(positionals: string[], values: Values): Promise<number>;
}

const seedOf = (v: Values): number => {
  const s = Number(v.random ?? 0);
  if (!Number.isInteger(s) || s < 0) throw new UsageError(`--random wants a non-negative integer seed, got '${v.random}'`);
  return s;
};

const one = (positionals: string[], what: string): string => {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${positionals.length}`);
  return positionals[0];
};

const inputOptions = {
  input: { type: 'string', multiple: true },
  random: { type: 'string' },
} as const;

export const COMMANDS: Record<string, Command> = {
  run: {
    summary: 'run a module and print (or write) its outputs',
    usage: `kiln run FILE [--backend interpreter] [--input NAME=PATH.npy ...] [--random SEED] [--output-dir DIR]

  Runs the entry computation of FILE (HLO text). Each --input gives one parameter by
  name or number as a NumPy .npy file; every other parameter gets deterministic random
  values from SEED (default 0): floats in [-1,1), signed ints in [-8,8), unsigned in [0,16).
  Outputs are printed as HLO literals; with --output-dir each output leaf is written as
  <index>.npy (0.npy for a single array, 0.npy 1.npy ... for a tuple, 1.0.npy when nested).`,
    options: { ...inputOptions, backend: { type: 'string' }, 'output-dir': { type: 'string' } },
    async run(pos, v) {
      const m = loadModule(one(pos, 'module file'));
      const backend = findBackend((v.backend as string) ?? 'interpreter');
      await ensureAvailable(backend.name);
      const result = await (await backend.prepare(m)).run(entryInputs(m, (v.input as string[]) ?? [], seedOf(v)));
      if (v['output-dir']) {
        for (const f of writeOutputs(v['output-dir'] as string, result)) console.log(f);
      } else printResult(result);
      return 0;
    },
  },
  compare: {
    summary: 'run on a backend and on the interpreter, report max abs/rel error',
    usage: `kiln compare FILE --backend B [--input NAME=PATH.npy ...] [--random SEED]

  Runs FILE on backend B and on the reference interpreter with the same inputs and
  prints, per output, the max absolute and relative error and the tolerance used.
  Exit code 1 when any output is out of tolerance.`,
    options: { ...inputOptions, backend: { type: 'string' } },
    async run(pos, v) {
      if (!v.backend) throw new UsageError('compare needs --backend');
      const m = loadModule(one(pos, 'module file'));
      const backend = findBackend(v.backend as string);
      await ensureAvailable(backend.name);
      const args = entryInputs(m, (v.input as string[]) ?? [], seedOf(v));
      const expected = await (await interpreterBackend.prepare(m)).run(args);
      const actual = await (await backend.prepare(m)).run(args);
      const diffs = compareLiterals(actual, expected);
      for (const d of diffs) {
        const what = d.mismatch ?? `max abs ${d.maxAbs.toExponential(3)}  max rel ${d.maxRel.toExponential(3)}  ${d.bad} out of tolerance`;
        console.log(`output ${d.index || '0'} ${d.shape}: ${what}  ${d.ok ? 'ok' : 'FAIL'}`);
      }
      return diffs.every((d) => d.ok) ? 0 : 1;
    },
  },
  opt: {
    summary: 'parse, verify and print a module as HLO text',
    usage: `kiln opt FILE

  Parses and verifies FILE and prints it as HLO text on stdout.`,
    options: {},
    async run(pos) {
      process.stdout.write(printModule(loadModule(one(pos, 'module file'))));
      return 0;
    },
  },
  'check-corpus': {
    summary: 'parse, verify, round-trip and interpret every .hlo file in a folder',
    usage: `kiln check-corpus DIR [--json] [--no-interpret] [--max-work N] [--out FILE]

  For every DIR/*.hlo: parse, print and re-parse (printing must be a fixed point),
  verify, and run on the interpreter with random inputs when the module uses only
  opcodes and dtypes kiln runs and its estimated work is under N element operations
  (default 1e8). Files listed as TestData in DIR/SOURCES.tsv must print back byte for byte.
  Prints a summary table, or with --json one object. Exit code 0 when it ran.`,
    options: { json: { type: 'boolean' }, 'no-interpret': { type: 'boolean' }, 'max-work': { type: 'string' }, out: { type: 'string' } },
    async run(pos, v) {
      const dir = one(pos, 'folder');
      const maxWork = Number(v['max-work'] ?? 1e8);
      if (!(maxWork > 0)) throw new UsageError(`--max-work wants a positive number, got '${v['max-work']}'`);
      const report = checkCorpus(dir, { maxWork, interpret: !v['no-interpret'], canonical: canonicalFiles(dir) });
      const text = v.json
        ? JSON.stringify({ total: report.total, parsed: report.parsed, roundTrip: report.roundTrip, verified: report.verified,
            interpreted: report.interpreted, interpretable: report.interpretable, canonical: report.canonical,
            skipped: report.skipped, ms: report.ms, failures: report.failures }, null, 1)
        : corpusTable(report);
      if (v.out) writeFileSync(v.out as string, text + '\n');
      else console.log(text);
      return 0;
    },
  },
};

async function ensureAvailable(name: string): Promise<void> {
  const why = await findBackend(name).unavailable();
  if (why) throw new UsageError(`backend ${name} is not available here: ${why}`);
}

/** Print each output leaf as `index: shape literal`; big arrays as a summary. */
function printResult(result: Literal): void {
  for (const { index, value } of leavesOf(result)) {
    const head = `${index || '0'}: ${shapeToString(value.shape, { layout: false })}`;
    if (elementCount(value.shape) <= 1000) console.log(`${head} ${literalToString(value)}`);
    else {
      let min = Infinity, max = -Infinity, sum = 0;
      for (const x of value.data) { const n = Number(x); min = Math.min(min, n); max = Math.max(max, n); sum += n; }
      console.log(`${head} (${elementCount(value.shape)} elements: min ${min} max ${max} mean ${sum / value.data.length}; use --output-dir for all)`);
    }
  }
}
