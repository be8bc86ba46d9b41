// narrow-int64's interface step, for a host that converts at the boundary (the webgpu
// backend). narrowInt64 keeps the module's interface: a saturated s64 entry parameter is
// read as convert(clamp(lo, p, hi)) to s32, and a narrowed root is widened by a convert back
// to s64. Fusion then pulls those 64-bit boundary ops into kernels, and a target without
// 64-bit integers refuses them. This step moves both converts to the host instead:
//
// - such a parameter becomes s32 (u32): the host saturates each value into the narrow type
//   (saturateToNarrow) before upload. lo and hi lie inside the narrow type, so
//   clamp(lo, sat(x), hi) = clamp(lo, x, hi): bit-identical to the module it came from;
// - a root (or a root tuple element) that is convert(x: s32 → s64) (u32 → u64) becomes x:
//   the host sign- (zero-) extends it on read-back (widenFromNarrow), which is what that
//   convert computes.
//
// The caller saturates a parameter whose dtype became s32 (u32), and widens the results listed.
import { arrayLiteral, type ArrayLiteral } from '../ir/literal.js';
import { usersOf, type Computation, type Instruction, type Module } from '../ir/module.js';
import type { ArrayShape } from '../ir/shape.js';
import { NARROW } from './narrow_int64.js';
import { cloneModule } from './rewrite.js';

const NARROW_BOUNDS: Record<string, readonly [bigint, bigint]> = {
  s32: [-(2n ** 31n), 2n ** 31n - 1n],
  u32: [0n, 2n ** 32n - 1n],
};

/**
 * How the host widens one result leaf it reads in 32 bits: sign- or zero-extended to
 * `dtype`, and where a sentinel was relabelled (passes/narrow_int64_relabel.ts), the
 * narrow `image` read back as the wide sentinel.
 */
export interface Widening {
  readonly dtype: 's64' | 'u64';
  readonly relabel?: { readonly image: bigint; readonly wide: bigint };
}

export interface NarrowedInterface {
  readonly module: Module;
  /** Per result leaf (the root, or each element of a root tuple of arrays): how to widen it, or undefined. */
  readonly results: readonly (Widening | undefined)[];
}

/** `m` (already through narrowInt64) with saturated s64/u64 parameters and widened results in 32 bits. */
export function narrowInterface(input: Module): NarrowedInterface {
  const m = cloneModule(input);
  const c = m.entry;
  const users = usersOf(c);
  for (const p of c.params) narrowParam(p, users);
  return { module: m, results: narrowRoot(c) };
}

const arrayShape = (i: Instruction): ArrayShape | undefined => (i.shape.kind === 'array' ? i.shape : undefined);

/** A scalar constant of `dtype` whose value lies in `narrow`'s range. */
function narrowConstant(i: Instruction, narrow: string): boolean {
  if (i.opcode !== 'constant' || arrayShape(i)?.dims.length !== 0) return false;
  const lit = (i.attrs as { literal?: ArrayLiteral }).literal;
  if (!lit || !('data' in lit) || lit.data.length !== 1) return false;
  const v = BigInt(lit.data[0] as bigint | number), [lo, hi] = NARROW_BOUNDS[narrow];
  return v >= lo && v <= hi;
}

/**
 * p's only use is clamp(lo, p, hi) whose uses are all converts to the narrow type (the
 * pattern narrow_int64_rewrite.ts's saturate makes): retype p, lo, hi and the clamp; the
 * converts become s32 → s32 ones, which the simplifier drops.
 */
function narrowParam(p: Instruction, users: Map<Instruction, Instruction[]>): void {
  const s = arrayShape(p), narrow = s && NARROW[s.dtype];
  if (!s || !narrow) return;
  const [clamp, ...others] = users.get(p) ?? [];
  if (!clamp || others.length || clamp.opcode !== 'clamp' || clamp.operands[1] !== p) return;
  const [lo, , hi] = clamp.operands;
  if (lo === hi || ![lo, hi].every((b) => narrowConstant(b, narrow) && users.get(b)?.length === 1)) return;
  const converts = users.get(clamp) ?? [];
  if (!converts.length || !converts.every((u) => u.opcode === 'convert' && arrayShape(u)?.dtype === narrow)) return;
  for (const b of [lo, hi]) {
    const lit = (b.attrs as { literal: ArrayLiteral }).literal;
    b.shape = { ...(b.shape as ArrayShape), dtype: narrow };
    b.attrs = { ...b.attrs, literal: arrayLiteral(b.shape as ArrayShape, [Number(lit.data[0])]) };
  }
  p.shape = { ...s, dtype: narrow };
  clamp.shape = { ...(clamp.shape as ArrayShape), dtype: narrow };
}

const scalarValue = (i: Instruction): bigint | undefined => {
  const k = i.opcode === 'broadcast' ? i.operands[0] : i;
  const lit = k.opcode === 'constant' ? (k.attrs as { literal?: ArrayLiteral }).literal : undefined;
  return lit && 'data' in lit && lit.data.length === 1 ? BigInt(lit.data[0] as bigint | number) : undefined;
};

/**
 * The narrow value a root leaf widens and how: convert(n) (the rewrite's `.wide`), or
 * select(n == image, sentinel, convert(n)) (widenRelabelled's).
 */
function widened(i: Instruction): { narrow: Instruction; how: Widening } | undefined {
  const s = arrayShape(i);
  if (!s || (s.dtype !== 's64' && s.dtype !== 'u64')) return undefined;
  const dtype = s.dtype;
  const plain = (x: Instruction): Instruction | undefined =>
    x.opcode === 'convert' && arrayShape(x.operands[0])?.dtype === NARROW[dtype] ? x.operands[0] : undefined;
  const n = plain(i);
  if (n) return { narrow: n, how: { dtype } };
  if (i.opcode !== 'select') return undefined;
  const [cmp, sentinel, converted] = i.operands;
  const m = plain(converted);
  if (!m || cmp.opcode !== 'compare' || (cmp.attrs as { direction?: string }).direction !== 'EQ' || cmp.operands[0] !== m) return undefined;
  const image = scalarValue(cmp.operands[1]), wide = scalarValue(sentinel);
  return image === undefined || wide === undefined ? undefined : { narrow: m, how: { dtype, relabel: { image, wide } } };
}

/** Drops the widening at the root (an array, or a tuple of arrays): the host widens instead. */
function narrowRoot(c: Computation): (Widening | undefined)[] {
  if (c.root.shape.kind === 'array') {
    const w = widened(c.root);
    if (w) c.root = w.narrow;
    return [w?.how];
  }
  const t = c.root;
  if (t.opcode !== 'tuple' || t.operands.some((o) => o.shape.kind !== 'array')) return [];
  const ws = t.operands.map(widened);
  t.operands = t.operands.map((o, k) => ws[k]?.narrow ?? o);
  t.shape = { kind: 'tuple', elements: t.operands.map((o) => o.shape) };
  return ws.map((w) => w?.how);
}

/** x saturated into `narrow` (s32 or u32): what the host uploads for a narrowed parameter. */
export function saturateToNarrow(x: ArrayLiteral, narrow: 's32' | 'u32'): ArrayLiteral {
  const [lo, hi] = NARROW_BOUNDS[narrow];
  const data = Array.from(x.data as ArrayLike<bigint | number>, (v) => {
    const b = BigInt(v);
    return Number(b < lo ? lo : b > hi ? hi : b);
  });
  return arrayLiteral({ ...x.shape, dtype: narrow }, data);
}

/** x (s32 or u32) widened as `w` says: what the root's widening computed. */
export function widenFromNarrow(x: ArrayLiteral, w: Widening): ArrayLiteral {
  const r = w.relabel;
  return arrayLiteral({ ...x.shape, dtype: w.dtype }, Array.from(x.data as ArrayLike<number>, (v) => (r && BigInt(v) === r.image ? r.wide : BigInt(v))));
}
