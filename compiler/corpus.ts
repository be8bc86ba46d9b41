// `kiln check-corpus`: parse, verify, round-trip and (where cheap enough) interpret
// every HLO file in a folder, and summarise what happened at each stage.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPES } from '../ir/dtype.js';
import { BudgetExceeded, interpret } from '../ir/interpret/index.js';
import type { Module } from '../ir/module.js';
import { OPCODES } from '../ir/opcodes.js';
import { printModule } from '../ir/print.js';
import { leaves } from '../ir/shape.js';
import { verifyModule } from '../ir/verify.js';
import { estimateWork } from '../ir/cost.js';
import { parseHlo } from './frontends/hlo/index.js';
import { randomInputs } from './random.js';

export type Stage = 'parse' | 'roundTrip' | 'verify' | 'interpret';

export interface CorpusFailure {
  file: string;
  stage: Stage;
  message: string;
}

export interface CorpusReport {
  total: number;
  parsed: number;
  roundTrip: number;
  verified: number;
  /** Modules made only of opcodes and dtypes the interpreter runs, under the work limit. */
  interpretable: number;
  interpreted: number;
  /** Files whose text is XLA's canonical print and that kiln prints back byte for byte. */
  canonical: { total: number; identical: number };
  failures: CorpusFailure[];
  /** Modules not interpreted, by reason (opcode, dtype, work, LOOPS_ON). */
  skipped: Record<string, number>;
  ms: number;
}

export interface CorpusOptions {
  /** Skip modules whose estimated element operations exceed this; also the interpreter's budget. */
  maxWork: number;
  interpret: boolean;
  /** Names of files that are XLA's canonical print (from SOURCES.tsv `TestData:` rows). */
  canonical: Set<string>;
  /** Check only these files of the folder (default: every .hlo file). */
  files?: readonly string[];
}

/** The skip reason of modules the interpretation budget stopped (see CorpusOptions.maxWork). */
export const LOOPS_ON = 'runs past the work budget (a while loop that does not end on random inputs)';

export function hloFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.hlo')).sort();
}

/** The `TestData:` rows of a corpus SOURCES.tsv, if the folder has one. */
export function canonicalFiles(dir: string): Set<string> {
  try {
    const rows = readFileSync(join(dir, 'SOURCES.tsv'), 'utf8').split('\n').slice(1);
    return new Set(rows.map((r) => r.split('\t')).filter((c) => c[6]?.startsWith('TestData:')).map((c) => c[0]));
  } catch {
    return new Set();
  }
}

const emptyReport = (): CorpusReport => ({
  total: 0, parsed: 0, roundTrip: 0, verified: 0, interpretable: 0, interpreted: 0,
  canonical: { total: 0, identical: 0 }, failures: [], skipped: {}, ms: 0,
});

export function checkCorpus(dir: string, opts: CorpusOptions): CorpusReport {
  const t0 = performance.now();
  const r = emptyReport();
  for (const file of opts.files ?? hloFiles(dir)) {
    r.total++;
    const text = readFileSync(join(dir, file), 'utf8');
    const fail = (stage: Stage, e: unknown) => r.failures.push({ file, stage, message: (e as Error).message.split('\n')[0] });
    let m: Module;
    try {
      m = parseHlo(text, file);
    } catch (e) {
      fail('parse', e);
      continue;
    }
    r.parsed++;
    const printed = printModule(m);
    try {
      const again = printModule(parseHlo(printed, `${file} (reprinted)`));
      if (again !== printed) throw new Error(`printing is not a fixed point: ${firstDifference(printed, again)}`);
      r.roundTrip++;
    } catch (e) {
      fail('roundTrip', e);
    }
    if (opts.canonical.has(file)) {
      r.canonical.total++;
      if (printed.trim() === text.trim()) r.canonical.identical++;
    }
    try {
      verifyModule(m);
      r.verified++;
    } catch (e) {
      fail('verify', e);
      continue;
    }
    if (!opts.interpret) continue;
    const why = whyNotInterpretable(m, opts.maxWork);
    if (why) {
      r.skipped[why] = (r.skipped[why] ?? 0) + 1;
      continue;
    }
    try {
      // The static estimate counts a while body once; the budget stops loops that run
      // on (with random inputs, a loop's condition may never turn false).
      interpret(m, randomInputs(m.entry.params.map((p) => p.shape), 1), { maxElements: opts.maxWork });
      r.interpretable++;
      r.interpreted++;
    } catch (e) {
      if (e instanceof BudgetExceeded) {
        r.skipped[LOOPS_ON] = (r.skipped[LOOPS_ON] ?? 0) + 1;
        continue;
      }
      r.interpretable++;
      fail('interpret', e);
    }
  }
  r.ms = Math.round(performance.now() - t0);
  return r;
}

/** Why the interpreter should not run this module, or undefined when it should. */
export function whyNotInterpretable(m: Module, maxWork: number): string | undefined {
  for (const c of m.computations)
    for (const i of c.instructions) {
      if (OPCODES[i.opcode].family === 'opaque') return `opcode ${i.asyncOf ? `${i.asyncOf}-async` : i.opcode}`;
      if (i.opcode === 'rng' || i.opcode === 'rng-bit-generator') return `opcode ${i.opcode}`;
      if (i.opcode === 'constant' && i.attrs.literal.shape.kind === 'array' && 'elided' in i.attrs.literal && i.attrs.literal.elided)
        return 'elided constant';
      for (const s of leaves(i.shape)) {
        if (!DTYPES[s.dtype].computable) return `dtype ${s.dtype}`;
        if (s.dims.some((d) => d < 0)) return 'unbounded dynamic dimension';
      }
    }
  const work = estimateWork(m);
  if (work > maxWork) return `work over ${maxWork.toExponential(0)}`;
  return undefined;
}

function firstDifference(a: string, b: string): string {
  const la = a.split('\n'), lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++)
    if (la[i] !== lb[i]) return `line ${i + 1}: '${la[i] ?? ''}' became '${lb[i] ?? ''}'`;
  return 'texts differ';
}

/** One report for several parts of a corpus checked separately. */
export function mergeReports(parts: readonly CorpusReport[]): CorpusReport {
  const r = emptyReport();
  for (const p of parts) {
    r.total += p.total;
    r.parsed += p.parsed;
    r.roundTrip += p.roundTrip;
    r.verified += p.verified;
    r.interpretable += p.interpretable;
    r.interpreted += p.interpreted;
    r.canonical.total += p.canonical.total;
    r.canonical.identical += p.canonical.identical;
    r.failures.push(...p.failures);
    for (const [why, n] of Object.entries(p.skipped)) r.skipped[why] = (r.skipped[why] ?? 0) + n;
    r.ms += p.ms;
  }
  r.failures.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return r;
}
