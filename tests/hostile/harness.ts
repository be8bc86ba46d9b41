// Running one kiln command on a hostile input, in this process (fast: most cases) or in
// a child process with a memory cap (FIFOs, and a sample checking the real CLI end to end).
import { spawn } from 'node:child_process';
import { main } from '../../compiler/cli/main.js';

export interface Outcome {
  code: number;
  stderr: string;
  ms: number;
  /** Peak resident memory of the child process (KiB); only for child runs. */
  maxRssKiB?: number;
}

/** `main(args)` with console output captured (stdout dropped). */
export async function runInProcess(args: string[]): Promise<Outcome> {
  const err: string[] = [];
  const { log, error } = console;
  const write = process.stdout.write;
  console.log = () => undefined;
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const t0 = performance.now();
  try {
    const code = await main(args);
    return { code, stderr: err.join('\n'), ms: performance.now() - t0 };
  } finally {
    Object.assign(console, { log, error });
    process.stdout.write = write;
  }
}

const CHILD = new URL('./child.mjs', import.meta.url).pathname;

/**
 * The real CLI in a child process with a 1 GiB heap, killed after `timeoutMs`. Async, so
 * that the test runner's own messages keep flowing while it waits.
 */
export function runChild(args: string[], timeoutMs: number): Promise<Outcome> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--max-old-space-size=1024', CHILD, ...args], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '', fd3 = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdio[3]!.on('data', (d) => (fd3 += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((done) => child.on('close', (code, signal) => {
    clearTimeout(timer);
    const rss = /maxRSS (\d+)/.exec(fd3);
    done({
      code: code ?? 128,
      stderr: stderr + (signal ? `\n[killed by ${signal}]` : ''),
      ms: performance.now() - t0,
      ...(rss ? { maxRssKiB: Number(rss[1]) } : {}),
    });
  }));
}

/** A one-line message with no stack trace: what every refusal must look like. */
export function cleanMessage(stderr: string): boolean {
  const lines = stderr.trimEnd().split('\n').filter((l) => !l.startsWith("Run 'kiln"));
  return lines.length === 1 && !/\n\s+at |internal error/.test(stderr);
}
