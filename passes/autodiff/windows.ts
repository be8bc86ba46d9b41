// Windows read one tap at a time: for each position inside a window (in row-major order,
// as select-and-scatter scans them), the strided slice of the padded, base-dilated input
// that this tap reads for every window at once. Scanning the taps with a comparison picks,
// per window, the element select-and-scatter would pick, and carries other arrays' values
// from that element along (the tangent, the cotangent).
import type { WindowDim } from '../../ir/attrs.js';
import type { Direction } from '../../ir/builder.js';
import type { Instruction } from '../../ir/module.js';
import { type Emitter, dimsOf, dtypeOf } from './emitter.js';

/** More taps than this and the scan is refused (global pooling over big images). */
export const MAX_TAPS = 256;

export const tapCount = (w: readonly WindowDim[]): number => w.reduce((n, d) => n * d.size, 1);

function taps(w: readonly WindowDim[]): number[][] {
  let out: number[][] = [[]];
  for (const d of w) out = out.flatMap((t) => Array.from({ length: d.size }, (_, k) => [...t, k]));
  return out;
}

function padded(e: Emitter, x: Instruction, w: readonly WindowDim[], fill: number): Instruction {
  const p = w.map((d) => ({ low: d.padLow, high: d.padHigh, interior: d.lhsDilate - 1 }));
  return p.every((q) => q.low === 0 && q.high === 0 && q.interior === 0) ? x : e.c.pad(x, e.scalar(dtypeOf(x), fill), p);
}

function tap(e: Emitter, xp: Instruction, w: readonly WindowDim[], out: readonly number[], at: number[]): Instruction {
  const starts = at.map((k, i) => k * w[i].rhsDilate);
  const limits = starts.map((s, i) => (out[i] === 0 ? s : s + (out[i] - 1) * w[i].stride + 1));
  const full = starts.every((s, i) => s === 0 && limits[i] === dimsOf(xp)[i] && w[i].stride === 1);
  return full ? xp : e.c.slice(xp, starts, limits, w.map((d) => d.stride));
}

/**
 * Per window (result dims `out`): the element of x that select-and-scatter with
 * `select = compare(current, candidate, dir)` picks, and each carried array's value there.
 * Padding never wins (it reads ∓inf); carried arrays read 0 there.
 */
export function scanWindows(e: Emitter, x: Instruction, w: readonly WindowDim[], out: readonly number[], dir: Direction, carried: Instruction[]): Instruction[] {
  const never = dir === 'GE' || dir === 'GT' ? -Infinity : Infinity;
  const xp = padded(e, x, w, never);
  const cp = carried.map((c) => padded(e, c, w, 0));
  let best: Instruction | undefined;
  let vals: Instruction[] = [];
  for (const at of taps(w)) {
    const cand = tap(e, xp, w, out, at), cvals = cp.map((c) => tap(e, c, w, out, at));
    if (!best) {
      best = cand;
      vals = cvals;
      continue;
    }
    const keep = e.cmp(best, cand, dir);
    best = e.select(keep, best, cand);
    vals = vals.map((v, k) => e.select(keep, v, cvals[k]));
  }
  return vals;
}
