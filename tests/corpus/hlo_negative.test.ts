// XLA's rejected modules: kiln must reject each with a message naming line and column
// (parser) or the instruction (verifier), never crash or hang; the few it accepts are
// listed with a reason in hlo_negative_accepted.tsv.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hloFiles } from '../../compiler/corpus.js';
import { HloParseError, parseHlo } from '../../compiler/frontends/hlo/index.js';
import { locate } from '../../compiler/load.js';
import { verifyModule } from '../../ir/verify.js';
import { HLO_NEGATIVE, haveCorpus } from './paths.js';

/** file → why kiln accepts it (valid HLO, rejected only by a later XLA pass, or a known gap). */
function acceptedList(): Map<string, string> {
  const text = readFileSync(join(import.meta.dirname, 'hlo_negative_accepted.tsv'), 'utf8');
  const rows = text.split('\n').filter((l) => l && !l.startsWith('#')).slice(1).map((l) => l.split('\t'));
  for (const r of rows) if (r.length !== 3 || !['valid', 'later-pass', 'gap'].includes(r[1]) || !r[2]) throw new Error(`bad row: ${r.join(' | ')}`);
  return new Map(rows.map(([file, kind, reason]) => [file, `${kind}: ${reason}`]));
}

/** undefined when accepted; else a problem with the rejection, or '' for a good one. */
function judge(f: string, text: string): string | undefined {
  let m;
  try {
    m = parseHlo(text, f);
  } catch (e) {
    if (!(e instanceof HloParseError)) return `${f}: crashed: ${(e as Error).stack}`;
    return /^[^:]+:\d+:\d+: /.test(e.message) ? '' : `${f}: no line:col in '${e.message}'`;
  }
  try {
    verifyModule(m);
    return undefined;
  } catch (e) {
    // Module-level problems (no entry, computation order) have no single instruction to point at.
    if ((e as { instruction?: string }).instruction && !locate(m, e as Error)) return `${f}: verify error without location: ${(e as Error).message}`;
    return '';
  }
}

describe.skipIf(!haveCorpus)('hlo-negative corpus', () => {
  it('rejects every module not listed as accepted, with line and column, each in under a second', () => {
    const files = hloFiles(HLO_NEGATIVE);
    const listed = acceptedList();
    expect(files.length).toBeGreaterThan(100);
    let rejected = 0;
    const problems: string[] = [];
    for (const f of files) {
      const t0 = performance.now();
      const verdict = judge(f, readFileSync(join(HLO_NEGATIVE, f), 'utf8'));
      const ms = performance.now() - t0;
      if (ms > 1000) problems.push(`${f}: took ${ms.toFixed(0)} ms`);
      if (verdict === undefined) {
        if (!listed.has(f)) problems.push(`${f}: accepted, and not in hlo_negative_accepted.tsv`);
        continue;
      }
      rejected++;
      if (verdict) problems.push(verdict);
      if (listed.has(f)) problems.push(`${f}: rejected now; remove its row from hlo_negative_accepted.tsv (${listed.get(f)})`);
    }
    expect(problems).toEqual([]);
    expect([...listed.keys()].filter((f) => !files.includes(f))).toEqual([]);
    expect(rejected).toBeGreaterThanOrEqual(107);
  });
});
