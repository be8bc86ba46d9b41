// `kiln bench --profile`: a row per kernel that ran, named as the program names it, shares
// that add up to 100%, and a profiled build that computes what the plain one does.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kilnHere } from './in_process.js';
import { modelWithInputs } from '../../compiler/cli/model_inputs.js';
import { compileProgram } from '../../compiler/compile.js';
import { profileWasm } from '../../compiler/profile.js';
import { prepareWasm } from '../../compiler/wasm_backend.js';
import { launchesOf } from '../../ir/kernel/kernel.js';
import type { ArrayLiteral, Literal } from '../../ir/literal.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LENET = join(ROOT, 'examples', 'lenet5.hlo');



const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('kiln bench --profile', () => {
  it('gives each kernel of the program its row, heaviest first, with shares that sum to 100%', async () => {
    const r = await kilnHere('bench', LENET, '--profile', '--reps', '3', '--warmup', '1', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { profile, medianMs } = JSON.parse(r.stdout) as { profile: { runs: number; totalMs: number; rows: { kernel: string; ms: number; calls: number; share: number; source: string }[] }; medianMs: number };
    const { program } = compileProgram(modelWithInputs(LENET, {}, () => {}).module);
    expect(profile.rows.map((x) => x.kernel).sort()).toEqual([...launchesOf(program.steps)].map((l) => program.kernels[l.kernel].name).sort());
    expect(sum(profile.rows.map((x) => x.share))).toBeCloseTo(100, 0);
    expect(sum(profile.rows.map((x) => x.ms))).toBeCloseTo(profile.totalMs, 2);
    expect(profile.rows.every((x) => x.calls === 1)).toBe(true);
    const ms = profile.rows.map((x) => x.ms);
    expect(ms).toEqual([...ms].sort((a, b) => b - a));
    expect(profile.runs).toBe(3);
    expect(medianMs).toBeGreaterThan(0);
    expect(profile.rows.find((x) => x.kernel === program.kernels[0].name)?.source).toMatch(/^fusion = f32\[1,32,32,1\] fusion: /);
  });

  it('prints a table: rank, share, time, calls, kernel, schedule, HLO, then the sum beside the unprofiled median', async () => {
    const r = await kilnHere('bench', join(ROOT, 'tests/golden/cases/while_nested.hlo'), '--profile', '--reps', '2', '--warmup', '0');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => /^ +# +share +ms\/run +calls +kernel +schedule +HLO$/.test(l));
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1]).toMatch(/^ +1 +\d+\.\d%/);
    // The inner while's body runs more than once per run.
    expect(lines.slice(head + 1).some((l) => /^ +\d+ +\d+\.\d% +\d+\.\d+ +([2-9]|\d\d+)(\.\d+)? /.test(l))).toBe(true);
    expect(r.stdout).toMatch(/\n {2}sum \d+\.\d+ ms per run in \d+ kernels \(the mean; median \d+\.\d+ ms\); whole runs' median \d+\.\d+ ms profiled, \d+\.\d+ ms unprofiled/);
  });

  it("computes what the plain build computes", async () => {
    const { module, args } = modelWithInputs(LENET, { random: '4' }, () => {});
    const plain = await prepareWasm(module, { relaxedSimd: false });
    const expected = ((await plain.run(args)) as ArrayLiteral).data;
    const { outputs } = await profileWasm(module, args as Literal[], { fusion: true, relaxedSimd: false, warmup: 0, reps: 1 });
    expect(Object.values(outputs).map((o) => [...o])).toEqual([[...expected]]);
  });

  it.each([
    [['--threads', '2'], /--profile runs on one thread \(got --threads 2\)/],
    [['--backend', 'interpreter'], /--profile applies to --backend wasm only/],
  ])('refuses %j with a clear message', async (extra, message) => {
    const r = await kilnHere('bench', 'examples/mlp.hlo', '--profile', ...extra);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
