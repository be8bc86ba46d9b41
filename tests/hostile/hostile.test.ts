// The hostile-input campaign: hundreds of malformed, oversized and deeply nested HLO,
// ONNX and .npy files (tests/hostile/generate.ts) through every command that reads them.
// Each must be refused with exit 2, 3 or 4 and a one-line message with no stack trace,
// within a few seconds. Most run in this process (spawning the CLI costs seconds); the
// ones that read a FIFO, and a sample of the rest, run as the real CLI in a child process
// with a 1 GiB heap, which also bounds their peak memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHostile, type HostileRun } from './generate.js';
import { cleanMessage, runChild, runInProcess, type Outcome } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-hostile-'));
const runs = generateHostile(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IN_PROCESS_MS = 5_000;
/** A file a command accepts may be compiled by binaryen, which takes seconds of its own. */
const ACCEPTED_MS = 15_000;
/** Spawning the CLI alone takes 2-3 s, and more than twice that on a loaded machine. */
const CHILD_MS = 30_000;
const MAX_RSS_KIB = 1024 * 1024;
/** Every how-many-th in-process run is also run as a child process. */
const SAMPLE_EVERY = 271;
/** Children started together: the machine's two cores. */
const CHILDREN_AT_ONCE = 2;

/** What is wrong with an outcome, or undefined when it is a clean refusal (or an allowed pass). */
function problem(r: HostileRun, o: Outcome, limitMs: number): string | undefined {
  const passed = o.code === 0 && r.mayPass;
  if (!passed && ![2, 3, 4].includes(o.code)) return `exit ${o.code}: ${o.stderr.slice(0, 300)}`;
  if (!passed && !cleanMessage(o.stderr)) return `not a one-line message: ${o.stderr.slice(0, 300)}`;
  if (o.ms > (passed ? Math.max(limitMs, ACCEPTED_MS) : limitMs)) return `took ${o.ms.toFixed(0)} ms`;
  if (o.maxRssKiB !== undefined && o.maxRssKiB > MAX_RSS_KIB) return `peak memory ${(o.maxRssKiB / 1024).toFixed(0)} MiB`;
  return undefined;
}

const counts = new Map<string, Map<number, number>>();
const seconds = new Map<string, number>();
function count(command: string, o: Outcome): void {
  const byCode = counts.get(command) ?? new Map<number, number>();
  byCode.set(o.code, (byCode.get(o.code) ?? 0) + 1);
  counts.set(command, byCode);
  seconds.set(command, (seconds.get(command) ?? 0) + o.ms / 1000);
}

describe('hostile inputs', () => {
  it('the campaign has hundreds of runs over every command', () => {
    expect(runs.length).toBeGreaterThan(500);
    expect(new Set(runs.map((r) => r.command))).toEqual(new Set(['opt', 'run', 'run-wasm', 'compile', 'import', 'run-npy']));
  });

  for (const command of ['opt', 'run', 'run-wasm', 'compile', 'import', 'run-npy'])
    it(`${command}: every file refused cleanly, in process`, async () => {
      const problems: string[] = [];
      for (const r of runs.filter((x) => x.command === command && !x.needsProcess)) {
        const o = await runInProcess(r.args);
        count(command, o);
        const p = problem(r, o, IN_PROCESS_MS);
        if (p) problems.push(`${r.label}: ${p}`);
      }
      expect(problems).toEqual([]);
    });

  it('a sample, and everything that names a FIFO or a device, refused cleanly by the real CLI in bounded memory', async () => {
    const chosen = runs.filter((r, i) => r.needsProcess || i % SAMPLE_EVERY === 0);
    const problems: string[] = [];
    const check = async (r: HostileRun) => {
      const o = await runChild(r.args, CHILD_MS);
      count(`${r.command} (child)`, o);
      const p = problem(r, o, CHILD_MS);
      if (p) problems.push(`${r.label}: ${p}`);
      else if (o.maxRssKiB === undefined && o.code !== 0) problems.push(`${r.label}: the child reported no peak memory`);
    };
    for (let i = 0; i < chosen.length; i += CHILDREN_AT_ONCE) await Promise.all(chosen.slice(i, i + CHILDREN_AT_ONCE).map(check));
    expect(chosen.filter((r) => r.needsProcess).length).toBeGreaterThanOrEqual(4);
    expect(problems).toEqual([]);
  });

  afterAll(() => {
    const rows = [...counts].map(([c, byCode]) =>
      `${c.padEnd(18)} ${[...byCode].sort().map(([k, n]) => `exit ${k}: ${n}`).join(', ')}  (${seconds.get(c)!.toFixed(1)} s)`);
    console.log(`hostile inputs, runs by command and exit code:\n${rows.join('\n')}`);
  });
});
