// Seeded in-process fuzzing: mutants of real ONNX models and HLO modules go through the
// whole pipeline (tests/fuzz/pipeline.ts). Every failure must be a user error (exit code
// 3 bad input or 4 not compiled), never an internal error, and no case may take over a
// second. Known internal errors whose fix belongs elsewhere are data with a reason
// (known_failures.tsv); any other internal error fails the test, with the mutant to replay.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { rng } from '../../compiler/random.js';
import { mutateHlo, mutateOnnx, opTypes } from './mutate.js';
import { runCase, type Outcome } from './pipeline.js';
import { hloSources, onnxSources } from './sources.js';

// CI runs the fixed seeds below; KILN_FUZZ_SEED and KILN_FUZZ_SCALE explore further
// (another seed, or SCALE times the cases) when hunting for bugs by hand.
const SEED = Number(process.env.KILN_FUZZ_SEED ?? 0);
const SCALE = Number(process.env.KILN_FUZZ_SCALE ?? 1);
const ONNX_CASES = 10_000 * SCALE;
const HLO_CASES = 8000 * SCALE;
const SLOW_MS = 1000;

interface Known { readonly pattern: RegExp; readonly reason: string }

function knownFailures(): Known[] {
  const text = readFileSync(join(import.meta.dirname, 'known_failures.tsv'), 'utf8');
  return text.split('\n').filter((l) => l && !l.startsWith('#')).slice(1).map((l) => {
    const [pattern, reason] = l.split('\t');
    return { pattern: new RegExp(pattern), reason };
  });
}

interface Summary { cases: number; byCode: Record<string, number>; slow: string[]; internal: string[]; knownHits: Map<Known, number>; ms: number }

function fuzz(cases: number, seed: number, make: (next: () => number, i: number) => { label: string; run: () => Outcome }): Summary {
  const known = knownFailures();
  const s: Summary = { cases, byCode: {}, slow: [], internal: [], knownHits: new Map(), ms: 0 };
  const next = rng(seed);
  const t0 = performance.now();
  for (let i = 0; i < cases; i++) {
    const { label, run } = make(next, i);
    const o = run();
    const key = o.code === undefined ? 'ok' : `${o.stage} ${o.code}`;
    s.byCode[key] = (s.byCode[key] ?? 0) + 1;
    if (o.ms > SLOW_MS) s.slow.push(`${label}: ${o.ms.toFixed(0)} ms at ${o.stage}`);
    if (o.code !== 70) continue;
    const line = `${o.stage}: ${o.error!.name}: ${o.error!.message}`;
    const k = known.find((x) => x.pattern.test(line));
    if (k) s.knownHits.set(k, (s.knownHits.get(k) ?? 0) + 1);
    else s.internal.push(`${label}: ${line}\n${o.error!.stack?.split('\n').slice(1, 4).join('\n')}`);
  }
  s.ms = performance.now() - t0;
  return s;
}

const report = (name: string, s: Summary) =>
  console.log(`${name}: ${s.cases} cases in ${(s.ms / 1000).toFixed(1)} s; outcomes (stage exit code) ${JSON.stringify(s.byCode)}; known internal errors ${[...s.knownHits.values()].reduce((a, b) => a + b, 0)}`);

describe('fuzzing the pipeline with mutated models', () => {
  it(`${ONNX_CASES} ONNX mutants fail only as user errors, each within a second`, () => {
    const sources = onnxSources();
    const ops = opTypes(sources);
    const s = fuzz(ONNX_CASES, 1 + SEED, (next, i) => {
      const src = sources[i % sources.length];
      const bytes = mutateOnnx(src, next, ops);
      return { label: `onnx #${i} (source ${i % sources.length})`, run: () => runCase(() => importOnnx(bytes, `mutant${i}.onnx`).module) };
    });
    report('onnx', s);
    expect(s.internal).toEqual([]);
    expect(s.slow).toEqual([]);
  }, 120_000);

  it(`${HLO_CASES} HLO mutants fail only as user errors, each within a second`, () => {
    const sources = hloSources();
    const s = fuzz(HLO_CASES, 2 + SEED, (next, i) => {
      const text = mutateHlo(sources[i % sources.length], next);
      return { label: `hlo #${i}:\n${text}\n`, run: () => runCase(() => parseHlo(text, `mutant${i}.hlo`)) };
    });
    report('hlo', s);
    expect(s.internal).toEqual([]);
    expect(s.slow).toEqual([]);
  }, 120_000);
});
