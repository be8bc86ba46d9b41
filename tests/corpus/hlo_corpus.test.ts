// The XLA HLO corpus: parse, round-trip, verify and interpret every module, and hold
// the committed summary (docs/hlo-corpus.md, written by `kiln check-corpus`): no count
// may fall below it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalFiles, checkCorpus, hloFiles, mergeReports, type CorpusReport } from '../../compiler/corpus.js';
import { corpusTable } from '../../compiler/cli/report.js';
import { HLO_CORPUS, haveCorpus } from './paths.js';

const COMMITTED = join(import.meta.dirname, '..', '..', 'docs', 'hlo-corpus.md');

/** `| stage | count | of | rate |` rows of a summary table. */
function rows(table: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of table.matchAll(/^\| ([^|]+) \| (\d+) \| (\d+) \|/gm)) out.set(m[1].trim(), Number(m[2]));
  return out;
}

describe.skipIf(!haveCorpus)('XLA HLO corpus', () => {
  // In shards, so that no single test holds the worker for minutes.
  const SHARDS = 16;
  const files = haveCorpus ? hloFiles(HLO_CORPUS) : [];
  const canonical = canonicalFiles(HLO_CORPUS);
  const parts: CorpusReport[] = [];
  let report: CorpusReport;
  for (let s = 0; s < SHARDS; s++)
    it(`runs shard ${s + 1} of ${SHARDS}`, async () => {
      // File by file, giving the event loop a turn between them so the worker keeps
      // answering the test runner.
      for (const file of files.filter((_, i) => i % SHARDS === s)) {
        parts.push(checkCorpus(HLO_CORPUS, { maxWork: 1e8, interpret: true, canonical, files: [file] }));
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (s === SHARDS - 1) {
        report = mergeReports(parts);
        console.log(corpusTable(report));
      }
    });

  it('parses at least 99% and prints every parsed module to a fixed point', () => {
    expect(report.parsed / report.total).toBeGreaterThanOrEqual(0.99);
    expect(report.failures.filter((f) => f.stage === 'roundTrip')).toEqual([]);
    expect(report.roundTrip).toBe(report.parsed);
  });

  it('verifies at least 95% of parsed modules', () => {
    expect(report.verified / report.parsed).toBeGreaterThanOrEqual(0.95);
  });

  it("prints at least 90% of XLA's canonical texts byte for byte", () => {
    expect(report.canonical.total).toBeGreaterThan(150);
    expect(report.canonical.identical / report.canonical.total).toBeGreaterThanOrEqual(0.9);
  });

  it('interprets every module it can with random inputs', () => {
    expect(report.failures.filter((f) => f.stage === 'interpret')).toEqual([]);
    expect(report.interpreted).toBe(report.interpretable);
  });

  it('stays at or above the committed summary', () => {
    const committed = rows(readFileSync(COMMITTED, 'utf8'));
    const now = rows(corpusTable(report));
    expect(committed.size).toBeGreaterThan(0);
    for (const [stage, n] of committed) expect(now.get(stage), stage).toBeGreaterThanOrEqual(n);
  });
});
