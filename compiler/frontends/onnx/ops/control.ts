// ONNX If onto HLO conditional, and what the control-flow ops share (Loop and Scan in
// loop.ts and scan.ts): passing the outer values a subgraph reads into the computation
// it becomes, and importing a loop body once as a computation the while body calls.
//
// A subgraph reads outer values by name. HLO computations see only their parameters, so
// every outer value a subgraph reads (transitively, through its own subgraphs) becomes
// an explicit operand, except values known at compile time: those become constants
// inside, so that ops needing constant shapes or axes still see them there.
import type { ComputationBuilder } from '../../../../ir/builder.js';
import type { Computation, Instruction } from '../../../../ir/module.js';
import { tuple, type Shape } from '../../../../ir/shape.js';
import type { GraphProto } from '../proto/onnx_pb.js';
import { shapeOf } from './util.js';
import { graph, op, type LowerCtx, type OnnxValue } from './types.js';

/** The outer values a set of subgraphs read, split into operands and compile-time constants. */
export interface Captures {
  /** Names whose values arrive as operands, in operand order. */
  readonly names: readonly string[];
  /** Their values in the node's computation. */
  readonly operands: readonly Instruction[];
  /** Values known at compile time, remade as constants inside. */
  readonly known: ReadonlyMap<string, OnnxValue>;
}

export function captures(ctx: LowerCtx, graphs: readonly GraphProto[]): Captures {
  const names: string[] = [], operands: Instruction[] = [], known = new Map<string, OnnxValue>();
  for (const g of graphs)
    for (const [name, v] of ctx.graphs.captures(g)) {
      if (names.includes(name) || known.has(name)) continue;
      if (v.literal) known.set(name, v);
      else {
        names.push(name);
        operands.push(v.instr);
      }
    }
  return { names, operands, known };
}

/** The outer scope as seen inside computation c, whose copies of the operands are `params`. */
export function bindCaptures(c: ComputationBuilder, caps: Captures, params: readonly Instruction[]): Map<string, OnnxValue> {
  const outer = new Map<string, OnnxValue>();
  for (const [name, v] of caps.known) outer.set(name, { instr: c.constant(v.literal!), literal: v.literal });
  caps.names.forEach((name, i) => outer.set(name, { instr: params[i] }));
  return outer;
}

/** A scalar from a one-element tensor of type dtype (ONNX's conditions and trip counts, of rank 0 or 1), built in c. */
export function oneElement(ctx: LowerCtx, c: ComputationBuilder, x: Instruction, dtype: 'pred' | 's64', what: string): Instruction {
  const s = shapeOf(ctx, x);
  if (s.dtype !== dtype) ctx.fail(`${what} must be ${dtype === 'pred' ? 'bool' : 'int64'}, got ${s.dtype}`);
  if (s.dims.some((d) => d !== 1)) ctx.fail(`${what} must hold one element, got shape [${s.dims.join(',')}]`);
  return s.dims.length === 0 ? x : c.reshape(x, []);
}

/** Shapes equal in element type and dims (layouts aside). */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.kind !== 'array' || b.kind !== 'array') return a.kind === b.kind && a.kind === 'tuple' && b.kind === 'tuple' && a.elements.length === b.elements.length && a.elements.every((e, i) => sameShape(e, b.elements[i]));
  return a.dtype === b.dtype && a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);
}

export const shapeText = (s: Shape): string => (s.kind === 'array' ? `${s.dtype}[${s.dims.join(',')}]` : 'a tuple');

/** A loop body imported once, as a computation of (formals..., captured operands...) returning its outputs as a tuple. */
export interface Step {
  readonly computation: Computation;
  /** Its parameters for the formals, to recognise an output that passes a formal through. */
  readonly formals: readonly Instruction[];
  /** Its outputs as values inside it (literal when known at compile time). */
  readonly outputs: readonly OnnxValue[];
  readonly caps: Captures;
}

/**
 * Imports g once as a computation a while body calls. The while state's shape must be
 * known before its body is built, and scan outputs' shapes are known only after g is
 * imported; importing g on its own first (rather than twice) keeps nested loops linear.
 */
export function stepComputation(ctx: LowerCtx, g: GraphProto, attr: string, formalShapes: readonly Shape[]): Step {
  const caps = captures(ctx, [g]);
  let formals: Instruction[] = [], outputs: OnnxValue[] = [];
  const computation = ctx.mb.computation(`${attr}_step`, (c) => {
    formals = formalShapes.map((s, i) => c.parameter(s, `arg${i}`));
    const params = caps.operands.map((o, i) => c.parameter(o.shape, `capture${i}`));
    outputs = ctx.graphs.lower(g, attr, c, formals.map((instr) => ({ instr })), bindCaptures(c, caps, params));
    return c.tuple(outputs.map((o) => o.instr));
  });
  return { computation, formals, outputs, caps };
}

/** The step's outputs, called from a while body with the formals' current values. */
export function callStep(c: ComputationBuilder, step: Step, formals: readonly Instruction[], captured: readonly Instruction[]): Instruction[] {
  const r = c.call(step.computation, [...formals, ...captured]);
  return step.outputs.map((_, i) => c.getTupleElement(r, i));
}

/** The elements of a tuple-shaped instruction (a while's state, a branch's parameter). */
export function unpack(c: ComputationBuilder, t: Instruction): Instruction[] {
  const n = t.shape.kind === 'tuple' ? t.shape.elements.length : 0;
  return Array.from({ length: n }, (_, i) => c.getTupleElement(t, i));
}

// --- If -------------------------------------------------------------------------------

/**
 * If: both branches become computations of one tuple parameter (the outer values either
 * reads) returning the outputs as a tuple, selected by a pred conditional. A condition
 * known at compile time imports the taken branch alone, inline.
 */
function lowerIf(ctx: LowerCtx, thenG: GraphProto, elseG: GraphProto): Instruction[] {
  const cond = ctx.input(0);
  const known = ctx.known(0);
  if (known) {
    if (known.data.length !== 1) ctx.fail(`the condition must hold one element, got ${known.data.length}`);
    const [g, attr] = known.data[0] ? [thenG, 'then_branch'] : [elseG, 'else_branch'];
    if (g.output.length < ctx.outputCount) ctx.fail(`${attr} has ${g.output.length} outputs, the node ${ctx.outputCount}`);
    return ctx.graphs.lower(g, attr, ctx.b, [], ctx.graphs.captures(g)).map((v) => v.instr);
  }
  const pred = oneElement(ctx, ctx.b, cond, 'pred', 'the condition');
  const caps = captures(ctx, [thenG, elseG]);
  const argShape = tuple(caps.operands.map((o) => o.shape));
  const branch = (g: GraphProto, attr: string): Computation =>
    ctx.mb.computation(attr, (c) => {
      const outer = bindCaptures(c, caps, unpack(c, c.parameter(argShape, 'captured')));
      return c.tuple(ctx.graphs.lower(g, attr, c, [], outer).map((v) => v.instr));
    });
  const [t, e] = [branch(thenG, 'then_branch'), branch(elseG, 'else_branch')];
  checkBranchShapes(ctx, t.root.shape, e.root.shape);
  const args = ctx.b.tuple(caps.operands);
  const r = ctx.b.conditional(pred, [t, e], [args, args]);
  return unpack(ctx.b, r);
}

/** HLO's conditional needs one result shape; ONNX lets the branches differ, kiln refuses that. */
function checkBranchShapes(ctx: LowerCtx, t: Shape, e: Shape): void {
  const te = t.kind === 'tuple' ? t.elements : [t], ee = e.kind === 'tuple' ? e.elements : [e];
  if (te.length !== ee.length) ctx.fail(`then_branch has ${te.length} outputs, else_branch ${ee.length}`);
  if (te.length < ctx.outputCount) ctx.fail(`the branches have ${te.length} outputs, the node ${ctx.outputCount}`);
  te.forEach((s, i) => {
    if (!sameShape(s, ee[i]))
      ctx.fail(`output ${i} is ${shapeText(s)} in then_branch but ${shapeText(ee[i])} in else_branch; kiln needs both branches to give the same shapes unless the condition is known at compile time`);
  });
}

export const CONTROL_OPS = {
  If: op({
    opsets: [1, 17],
    attrs: { then_branch: graph(), else_branch: graph() },
    lower: (ctx, a) => lowerIf(ctx, a.then_branch ?? ctx.fail('attribute then_branch is required'), a.else_branch ?? ctx.fail('attribute else_branch is required')),
  }),
};
