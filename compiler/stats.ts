// Summary statistics of timing samples, shared by `kiln bench` and the bench harness
// (bench/measure.ts), so both report the same median and percentiles.

export interface Stats {
  median: number;
  p10: number;
  p90: number;
  min: number;
  n: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted samples: linear interpolation between closest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile of no samples');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median, p10, p90 and min of unsorted samples. */
export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), min: s[0]!, n: s.length };
}
