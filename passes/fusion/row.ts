// Row fusion (kRow), after XLA's softmax rewriter: the reductions of a row along the
// minor dim, their producers, and the elementwise consumers that read the reduced values
// broadcast back along the row, all in one fusion. Lowering runs it as one kernel per
// row group (passes/lower/row_kernel.ts): a parallel loop over rows whose body makes one
// pass over the row per level of reductions and a last pass that writes the row out, so
// softmax and LayerNorm read their input row from L1 instead of round-tripping
// intermediates through memory. On a GPU it is one workgroup per row (gpu_row.ts), the
// same passes over each invocation's share of the row, a tree per reduction.
//
// What may join, for a root of shape [rows..., n] (the "row space" is [rows...]):
//   full space  elementwise ops of the root's dims, broadcasts to them, iota, small constants;
//   row space   row reductions (one input of the root's dims reduced along the minor dim
//               only, a reducer that reassociates), elementwise ops, broadcasts of scalars;
//   scalars     constants (reduce init values, broadcast operands).
// A value computed from a reduction is then read only at its own row: a row-space value
// reaches full space only through a broadcast along dims {0..r-2}, and full-space values
// are only combined elementwise. Lowering relies on exactly that (a reduction is a scalar
// per row, a full-space value is an element of the row).
import type { Instruction } from '../../ir/module.js';
import { isElementwise } from '../../ir/opcodes.js';
import type { ArrayShape } from '../../ir/shape.js';
import { isRowReduction } from '../lower/elemental_compute.js';
import { convex } from './convex.js';

/** Rows longer than this stay with kInput/kLoop fusions: the row kernel keeps rows in a per-thread scratch. */
export const MAX_ROW = 8192;
/** Members beyond this stop the group growing. */
const MAX_MEMBERS = 128;
const SMALL_CONSTANT = 64;

const WORD = new Set(['f32', 's32', 'u32']);
const dimsOf = (i: Instruction): readonly number[] | undefined => (i.shape.kind === 'array' ? (i.shape as ArrayShape).dims : undefined);
const same = (a: readonly number[] | undefined, b: readonly number[]): boolean => a !== undefined && a.length === b.length && a.every((d, k) => d === b[k]);
const count = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

export interface RowGroup {
  readonly members: Set<Instruction>;
  /** Members that are copies: the original stays for users outside the group. */
  readonly copies: Set<Instruction>;
  /** Members also read outside the group: outputs besides the root (multi-output fusion). */
  readonly extraOutputs: Instruction[];
}

/** Outputs besides the root a row group may have. */
const MAX_EXTRA_OUTPUTS = 4;

/** Where a value lives in a row group, or undefined when it may not join. */
type Space = 'full' | 'row' | 'scalar';

class RowSpace {
  readonly rowDims: readonly number[];
  constructor(readonly dims: readonly number[]) {
    this.rowDims = dims.slice(0, -1);
  }

  space(i: Instruction): Space | undefined {
    const d = dimsOf(i);
    if (d === undefined || i.shape.kind !== 'array' || (i.shape as ArrayShape).dtype.endsWith('64')) return undefined;
    if (same(d, this.dims)) return 'full';
    if (same(d, this.rowDims)) return 'row';
    return d.length === 0 ? 'scalar' : undefined;
  }

  /** May `p` be computed inside the row group (its users aside)? */
  admits(p: Instruction): boolean {
    const s = this.space(p);
    if (p.opcode === 'constant') return s !== undefined && count(dimsOf(p)!) <= SMALL_CONSTANT;
    // A broadcast from the root's own dims could permute them (a transpose): not along the row.
    if (s === 'full') return isElementwise(p.opcode) || p.opcode === 'iota' || (p.opcode === 'broadcast' && dimsOf(p.operands[0])!.length < this.dims.length);
    if (s === 'row') {
      if (p.opcode === 'reduce') return this.rowReduction(p);
      return isElementwise(p.opcode) || (p.opcode === 'broadcast' && dimsOf(p.operands[0])!.length === 0);
    }
    return false;
  }

  /** One input of the root's dims reduced along the minor dim only, vectorisable along it. */
  private rowReduction(p: Instruction): boolean {
    const dims = (p.attrs as { dimensions: readonly number[] }).dimensions;
    return p.operands.length === 2 && same(dimsOf(p.operands[0]), this.dims) && dims.length === 1 && dims[0] === this.dims.length - 1 && isRowReduction(p);
  }

  /** A user inside the group reads a row-space value at its own row. */
  readsAtRow(user: Instruction): boolean {
    if (user.opcode !== 'broadcast') return this.space(user) === 'row';
    // Old dumps broadcast scalars without `dimensions`: XLA reads that as {}.
    const bd = (user.attrs as { dimensions?: readonly number[] }).dimensions ?? [];
    return this.space(user) === 'full' && bd.length === this.rowDims.length && bd.every((d, k) => d === k);
  }
}

/**
 * Grows a row group from `root` (consumers first, as the ordinary groups grow), or
 * undefined when `root` is not a row or no reduction joins. `taken`: owned by another
 * group or never fused.
 */
export function growRow(
  root: Instruction, users: Map<Instruction, Instruction[]>, order: Map<Instruction, number>, taken: (i: Instruction) => boolean,
): RowGroup | undefined {
  const g = growFrom(root, users, order, taken, true);
  // Extra outputs may make a path leave the group and come back: then grow without them.
  if (g && g.extraOutputs.length > 0 && !convex(g, users)) return growFrom(root, users, order, taken, false);
  return g;
}

function growFrom(
  root: Instruction, users: Map<Instruction, Instruction[]>, order: Map<Instruction, number>, taken: (i: Instruction) => boolean,
  extraOutputs: boolean,
): RowGroup | undefined {
  const dims = dimsOf(root);
  if (!dims || dims.length === 0 || !WORD.has((root.shape as ArrayShape).dtype)) return undefined;
  const n = dims[dims.length - 1];
  if (n < 16 || n > MAX_ROW) return undefined;
  const rs = new RowSpace(dims);
  if (rs.space(root) !== 'full' || !rs.admits(root) || root.opcode === 'broadcast') return undefined;
  const g: RowGroup = { members: new Set([root]), copies: new Set(), extraOutputs: [] };
  const pending = new Set<Instruction>(root.operands);
  while (pending.size > 0 && g.members.size < MAX_MEMBERS) {
    let p: Instruction | undefined;
    for (const x of pending) if (p === undefined || order.get(x)! > order.get(p)!) p = x;
    pending.delete(p!);
    const producer = p!;
    if (!order.has(producer) || g.members.has(producer) || taken(producer) || !rs.admits(producer)) continue;
    const all = users.get(producer) ?? [];
    const inside = all.filter((u) => g.members.has(u));
    if (inside.length === 0) continue;
    const allInside = inside.length === all.length && !inside.some((u) => g.copies.has(u));
    const space = rs.space(producer);
    const output = !allInside && !duplicable(producer);
    const storable = space !== 'scalar' && WORD.has((producer.shape as ArrayShape).dtype);
    if (output && !(extraOutputs && storable && g.extraOutputs.length < MAX_EXTRA_OUTPUTS)) continue;
    if (space === 'row' && !inside.every((u) => rs.readsAtRow(u))) continue;
    g.members.add(producer);
    if (output) g.extraOutputs.push(producer);
    else if (!allInside) g.copies.add(producer);
    for (const o of producer.operands) if (!g.members.has(o)) pending.add(o);
  }
  return [...g.members].some((x) => x.opcode === 'reduce' && !g.copies.has(x)) ? g : undefined;
}

/** Copied into the group when something outside reads it too. */
function duplicable(i: Instruction): boolean {
  if (i.opcode === 'constant') return dimsOf(i)!.length === 0;
  return i.opcode === 'broadcast';
}
