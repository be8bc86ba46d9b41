// What the CLI says when a model uses an op the chosen target does not compile: the
// instruction and opcode, exit code 4, and no stack trace.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kilnHere } from './in_process.js';



describe('kiln on an op the target does not compile', () => {
  // Complex numbers are compiled by no target yet (the imag of a real number is).
  const model = 'tests/cli/complex.hlo';

  it.each([
    ['run', [model, '--backend', 'wasm', '--random', '1']],
    ['compile', [model, '--target', 'wasm', '-o', join(tmpdir(), 'kiln-not-compiled')]],
    ['bench', [model, '--backend', 'wasm', '--random', '1', '--reps', '1']],
  ])('%s names the instruction and opcode and exits 4', async (cmd, args) => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-nc-'));
    try {
      const r = await kilnHere(cmd, ...args.map((a) => (a.endsWith('kiln-not-compiled') ? join(dir, 'out') : a)));
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/not compiled: %\S+ \(imag\)/);
      expect(r.stderr, 'no hint that the interpreter runs complex numbers').not.toMatch(/--backend interpreter/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the interpreter does not run it either, and says so (exit 4, not 70)', async () => {
    const r = await kilnHere('run', model, '--backend', 'interpreter', '--random', '1');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/not run: .*'c64'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
