// Window placement shared by convolution, reduce-window and select-and-scatter.
// For each windowed dimension a table maps (output position, window position) to the
// input offset it reads, or -1 where the window sits on padding or a dilation hole.
import type { WindowDim } from '../attrs.js';
import { product } from './util.js';

const UNIT: WindowDim = { size: 1, stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false };

/** The window for `rank` dimensions; a missing window (or dimension) is size `sizeOf(i)`, stride 1, no padding. */
export function fullWindow(w: readonly WindowDim[] | undefined, rank: number, sizeOf: (i: number) => number = () => 1): WindowDim[] {
  return Array.from({ length: rank }, (_, i) => w?.[i] ?? { ...UNIT, size: sizeOf(i) });
}

export interface WindowPlan {
  /** Windowed dims. */
  rank: number;
  /** Output positions per windowed dim. */
  outSizes: number[];
  /** Window positions per windowed dim. */
  winSizes: number[];
  /** Number of window positions (product of winSizes). */
  count: number;
  /** Window position q's coordinate in dim i: pos[q * rank + i], row-major over winSizes. */
  pos: Int32Array;
  /** tables[i][o * winSizes[i] + k]: input offset (index × input stride) or -1. */
  tables: Int32Array[];
}

export function planWindow(
  win: readonly WindowDim[], outSizes: readonly number[], inSizes: readonly number[], inStrides: readonly number[],
): WindowPlan {
  const rank = win.length;
  const winSizes = win.map((w) => w.size);
  const count = product(winSizes);
  const pos = new Int32Array(count * rank);
  for (let q = 0; q < count; q++) {
    let rest = q;
    for (let i = rank - 1; i >= 0; i--) {
      pos[q * rank + i] = rest % winSizes[i];
      rest = Math.floor(rest / winSizes[i]);
    }
  }
  const tables = win.map((w, i) => {
    const t = new Int32Array(outSizes[i] * w.size);
    for (let o = 0; o < outSizes[i]; o++) {
      for (let k = 0; k < w.size; k++) {
        // Position in the padded, base-dilated input.
        const p = o * w.stride + k * w.rhsDilate - w.padLow;
        let off = -1;
        if (p >= 0 && p % w.lhsDilate === 0) {
          const idx = p / w.lhsDilate;
          if (idx < inSizes[i]) off = idx * inStrides[i];
        }
        t[o * w.size + k] = off;
      }
    }
    return t;
  });
  return { rank, outSizes: [...outSizes], winSizes, count, pos, tables };
}

/** Decode row-major linear index p over sizes into idx. */
export function decode(p: number, sizes: readonly number[], idx: Int32Array): void {
  for (let i = sizes.length - 1; i >= 0; i--) {
    idx[i] = p % sizes[i];
    p = Math.floor(p / sizes[i]);
  }
}

/** Offset read by window position q at output position outIdx, or -1 if it is padding. */
export function windowOffset(plan: WindowPlan, outIdx: Int32Array, q: number): number {
  let off = 0;
  const r = plan.rank;
  for (let i = 0; i < r; i++) {
    const t = plan.tables[i][outIdx[i] * plan.winSizes[i] + plan.pos[q * r + i]];
    if (t < 0) return -1;
    off += t;
  }
  return off;
}
