// sort, through its permutation (as JAX's _sort_jvp does): the same sort with an iota
// added as a last operand, which the comparator ignores, gives where each result element
// came from. Tangents are gathered along the sorted dimension by that permutation, and
// cotangents scattered back (a permutation: each element receives exactly one).
import type { Computation, Instruction } from '../../ir/module.js';
import type { OpAttrs, Opcode } from '../../ir/opcodes.js';
import { array, scalar } from '../../ir/shape.js';
import { type Emitter, dimsOf, dtypeOf, range } from './emitter.js';
import { type Cot, type Rule, isCotTuple } from './types.js';

/** The comparator with two more (ignored) s32 parameters at the end, for the iota. */
function withIotaParams(e: Emitter, cmp: Computation): Computation {
  return e.helper(`${cmp.name}_with_iota`, (c) => {
    const map = new Map<Instruction, Instruction>();
    for (const p of cmp.params) map.set(p, c.parameter(p.shape));
    c.parameter(scalar('s32'));
    c.parameter(scalar('s32'));
    for (const i of cmp.instructions)
      if (i.opcode !== 'parameter') map.set(i, c.op(i.opcode as Opcode, i.operands.map((o) => map.get(o)!), i.attrs as OpAttrs<Opcode>, i.shape) as Instruction);
    return map.get(cmp.root)!;
  });
}

/** Full gather/scatter indices [...dims, rank] reading element (.., perm, ..) for each result position. */
function permIndices(e: Emitter, ops: readonly Instruction[], attrs: OpAttrs<'sort'>): Instruction {
  const dims = dimsOf(ops[0]), r = dims.length, dim = attrs.dimensions[0] ?? r - 1;
  const iota = e.c.iota(array('s32', dims), dim);
  const sorted = e.c.op('sort', [...ops, iota], { ...attrs, to_apply: withIotaParams(e, attrs.to_apply) });
  const perm = e.c.getTupleElement(sorted, ops.length);
  const parts = range(r).map((j) => e.reshape(j === dim ? perm : e.c.iota(array('s32', dims), j), [...dims, 1]));
  return r === 1 ? parts[0] : e.c.concatenate(parts, r);
}

const allDims = (r: number) => ({ dims: range(r), r });

function take(e: Emitter, t: Instruction, idx: Instruction): Instruction {
  const { dims, r } = allDims(dimsOf(t).length);
  return e.c.op('gather', [t, idx], { offset_dims: [], collapsed_slice_dims: dims, start_index_map: dims, index_vector_dim: r, slice_sizes: dims.map(() => 1) });
}

function put(e: Emitter, g: Instruction, idx: Instruction): Instruction {
  const { dims, r } = allDims(dimsOf(g).length);
  return e.c.op('scatter', [e.zeros(g.shape), idx, g], {
    update_window_dims: [], inserted_window_dims: dims, scatter_dims_to_operand_dims: dims, index_vector_dim: r,
    unique_indices: true, to_apply: e.scalarFn('add', dtypeOf(g)),
  });
}

/** The cotangent of result k of a sort (an array result when the sort has one operand). */
const resultCt = (ct: Cot, k: number, n: number): Cot | undefined => (n === 1 ? ct : isCotTuple(ct) ? ct.elements[k] : undefined);

export const sort: Rule<'sort'> = {
  jvp: ({ e, ops, t, attrs }) => {
    const idx = permIndices(e, ops, attrs);
    const out = ops.map((_, k) => (t[k] === undefined ? undefined : take(e, t[k] as Instruction, idx)));
    return ops.length === 1 ? out[0] : { elements: out };
  },
  vjp: ({ e, ops, ct, wants, attrs }) => {
    const idx = permIndices(e, ops, attrs);
    return ops.map((_, k) => {
      const g = resultCt(ct, k, ops.length);
      return wants[k] && g !== undefined ? put(e, g as Instruction, idx) : undefined;
    });
  },
};
