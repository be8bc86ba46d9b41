// `kiln` run in the test's own process (compiler/cli/main.ts's main), what it prints
// captured: faster than a process per call where the test needs no clean process.
import { afterEach, vi } from 'vitest';
import { main } from '../../compiler/cli/main.js';

/** Runs main() here, capturing what it prints. */
export async function kilnHere(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { code: await main(args), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());
