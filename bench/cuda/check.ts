// Reads what bench/cuda/device.sh wrote (report.txt and outputs.tar in DIR), compares every
// golden and PyTorch output with its expected values, and prints the RESULTS.md section: the
// bench as ratios to cuBLAS and PyTorch, the fused chain against the unfused one, the
// sanitizer summary and the counts. Exit code 1 when an output is wrong or missing.
//
//   node --import ./bin/register.mjs bench/cuda/check.ts DIR
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareLiterals } from '../../compiler/compare.js';
import type { DType } from '../../ir/dtype.js';
import type { ArrayLiteral } from '../../ir/literal.js';
import { literalFromBytes } from '../../ir/scalar/elements.js';
import { array } from '../../ir/shape.js';
import { loadCases } from '../../tests/golden/harness.js';
import { RTOL, worstError } from '../../tests/onnx/pytorch_cases.js';
import { PACK_DIR, type PackModel, type SuiteManifest, type TensorLayout } from './prepare.js';

export interface Bench { runner: string; name: string; median: number; min: number; reps: number; rate: number; unit: string; kernels: number; checksum: number }
export interface CaseResult { suite: string; name: string; ok: boolean; detail: string }
export interface CheckResult {
  cases: CaseResult[];
  notCompiled: string[];
  bench: Bench[];
  failedBench: string[];
  sanitizer: { tool: string; name: string; rc: number; summary: string }[];
  skips: string[];
  header: string[];
  text: string;
  ok: boolean;
}

function decode(bytes: Buffer, outs: readonly TensorLayout[]): ArrayLiteral[] | string {
  const total = outs.reduce((n, o) => n + o.bytes, 0);
  if (bytes.length !== total) return `${bytes.length} bytes, expected ${total}`;
  let at = 0;
  return outs.map((o) => {
    const lit = literalFromBytes(array(o.dtype as DType, o.dims), new DataView(bytes.buffer, bytes.byteOffset + at, o.bytes));
    at += o.bytes;
    return lit;
  });
}

export function check(dir: string, pack = PACK_DIR): CheckResult {
  const report = readFileSync(join(dir, 'report.txt'), 'utf8').split('\n');
  const work = mkdtempSync(join(tmpdir(), 'kiln-device-check-'));
  try {
    execFileSync('tar', ['-xf', join(dir, 'outputs.tar'), '-C', work]);
    const caseRc = new Map<string, number>();
    for (const l of report) {
      const m = /^CASE (\S+) (\S+) rc=(\d+)/.exec(l);
      if (m) caseRc.set(`${m[1]}/${m[2]}`, +m[3]);
    }
    const cases: CaseResult[] = [];
    const notCompiled: string[] = [];
    const golden = loadCases();
    for (const suite of ['golden', 'pytorch'] as const) {
      const path = join(pack, suite, 'manifest.json');
      if (!existsSync(path)) continue;
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as SuiteManifest;
      for (const m of manifest.models) {
        if (m.index < 0) { notCompiled.push(`${suite}/${m.name}: ${m.error}`); continue; }
        cases.push({ suite, name: m.name, ...compareOne(suite, m, caseRc.get(`${suite}/${m.name}`), join(work, 'res', suite, `${m.name}.bin`), pack, golden) });
      }
    }
    const bench: Bench[] = [], failedBench: string[] = [];
    for (const l of report) {
      const m = /^BENCH (\S+) (\S+) median_ms=(\S+) min_ms=(\S+) reps=(\d+) rate=(\S+) (\S+) kernels=(\d+) checksum=(\S+)/.exec(l);
      if (m) bench.push({ runner: m[1], name: m[2], median: +m[3], min: +m[4], reps: +m[5], rate: +m[6], unit: m[7], kernels: +m[8], checksum: +m[9] });
      else if (/^BENCH \S+ \S+ FAILED/.test(l)) failedBench.push(l.slice(6));
    }
    const sanitizer = report.flatMap((l) => {
      const m = /^SANITIZER (\S+) (\S+) rc=(\d+) ?(.*)$/.exec(l);
      return m ? [{ tool: m[1], name: m[2], rc: +m[3], summary: m[4] }] : [];
    });
    const skips = report.filter((l) => /^(SKIP|MISSING|FATAL)|TIMED OUT|SKIPPED/.test(l));
    const header = report.filter((l) => /^(kiln device check|commit|GPU|TOOL|DONE)/.test(l));
    const ok = cases.length > 0 && cases.every((c) => c.ok);
    const result = { cases, notCompiled, bench, failedBench, sanitizer, skips, header, ok, text: '' };
    return { ...result, text: section(result) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function compareOne(suite: string, m: PackModel, rc: number | undefined, file: string, pack: string, golden: ReturnType<typeof loadCases>): { ok: boolean; detail: string } {
  if (rc === undefined) return { ok: false, detail: 'not run (no CASE line in report.txt)' };
  if (rc !== 0) return { ok: false, detail: `exit code ${rc}` };
  if (!existsSync(file)) return { ok: false, detail: 'no output file' };
  const got = decode(readFileSync(file), m.outputs);
  if (typeof got === 'string') return { ok: false, detail: got };
  if (suite === 'golden') {
    const c = golden.find((g) => g.name === m.name);
    if (!c) return { ok: false, detail: 'no such golden case here' };
    if (c.outputs.length !== got.length) return { ok: false, detail: `${got.length} outputs, expected ${c.outputs.length}` };
    const diffs = got.flatMap((g, i) => compareLiterals(g, c.outputs[i], c.tolerance));
    const bad = diffs.filter((d) => !d.ok);
    return bad.length ? { ok: false, detail: bad.map((d) => `${d.shape}: ${d.mismatch ?? `max abs ${d.maxAbs}, max rel ${d.maxRel}, ${d.bad} bad`}`).join('; ') }
      : { ok: true, detail: `max abs ${Math.max(0, ...diffs.map((d) => d.maxAbs)).toExponential(2)}` };
  }
  const want = decode(readFileSync(join(pack, suite, m.dir, 'expected.bin')), m.outputs);
  if (typeof want === 'string') return { ok: false, detail: `expected.bin: ${want}` };
  const { rel, at } = worstError(got[0], want[0]);
  return rel <= RTOL ? { ok: true, detail: `worst rel ${Math.max(rel, 0).toExponential(2)}` }
    : { ok: false, detail: `element ${at}: ${got[0].data[at]} vs PyTorch ${want[0].data[at]} (rel ${rel.toExponential(2)})` };
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toPrecision(3));

function section(r: Omit<CheckResult, 'text'>): string {
  const L: string[] = [];
  const get = (runner: string, name: string) => r.bench.find((b) => b.runner === runner && b.name === name);
  L.push('## CUDA on a GPU (bench/cuda/device.sh)', '');
  for (const h of r.header) L.push(`- ${h}`);
  L.push('');
  for (const suite of ['golden', 'pytorch']) {
    const cs = r.cases.filter((c) => c.suite === suite);
    if (!cs.length) continue;
    const bad = cs.filter((c) => !c.ok);
    L.push(`**${suite}**: ${cs.length - bad.length} of ${cs.length} match${suite === 'pytorch' ? ' PyTorch (1e-4 relative)' : ' (each case\'s tolerance)'}` +
      (bad.length ? `; wrong or missing: ${bad.map((c) => `${c.name} (${c.detail})`).join(', ')}` : '.'));
  }
  if (r.notCompiled.length) L.push(`Not compiled for CUDA: ${r.notCompiled.join('; ')}.`);
  L.push('');
  if (r.sanitizer.length) {
    const clean = r.sanitizer.filter((s) => s.rc === 0);
    L.push(`**compute-sanitizer**: ${clean.length} of ${r.sanitizer.length} runs clean ` +
      `(${[...new Set(r.sanitizer.map((s) => s.tool))].join(', ')} over ${[...new Set(r.sanitizer.map((s) => s.name))].join(', ')})` +
      (clean.length < r.sanitizer.length ? `; reports: ${r.sanitizer.filter((s) => s.rc !== 0).map((s) => `${s.tool} ${s.name}: rc ${s.rc}, ${s.summary}`).join('; ')}` : '.'));
    L.push('');
  }
  const kilnRows = r.bench.filter((b) => b.runner === 'kiln');
  if (kilnRows.length || r.bench.length) {
    L.push('| workload | kiln ms (rate) | kernels | cuBLAS ms (rate) | kiln ÷ cuBLAS | PyTorch ms (rate) | kiln ÷ PyTorch |', '|---|---|---|---|---|---|---|');
    const names = [...new Set(r.bench.map((b) => b.name))];
    for (const name of names) {
      const k = get('kiln', name);
      const c = get(name.endsWith('f16') ? 'cublas-gemmex' : 'cublas-sgemm', name);
      const t = get('torch', name);
      const cell = (b?: Bench) => (b ? `${fmt(b.median)} (${fmt(b.rate)} ${b.unit})` : '—');
      // "kiln ÷ peer" is the fraction of the peer's speed kiln reaches: peer ms / kiln ms.
      const ratio = (b?: Bench) => (b && k ? `${(b.median / k.median).toFixed(2)}` : '—');
      L.push(`| ${name} | ${cell(k)} | ${k?.kernels ?? '—'} | ${cell(c)} | ${ratio(c)} | ${cell(t)} | ${ratio(t)} |`);
    }
    L.push('');
    const mm = get('kiln', 'matmul-4096'), cb = get('cublas-sgemm', 'matmul-4096');
    if (mm && cb) L.push(`- kiln's f32 matmul 4096 runs at **${((cb.median / mm.median) * 100).toFixed(1)}% of cuBLAS sgemm** (${fmt(mm.rate)} against ${fmt(cb.rate)} GFLOP/s); checksums ${mm.checksum.toExponential(4)} and ${cb.checksum.toExponential(4)} (same seeded inputs).`);
    const mh = get('kiln', 'matmul-4096-f16'), ch = get('cublas-gemmex', 'matmul-4096-f16');
    if (mh && ch) L.push(`- f16 (f32 accumulation): **${((ch.median / mh.median) * 100).toFixed(1)}% of cublasGemmEx** (${fmt(mh.rate)} against ${fmt(ch.rate)} GFLOP/s); checksums ${mh.checksum.toExponential(4)} and ${ch.checksum.toExponential(4)}.`);
    const fused = r.bench.find((b) => b.runner === 'kiln' && b.name.startsWith('chain') && !b.name.endsWith('unfused'));
    const unfused = fused && get('kiln', `${fused.name}-unfused`);
    if (fused && unfused) L.push(`- Fusion: the chain fused (${fused.kernels} kernel${fused.kernels === 1 ? '' : 's'}) runs **${(unfused.median / fused.median).toFixed(2)}x** as fast as unfused (${unfused.kernels} kernels): ${fmt(fused.median)} against ${fmt(unfused.median)} ms.`);
    if (r.failedBench.length) L.push(`- Failed: ${r.failedBench.join('; ')}.`);
    L.push('');
  }
  if (r.skips.length) L.push('Skipped or missing:', '', ...r.skips.map((s) => `- ${s}`), '');
  return L.join('\n');
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) { console.error('usage: check.ts DIR (holding report.txt and outputs.tar from bench/cuda/device.sh)'); process.exit(2); }
  const r = check(dir);
  console.log(r.text);
  process.exit(r.ok ? 0 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
