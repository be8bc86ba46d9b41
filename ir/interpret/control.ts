// Tuples and control flow: tuple, get-tuple-element, call, fusion, while, conditional.
import { tupleLiteral, type Literal, type TupleLiteral } from '../literal.js';
import type { Computation, InstructionOf } from '../module.js';
import { arr, fail, indexAt, type Ctx } from './util.js';

export const evalTuple = (_: InstructionOf<'tuple'>, ops: Literal[]): Literal => tupleLiteral(ops);

export function evalGetTupleElement(instr: InstructionOf<'get-tuple-element'>, ops: Literal[]): Literal {
  const t = ops[0];
  if (!t || t.shape.kind !== 'tuple') fail(instr, 'get-tuple-element needs a tuple operand');
  const el = (t as TupleLiteral).elements[instr.attrs.index];
  if (!el) fail(instr, `tuple index ${instr.attrs.index} is out of range`);
  return el;
}

export const evalCall = (instr: InstructionOf<'call'>, ops: Literal[], ctx: Ctx): Literal =>
  ctx.call(instr.attrs.to_apply, ops);

export const evalFusion = (instr: InstructionOf<'fusion'>, ops: Literal[], ctx: Ctx): Literal =>
  ctx.call(instr.attrs.calls, ops);

export function evalWhile(instr: InstructionOf<'while'>, ops: Literal[], ctx: Ctx): Literal {
  const { condition, body } = instr.attrs;
  let state = ops[0];
  while (arr(instr, ctx.call(condition, [state]), 'loop condition').data[0]) state = ctx.call(body, [state]);
  return state;
}

/** pred selects true/false computations; an s32 index selects a branch, out of range → the last. */
export function evalConditional(instr: InstructionOf<'conditional'>, ops: Literal[], ctx: Ctx): Literal {
  const sel = arr(instr, ops[0], 'branch selector');
  const { true_computation: t, false_computation: f, branch_computations: bs } = instr.attrs;
  let branches: Computation[];
  if (t && f) branches = [t, f];
  else if (bs && bs.length > 0) branches = bs;
  else return fail(instr, 'conditional has no branch computations');
  let b: number;
  if (sel.shape.dtype === 'pred') b = sel.data[0] ? 0 : 1;
  else {
    b = indexAt(sel, 0);
    if (b < 0 || b >= branches.length) b = branches.length - 1;
  }
  if (ops.length !== branches.length + 1) fail(instr, `conditional has ${branches.length} branches but ${ops.length - 1} branch operands`);
  return ctx.call(branches[b], [ops[1 + b]]);
}
