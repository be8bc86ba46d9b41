// The passes a row kernel makes over each row of a kRow fusion (passes/fusion/row.ts),
// and which row-sized values it keeps in a scratch row instead of recomputing them.
//
// A reduction's level is one more than the highest level among the reductions its input
// depends on; all reductions of one level share a pass over the row (sibling reductions:
// LayerNorm's Σx and Σx² when written that way), and a last pass writes the output.
// A full-row value needed by two or more passes is computed once and kept in a per-thread
// scratch row when recomputing it would cost something (an expensive op, or more than a
// few ops): softmax's exp(x − max), read by the sum and by the division; in the
// LayerNorm+GELU+softmax chain the GELU output, read by the max and by exp. Cheap values
// (LayerNorm's x − mean) are recomputed from the input row, which is in L1 by then.
import type { Computation, Instruction } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';

export interface RowPlan {
  /** Reduction → the pass (0, 1, ...) that computes it. */
  readonly level: ReadonlyMap<Instruction, number>;
  /** Passes that compute reductions; pass `passes` writes the output. */
  readonly passes: number;
  /** Values kept in a scratch row → the pass that computes and stores them. */
  readonly kept: ReadonlyMap<Instruction, number>;
}

const EXPENSIVE = new Set([
  'exponential', 'exponential-minus-one', 'log', 'log-plus-one', 'tanh', 'logistic', 'sqrt', 'rsqrt', 'cbrt',
  'sine', 'cosine', 'tan', 'erf', 'divide', 'remainder', 'power', 'atan2',
]);
/** A value whose recomputation is more ops than this is kept. */
const CHEAP_OPS = 3;
const SCRATCH_TYPES = new Set(['f32', 's32', 'u32']);

/**
 * `outputs`: the row output first, then the extra outputs of a multi-output fusion. An
 * extra output of the row's dims is kept (in its output buffer) in the pass that first
 * computes it; later passes read it back from there.
 */
export function planRow(body: Computation, outputs: readonly Instruction[]): RowPlan {
  const root = outputs[0];
  const dims = (root.shape as ArrayShape).dims;
  const full = (i: Instruction) => i.shape.kind === 'array' && i.shape.dims.length === dims.length && i.shape.dims.every((d, k) => d === dims[k]);
  const level = reductionLevels(body);
  const passes = Math.max(0, ...[...level.values()].map((l) => l + 1));
  const users = new Map<Instruction, Instruction[]>(body.instructions.map((i) => [i, []]));
  for (const i of body.instructions) if (i.opcode !== 'tuple') for (const o of i.operands) users.get(o)?.push(i);
  const needs = new Map<Instruction, Set<number>>();
  const kept = new Map<Instruction, number>();
  for (let k = body.instructions.length - 1; k >= 0; k--) {
    const x = body.instructions[k];
    const need = new Set<number>(x === root ? [passes] : []);
    for (const u of users.get(x) ?? []) {
      if (u.opcode === 'reduce') need.add(level.get(u)!);
      else if (kept.has(u)) need.add(kept.get(u)!);
      else for (const p of needs.get(u) ?? []) need.add(p);
    }
    needs.set(x, need);
    const extra = x !== root && outputs.includes(x) && full(x);
    if (need.size > 0 && (extra || (need.size >= 2 && full(x) && worthKeeping(x)))) kept.set(x, Math.min(...need));
  }
  return { level, passes, kept };
}

/** Level of each reduction: 0 when its input depends on no reduction. */
function reductionLevels(body: Computation): Map<Instruction, number> {
  const dep = new Map<Instruction, number>();
  const level = new Map<Instruction, number>();
  for (const i of body.instructions) {
    let d = Math.max(-1, ...i.operands.map((o) => dep.get(o) ?? -1));
    if (i.opcode === 'reduce') {
      level.set(i, (dep.get(i.operands[0]) ?? -1) + 1);
      d = Math.max(d, level.get(i)!);
    }
    dep.set(i, d);
  }
  return level;
}

function worthKeeping(x: Instruction): boolean {
  if (x.shape.kind !== 'array' || !SCRATCH_TYPES.has(x.shape.dtype)) return false;
  if (x.opcode === 'parameter' || x.opcode === 'broadcast' || x.opcode === 'constant' || x.opcode === 'iota') return false;
  let ops = 0, expensive = false;
  const seen = new Set<Instruction>();
  const walk = (i: Instruction): void => {
    if (seen.has(i) || i.opcode === 'parameter' || i.opcode === 'broadcast' || i.opcode === 'constant' || i.opcode === 'reduce') return;
    seen.add(i);
    ops++;
    if (EXPENSIVE.has(i.opcode)) expensive = true;
    i.operands.forEach(walk);
  };
  walk(x);
  return expensive || ops > CHEAP_OPS;
}
