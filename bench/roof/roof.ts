// The native roof: the C in this folder, compiled at bench time with the machine's
// own `cc -O3 -march=native`, so the roof is this CPU's, not a number from a datasheet.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUT_DIR } from '../models.js';

export interface GemmPoint {
  n: number;
  medianMs: number;
  minMs: number;
  gflops: number;
}

export interface RoofResult {
  /** Single-core peak GFLOP/s: 256-bit FMA, and 128-bit mul + add as wasm SIMD has them. */
  peak?: { fma256Gflops: number; muladd128Gflops: number };
  /** OpenBLAS sgemm, per thread count. */
  gemm: { threads: number; points: GemmPoint[] }[];
  /** What could not be measured, and why (shown under the table). */
  skipped: string[];
}

const SRC = import.meta.dirname;
const BIN = join(OUT_DIR, 'roof');

function compile(name: string, libs: string[]): string {
  const out = join(BIN, name);
  execFileSync('cc', ['-O3', '-march=native', '-o', out, join(SRC, `${name}.c`), ...libs], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}

const stderrOf = (e: unknown) => String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim().split('\n')[0];

export function measureRoof(sizes: number[], reps: number, threads: number[]): RoofResult {
  mkdirSync(BIN, { recursive: true });
  const result: RoofResult = { gemm: [], skipped: [] };
  try {
    result.peak = JSON.parse(execFileSync(compile('peak', []), { encoding: 'utf8' }));
  } catch (e) {
    result.skipped.push(`SIMD peak: ${stderrOf(e)}`);
  }
  if (sizes.length === 0) return result;
  let gemm: string;
  try {
    gemm = compile('gemm', ['-lopenblas']);
  } catch (e) {
    result.skipped.push(`OpenBLAS roof: cannot build against OpenBLAS (${stderrOf(e)}); install it with \`apt-get install -y libopenblas-dev\``);
    return result;
  }
  for (const t of threads) {
    // OpenBLAS reads its thread count from the environment at load time.
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
    const out = execFileSync(gemm, [String(reps), ...sizes.map(String)], { encoding: 'utf8', env });
    result.gemm.push({ threads: t, points: out.trim().split('\n').map((l) => JSON.parse(l) as GemmPoint) });
  }
  return result;
}
