// gather and scatter, each the other's transpose (JAX's _gather_transpose_rule and
// _scatter_add_transpose_rule). XLA clamps a gather's start indices into the operand but
// skips a scatter's out-of-bounds windows, so gather's cotangent scatters at clamped
// indices, and scatter's update cotangent is masked to the windows that landed.
import type { Computation, Instruction } from '../../ir/module.js';
import type { OpAttrs } from '../../ir/opcodes.js';
import { type Emitter, dimsOf, dtypeOf, others, range } from './emitter.js';
import { NotDifferentiableError } from './errors.js';
import { isOverwrite, reducerKind } from './reducers.js';
import { replay } from './rules_structural.js';
import { type Rule, arr } from './types.js';

/** The largest start per index component that keeps a window of `sizes` inside the operand. */
function clampIndices(e: Emitter, idx: Instruction, operand: readonly number[], sizes: readonly number[], startMap: readonly number[], ivd: number): Instruction {
  const dt = dtypeOf(idx), id = dimsOf(idx);
  const highs = startMap.map((d) => operand[d] - sizes[d]);
  const hi = ivd === id.length ? e.scalar(dt, highs[0]) : e.c.broadcast(e.c.constantArray(dt, [highs.length], highs), id, [ivd]);
  return e.c.clamp(e.scalar(dt, 0), idx, hi);
}

const gather: Rule<'gather'> = {
  jvp: (c) => replay(c, [arr(c.t[0]!), c.ops[1]]),
  vjp: ({ e, ct, ops: [operand, idx], attrs: a }) => {
    const g = arr(ct), dt = dtypeOf(g);
    const clamped = clampIndices(e, idx, dimsOf(operand), a.slice_sizes, a.start_index_map, a.index_vector_dim);
    const attrs: OpAttrs<'scatter'> = {
      update_window_dims: [...a.offset_dims], inserted_window_dims: [...(a.collapsed_slice_dims ?? [])],
      scatter_dims_to_operand_dims: [...a.start_index_map], input_batching_dims: [...(a.operand_batching_dims ?? [])],
      scatter_indices_batching_dims: [...(a.start_indices_batching_dims ?? [])], index_vector_dim: a.index_vector_dim,
      to_apply: e.scalarFn('add', dt),
    };
    if (a.indices_are_sorted) attrs.indices_are_sorted = true;
    return [e.c.op('scatter', [e.zeros(operand.shape), clamped, g], attrs)];
  },
};

type ScatterAttrs = OpAttrs<'scatter'>;

/** A scatter's window sizes in operand dims: 1 for inserted and batching dims, else the update's. */
function windowSizes(a: ScatterAttrs, operandRank: number, updates: readonly number[]): number[] {
  let pos = 0;
  return range(operandRank).map((i) =>
    (a.inserted_window_dims ?? []).includes(i) || (a.input_batching_dims ?? []).includes(i) ? 1 : updates[a.update_window_dims[pos++]]);
}

/** g read at every update window: a gather with the scatter's dimension numbers, zero where the window fell outside. */
function gatherUpdates(e: Emitter, g: Instruction, idx: Instruction, updates: Instruction, a: ScatterAttrs): Instruction {
  const sizes = windowSizes(a, dimsOf(g).length, dimsOf(updates));
  const attrs: OpAttrs<'gather'> = {
    offset_dims: [...a.update_window_dims], collapsed_slice_dims: [...(a.inserted_window_dims ?? [])],
    start_index_map: [...a.scatter_dims_to_operand_dims], operand_batching_dims: [...(a.input_batching_dims ?? [])],
    start_indices_batching_dims: [...(a.scatter_indices_batching_dims ?? [])], index_vector_dim: a.index_vector_dim, slice_sizes: sizes,
  };
  const got = e.c.op('gather', [g, idx], attrs);
  return e.mask(landed(e, idx, dimsOf(g), sizes, a, updates), got);
}

/** Per update element: did its window land inside the operand (so the scatter applied it)? */
function landed(e: Emitter, idx: Instruction, operand: readonly number[], sizes: number[], a: ScatterAttrs, updates: Instruction): Instruction {
  const ivd = a.index_vector_dim, id = dimsOf(idx);
  const inside = e.cmp(clampIndices(e, idx, operand, sizes, a.scatter_dims_to_operand_dims, ivd), idx, 'EQ');
  const least = () => e.c.reduce(e.convert(inside, 's32'), e.scalar('s32', 1), [ivd], e.scalarFn('minimum', 's32'));
  const all = ivd === id.length ? inside : ((r) => e.cmp(r, e.like(r, 1), 'EQ'))(least());
  const ud = dimsOf(updates);
  return e.c.broadcast(all, ud, others(ud.length, a.update_window_dims));
}

function combiner(x: Instruction, attrs: ScatterAttrs): 'add' | 'overwrite' {
  if (x.operands.length !== 3) throw NotDifferentiableError.of(x, 'a variadic scatter (several operands) is not differentiable yet');
  const to: Computation = attrs.to_apply;
  if (reducerKind(to) === 'add') return 'add';
  if (isOverwrite(to)) return 'overwrite';
  throw NotDifferentiableError.of(x, `its combiner %${to.name} is neither an add nor an overwrite (a, b) -> b`);
}

/**
 * scatter with an add combiner is linear in operand and updates. An overwriting scatter
 * (unique indices assumed, as JAX's scatter transpose also assumes) passes the operand's
 * cotangent except where it was overwritten, and the updates read theirs where they landed.
 */
const scatter: Rule<'scatter'> = {
  jvp: (c) => {
    combiner(c.x, c.attrs);
    const [operand, idx, updates] = c.ops;
    return replay(c, [c.e.materialize(c.t[0], operand.shape), idx, c.e.materialize(c.t[2], updates.shape)]);
  },
  vjp: ({ e, x, ct, wants, ops: [, idx, updates], attrs }) => {
    const kind = combiner(x, attrs), g = arr(ct);
    const ctUpdates = wants[2] ? gatherUpdates(e, g, idx, updates, attrs) : undefined;
    if (kind === 'add') return [wants[0] ? g : undefined, undefined, ctUpdates];
    const ctOperand = wants[0] ? e.c.op('scatter', [g, idx, e.zeros(updates.shape)], { ...attrs, to_apply: e.overwrite(dtypeOf(g)) }) : undefined;
    return [ctOperand, undefined, ctUpdates];
  },
};

export const GATHER_RULES = { gather, scatter };
