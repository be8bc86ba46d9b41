// What the CLI says to hostile and oversized input: the exit code, and a message that
// names where and, for sizes, what is needed and what the limit is. The broad campaign is
// tests/hostile; these pin the messages of the cases the CLI documents (docs/limits.md).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../compiler/cli/main.js';
import { ONNX_OPS } from '../../compiler/frontends/onnx/ops/index.js';
import { onnxModel } from '../hostile/onnx_cases.js';

async function kiln(...args: string[]) {
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await main(args);
  return { code, stderr: err.join('\n') };
}
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'kiln-hostile-cli-'));
const hlo = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, `HloModule m\nENTRY e {\n${body}\n}\n`);
  return path;
};

describe('kiln on hostile input', () => {
  it('a dim past 2^53 is refused at parse time, naming file:line:col', async () => {
    const f = hlo('dim.hlo', '  p = f32[4722366482869645213696] parameter(0)\n  ROOT r = f32[4722366482869645213696] negate(p)');
    const r = await kiln('compile', f, '-o', join(dir, 'out'));
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`kiln compile: error: ${f}:3:11: dimension size 4722366482869645213696 is larger than 2^53 - 1, the most kiln holds exactly`);
  });

  it('sizes a backend cannot hold say what is needed and the limit (exit 4)', async () => {
    const f = hlo('big.hlo', '  p = f32[] parameter(0)\n  ROOT b = f32[2,2000000000] broadcast(p), dimensions={}');
    const run = await kiln('run', f);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^kiln run: too large: f32\[2,2000000000\] has 4000000000 elements; the interpreter holds at most 2\^28/);
    const compile = await kiln('compile', f, '-o', join(dir, 'out'));
    expect(compile.code).toBe(4);
    expect(compile.stderr).toMatch(/%b \(broadcast\): f32\[2,2000000000\] needs 14.9 GiB; wasm32 linear memory holds at most 4 GiB \(and browsers may allow less\)/);
  });

  it('custom-call and unbounded dynamic dims are not run, with the reason (exit 4, not 70)', async () => {
    const cc = await kiln('run', hlo('cc.hlo', '  p = f32[2] parameter(0)\n  ROOT r = f32[2] custom-call(p), custom_call_target="X"'));
    expect(cc).toEqual({ code: 4, stderr: "kiln run: not run: kiln's interpreter does not run opcode 'custom-call' (instruction %r)" });
    const dyn = await kiln('run', hlo('dyn.hlo', '  p = f32[?] parameter(0)\n  ROOT r = f32[?] negate(p)'));
    expect(dyn.code).toBe(4);
    expect(dyn.stderr).toMatch(/runs static and bounded shapes only, not the unbounded f32\[\?\]/);
    const bounded = await kiln('run', hlo('bounded.hlo', '  p = f32[<=4] parameter(0)\n  ROOT r = f32[<=4] negate(p)'));
    expect(bounded.code).toBe(0); // runs at its bound, as XLA's evaluator does
  });

  it('10,000-deep tuples are refused naming line:col instead of overflowing the stack', async () => {
    const deep = '('.repeat(10_000) + 'f32[]' + ')'.repeat(10_000);
    const r = await kiln('opt', hlo('deep.hlo', `  ROOT p = ${deep} parameter(0)`));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/deep\.hlo:3:\d+: nesting deeper than 500 levels/);
  });

  it('an .npy naming a FIFO, a folder or a device is refused, not read', async () => {
    const f = hlo('x.hlo', '  p = f32[2] parameter(0)\n  ROOT r = f32[2] negate(p)');
    const r = await kiln('run', f, '--input', 'p=/dev/zero');
    expect(r).toEqual({ code: 3, stderr: 'kiln run: error: /dev/zero: not a regular file (a device); kiln reads .npy inputs from regular files only' });
  });

  it('an output path that cannot be written is the user\'s error (exit 3), not kiln\'s', async () => {
    const f = hlo('ok.hlo', '  p = f32[2] parameter(0)\n  ROOT r = f32[2] negate(p)');
    const r = await kiln('run', f, '--output-dir', f); // a file where a folder should be
    expect(r).toEqual({ code: 3, stderr: `kiln run: error: cannot write ${f}: EEXIST` });
  });

  it("a TypeError inside an ONNX lowering is kiln's bug: exit 70, not bad input", async () => {
    const path = join(dir, 'relu.onnx');
    writeFileSync(path, onnxModel({ nodes: [{ name: 'n', opType: 'Relu', input: ['x'], output: ['y'] }] }));
    const relu = ONNX_OPS.Relu;
    const broken = { ...relu, lower: () => (undefined as unknown as { x: number }[])[0].x as never };
    (ONNX_OPS as Record<string, unknown>).Relu = broken;
    try {
      const r = await kiln('import', path, '-o', join(dir, 'relu.hlo'));
      expect(r.code).toBe(70);
      expect(r.stderr).toMatch(/internal error: TypeError/);
    } finally {
      (ONNX_OPS as Record<string, unknown>).Relu = relu;
    }
  });
});
