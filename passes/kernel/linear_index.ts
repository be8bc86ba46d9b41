// An index as a sum of terms k·e plus a constant. s32 addition wraps, and scaling by
// the element size distributes over it, so a target may place each term where it is
// cheapest: the constant in a load's offset or a pointer, loop-invariant terms before
// the loop, the loop variable's term in an induction pointer.
import type { Expr } from '../../ir/kernel/kernel.js';

export interface IndexTerm {
  readonly e: Expr;
  /** An exact small integer (|k| < 2^31); the product wraps mod 2^32 when emitted. */
  readonly k: number;
}

export interface LinearIndex {
  readonly terms: readonly IndexTerm[];
  /** Exact (not wrapped): the caller decides where it fits. */
  readonly constant: bigint;
}

/**
 * `index` split at additions, subtractions of constants and multiplications by
 * constants. `fold` gives an expression's constant value where it has one; `expand`
 * gives the expression a variable stands for where the caller wants it split too (a
 * loop-invariant let, so that variables differing by a constant share one base).
 */
export function linearIndex(index: Expr, fold: (e: Expr) => number | undefined, expand: (v: Expr) => Expr | undefined): LinearIndex {
  const terms: IndexTerm[] = [];
  let c = 0n;
  const split = (e: Expr, k: number): void => {
    const v = fold(e);
    if (v !== undefined) { c += BigInt(v) * BigInt(k); return; }
    if (e.k === 'binary' && e.type.lanes === 1 && (e.type.scalar === 's32' || e.type.scalar === 'u32')) {
      if (e.op === 'add') { split(e.a, k); split(e.b, k); return; }
      if (e.op === 'subtract') {
        const b = fold(e.b);
        if (b !== undefined) { split(e.a, k); c -= BigInt(b) * BigInt(k); return; }
      }
      if (e.op === 'multiply') {
        const a = fold(e.a), b = fold(e.b);
        const f = b ?? a;
        if (f !== undefined && Math.abs(f * k) < 2 ** 31) { split(b !== undefined ? e.a : e.b, f * k); return; }
      }
    }
    const d = expand(e);
    if (d) { split(d, k); return; }
    terms.push({ e, k });
  };
  split(index, 1);
  return { terms, constant: c };
}
