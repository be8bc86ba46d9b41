// Sentinels. ArgMax/ArgMin reduce (value, index) pairs from an index init of INT64_MAX:
// it does not fit 32 bits, but the reducer only compares indices with each other and
// selects among them. Any strictly increasing map of the values that occur then commutes
// with the reducer, so the reduce may run on relabelled indices: the sentinel becomes the
// narrow type's own extreme (INT32_MAX), every index stays itself (all below it). The
// result is relabelled too: copying it, comparing it with values on the near side of the
// image, or using it as a start index (both ends clamp alike) is exact; anything else
// reads it widened back by `select(x == INT32_MAX, INT64_MAX, convert(x))`.
import type { DType } from '../ir/dtype.js';
import { arrayLiteral } from '../ir/literal.js';
import type { Computation, Instruction } from '../ir/module.js';
import type { ArrayShape } from '../ir/shape.js';
import { dtypeRange, type Range } from './int_range.js';
import { makeInstruction } from './rewrite.js';
import type { NameUniquer } from '../ir/builder.js';

export interface Relabel {
  /** The 64-bit sentinel value. */
  readonly wide: bigint;
  /** The narrow value standing for it. */
  readonly image: bigint;
}

/** Ops that copy the elements of their one operand: a relabelled value stays relabelled. */
export const RELABEL_MOVES = new Set(['broadcast', 'reshape', 'transpose', 'slice', 'reverse', 'copy']);

/** The image of sentinel `wide` in `narrow` when every other value (`others`) lies strictly on its near side. */
export function sentinelImage(wide: bigint, others: Range, narrow: DType): Relabel | undefined {
  const all = dtypeRange(narrow)!;
  if (wide > all.hi && others.hi < all.hi) return { wide, image: all.hi };
  if (wide < all.lo && others.lo > all.lo) return { wide, image: all.lo };
  return undefined;
}

/**
 * Lane k of reducer r (of n lanes) is only compared within itself and selected among:
 * its parameters k and n + k, and selects of them, reach only compares of two such values,
 * the on-true and on-false operands of such selects, and the root's element k.
 */
export function orderOnly(r: Computation, k: number, n: number): boolean {
  const lane = new Set<Instruction>([r.params[k], r.params[n + k]]);
  for (const i of r.instructions) {
    const reads = i.operands.flatMap((o, j) => (lane.has(o) ? [j] : []));
    if (reads.length === 0 || i.opcode === 'parameter') continue;
    if (i.opcode === 'compare' && reads.length === 2) continue;
    if (i.opcode === 'select' && !reads.includes(0) && reads.length === 2) lane.add(i);
    else if (!(i === r.root && i.opcode === 'tuple' && reads.length === 1 && reads[0] === k)) return false;
  }
  return r.root.opcode === 'tuple' ? lane.has(r.root.operands[k]) : n === 1 && lane.has(r.root);
}

/** A compare of relabelled x with y is exact when y is relabelled alike, or all of y lies on the near side of the image. */
export function comparesExactly(x: Relabel, y: Relabel | undefined, yRange: Range | undefined): boolean {
  if (y) return y.wide === x.wide && y.image === x.image;
  if (!yRange) return false;
  return x.wide > x.image ? yRange.hi < x.image : yRange.lo > x.image;
}

/** `select(n == image, wide, convert(n))` in the wide shape; its instructions go to `out`. */
export function widenRelabelled(n: Instruction, wideShape: ArrayShape, r: Relabel, name: string, names: NameUniquer, out: Instruction[]): Instruction {
  const narrowShape = n.shape as ArrayShape;
  const splat = (shape: ArrayShape, v: bigint, tag: string): Instruction => {
    const scalar: ArrayShape = { kind: 'array', dtype: shape.dtype, dims: [] };
    const k = makeInstruction(names.unique(`${name}.${tag}`), 'constant', scalar, [], { literal: arrayLiteral(scalar, [shape.dtype.endsWith('64') ? v : Number(v)]) });
    const b = makeInstruction(names.unique(`${name}.${tag}`), 'broadcast', { ...shape }, [k], { dimensions: [] });
    out.push(k, b);
    return b;
  };
  const image = splat(narrowShape, r.image, 'image');
  const isSentinel = makeInstruction(names.unique(`${name}.is_sentinel`), 'compare', { kind: 'array', dtype: 'pred', dims: narrowShape.dims }, [n, image], { direction: 'EQ' });
  const sentinel = splat(wideShape, r.wide, 'sentinel');
  const converted = makeInstruction(names.unique(`${name}.convert`), 'convert', wideShape, [n], {});
  const wide = makeInstruction(names.unique(`${name}.wide`), 'select', wideShape, [isSentinel, sentinel, converted], {});
  out.push(isSentinel, converted, wide);
  return wide;
}
