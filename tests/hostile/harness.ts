// Running one kiln command on a hostile input, in this process (fast: most cases) or in
// a child process with a memory cap (FIFOs, and a sample checking the real CLI end to end).
import { spawnSync } from 'node:child_process';
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

/** The real CLI in a child process with a 1 GiB heap, killed after `timeoutMs`. */
export function runChild(args: string[], timeoutMs: number): Outcome {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--max-old-space-size=1024', CHILD, ...args], {
    timeout: timeoutMs, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const rss = /maxRSS (\d+)/.exec(String(r.output?.[3] ?? ''));
  return {
    code: r.status ?? (r.signal ? 128 : -1),
    stderr: r.stderr + (r.signal ? `\n[killed by ${r.signal}]` : ''),
    ms: performance.now() - t0,
    ...(rss ? { maxRssKiB: Number(rss[1]) } : {}),
  };
}

/** A one-line message with no stack trace: what every refusal must look like. */
export function cleanMessage(stderr: string): boolean {
  const lines = stderr.trimEnd().split('\n').filter((l) => !l.startsWith("Run 'kiln"));
  return lines.length === 1 && !/\n\s+at |internal error/.test(stderr);
}
