// Control flow. A call is batched inline. A while carries what its body makes batched:
// the carried leaves are found by iterating to a fixed point (a leaf unbatched on entry
// becomes batched once the body mixes a batched value into it). A conditional with an
// unbatched index batches each branch to one agreed output; a batched predicate (a loop
// that stops at different iterations per example, a branch chosen per example) runs every
// example the longest way and selects, as JAX does.
import type { Computation, Instruction } from '../../ir/module.js';
import { array, scalar, type Shape } from '../../ir/shape.js';
import { batchShape, conform, dimsOf, elementsOf, moveTo } from './moves.js';
import {
  type BVal, type BatchRule, type RuleCtx, type Want, bdimOfWant, isBatched, orWant, sameWant, wantAll, wantOf,
} from './types.js';

export const callRule: BatchRule<'call'> = (ctx, instr, args) => ctx.inline(instr.attrs.to_apply, args);

/** Per leaf: on_true where the example's pred (a [size] vector) holds, else on_false. All leaves batched at 0. */
function selectLeaves(ctx: RuleCtx, pred: Instruction, onTrue: BVal, onFalse: BVal, shape: Shape): Instruction {
  if (shape.kind === 'tuple') {
    const t = elementsOf(ctx, onTrue), f = elementsOf(ctx, onFalse);
    return ctx.c.tuple(shape.elements.map((e, k) => selectLeaves(ctx, pred, t[k], f[k], e)));
  }
  const dims = dimsOf(onTrue.x);
  const p = dims.length === 1 ? pred : ctx.c.op('broadcast', [pred], { dimensions: [0] }, array('pred', dims));
  return ctx.c.select(p, onTrue.x, onFalse.x);
}

/** The body's carried leaves that end up batched, from those batched on entry. */
function carriedWant(ctx: RuleCtx, body: Computation, start: Want, shape: Shape): Want {
  let want = start;
  for (;;) {
    const { out } = ctx.batchComputation(body, [bdimOfWant(want)]);
    const next = orWant(want, wantOf(out, shape));
    if (sameWant(next, want)) return want;
    want = next;
  }
}

export const whileRule: BatchRule<'while'> = (ctx, instr, args) => {
  const { body, condition } = instr.attrs;
  const want = carriedWant(ctx, body, wantOf(args[0].b, instr.shape), instr.shape);
  const cond = ctx.batchComputation(condition, [bdimOfWant(want)]);
  if (isBatched(cond.out)) return batchedPredicateWhile(ctx, instr, args[0]);
  const next = ctx.batchComputation(body, [bdimOfWant(want)], want);
  const init = conform(ctx, args[0], want);
  return { x: ctx.c.op('while', [init.x], { condition: cond.comp, body: next.comp }), b: bdimOfWant(want) };
};

/**
 * Every leaf batched: the loop runs while any example's predicate holds, and an example
 * whose predicate is false keeps its values (the body's result is selected away).
 */
function batchedPredicateWhile(ctx: RuleCtx, instr: Instruction & { opcode: 'while' }, init: BVal): BVal {
  const { body, condition } = instr.attrs;
  const want = wantAll(instr.shape), b = bdimOfWant(want);
  const carried = batchShape(instr.shape, b, ctx.size);
  const any = ctx.computation('any', [scalar('pred'), scalar('pred')], (s, [x, y]) => s.c.or(x, y));
  const predOf = (s: RuleCtx, p: Instruction) => moveTo(s, s.inline(condition, [{ x: p, b }]), 0);
  const cond = ctx.computation(`${condition.name}.any`, [carried], (s, [p]) =>
    s.c.reduce(predOf(s, p), s.c.constantScalar('pred', false), [0], any));
  const step = ctx.computation(`${body.name}.masked`, [carried], (s, [p]) => {
    const pred = predOf(s, p);
    const next = conform(s, s.inline(body, [{ x: p, b }]), want);
    return selectLeaves(s, pred, next, { x: p, b }, instr.shape);
  });
  const start = conform(ctx, init, want);
  return { x: ctx.c.op('while', [start.x], { condition: cond, body: step }), b };
}

const branchesOf = (instr: Instruction & { opcode: 'conditional' }): Computation[] =>
  instr.attrs.branch_computations ?? [instr.attrs.true_computation!, instr.attrs.false_computation!];

export const conditionalRule: BatchRule<'conditional'> = (ctx, instr, args) => {
  const [index, ...ops] = args;
  const branches = branchesOf(instr);
  if (index.b === null) {
    const want = branches
      .map((br, k) => wantOf(ctx.batchComputation(br, [ops[k].b]).out, instr.shape))
      .reduce(orWant);
    const comps = branches.map((br, k) => ctx.batchComputation(br, [ops[k].b], want).comp);
    const attrs = instr.attrs.branch_computations
      ? { branch_computations: comps }
      : { true_computation: comps[0], false_computation: comps[1] };
    return { x: ctx.c.op('conditional', [index.x, ...ops.map((o) => o.x)], attrs), b: bdimOfWant(want) };
  }
  // A batched index: every branch runs for every example, then each example takes its own.
  const want = wantAll(instr.shape);
  const outs = branches.map((br, k) => conform(ctx, ctx.inline(br, [ops[k]]), want));
  const idx = moveTo(ctx, index, 0);
  if (branches.length === 2 && instr.attrs.true_computation) return { x: selectLeaves(ctx, idx, outs[0], outs[1], instr.shape), b: bdimOfWant(want) };
  // XLA runs the last branch for an index out of range: it is the default.
  let acc = outs[outs.length - 1];
  for (let k = outs.length - 2; k >= 0; k--) {
    const kk = ctx.c.broadcast(ctx.c.constantScalar(dtypeOfIndex(index), k), [ctx.size]);
    const eq = ctx.c.compare(idx, kk, 'EQ');
    acc = { x: selectLeaves(ctx, eq, outs[k], acc, instr.shape), b: bdimOfWant(want) };
  }
  return acc;
};

const dtypeOfIndex = (v: BVal) => (v.x.shape.kind === 'array' ? v.x.shape.dtype : 's32');

export const CONTROL_RULES = {
  call: callRule,
  while: whileRule,
  conditional: conditionalRule,
};
