// The MNIST tutorials run as the README says (`npx tsx examples/...`, importing the built
// package by its name), shortened: softmax regression must still reach the 88% on
// the held-out digits, the CNN must train, write its folder, and that folder must classify
// digits without kiln.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/kiln.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function tsx(...args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const accuracy = (out: string, what: RegExp): number => Number(what.exec(out)?.[1]);

describe('the MNIST tutorials (examples/)', () => {
  it('mnist_softmax.ts reaches 88% on the held-out digits in 400 steps', () => {
    const out = tsx('examples/mnist_softmax.ts', '--steps', '400');
    expect(out).toMatch(/step 400\/400/);
    expect(accuracy(out, /test accuracy: ([\d.]+)\n$/)).toBeGreaterThanOrEqual(0.88);
  });

  it('mnist_cnn.ts trains, writes a folder, and mnist_predict.ts runs it without kiln', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-mnist-'));
    dirs.push(dir);
    const out = tsx('examples/mnist_cnn.ts', '--steps', '20', '--out', dir);
    const trained = accuracy(out, /test accuracy: ([\d.]+)\n$/);
    expect(trained).toBeGreaterThan(0.5);
    const predicted = accuracy(tsx('examples/mnist_predict.ts', dir), /accuracy ([\d.]+)\n$/);
    // The same network on the same digits: the folder classifies as the trained model did
    // (up to rounding in near ties between a batch of 500 and one digit at a time).
    expect(Math.abs(predicted - trained)).toBeLessThanOrEqual(0.002);
  });
});
