// HLO control flow as program steps (docs/lowering.md, "Control flow"). A called
// computation (a while's condition and body, a conditional's branches) is lowered with
// its own buffer assignment, its parameters being buffers the caller already has:
//
//   while        the loop state is the while's own result buffers. The init operand is
//                copied in; the condition and body read the state; the body's result is
//                computed in place where it can be (writesStateInPlace), else copied back
//                into it after each iteration.
//   conditional  branch i reads operand i+1's buffers and computes its result in the
//                conditional's result buffers (copied there when the branch returns a
//                parameter or a constant). The selector is operand 0's buffer.
//
// `call` never gets here: the call-inline pass (passes/call_inline.ts) removed it.
import type { Computation, Instruction } from '../../ir/module.js';
import { makeInstruction } from '../rewrite.js';
import { alignedOperands, type BufferAssignment, type LogicalBuffer } from '../buffer_assignment.js';
import { leafPaths } from '../buffer_liveness.js';
import type { Kernel, Step } from '../../ir/kernel/kernel.js';
import type { TargetDescription } from '../../ir/target.js';
import { leafShape, type ProgramBuffers, type ProgramBuilder } from './buffers.js';
import { NotCompiled } from './errors.js';
import type { ConstantBuffers } from './kernel_builder.js';
import { loopKernel, type BufferRef, type LoweredKernel } from './loop_kernel.js';

/** A called computation lowered: its steps and the buffer of each array leaf of its root. */
export interface Lowered {
  readonly steps: Step[];
  readonly root: readonly number[];
}

/** What control flow needs from the program being built. */
export interface ControlContext {
  readonly kernels: Kernel[];
  readonly store: ProgramBuffers;
  /** What the kernels are for (ir/target.ts). */
  readonly target: TargetDescription;
  /** Registers a kernel; the step that launches it. */
  launch(made: LoweredKernel): Step;
  /** A step that copies buffer `from` into `to` (same element count and type). */
  copy(source: Instruction, from: BufferRef, to: BufferRef): Step;
  /**
   * Lowers `c` with its parameters' array leaves in the caller's buffers `params`. With
   * `results`, a root leaf that `c` computes itself is written straight into the buffer
   * `results` gives for it (when it gives one).
   */
  lowerCalled(c: Computation, params: readonly number[], results?: ResultPlacement): Lowered;
}

/** Where root leaf j (`lb` in `c`'s assignment `a`; `roots` all of them) may be computed, or undefined. */
export type ResultPlacement = (j: number, lb: LogicalBuffer, a: BufferAssignment, roots: readonly LogicalBuffer[]) => number | undefined;

export function lowerControl(instr: Instruction, b: ProgramBuilder, ctx: ControlContext): Step[] {
  switch (instr.opcode) {
    case 'while': return lowerWhile(instr, b, ctx);
    case 'conditional': return lowerConditional(instr, b, ctx);
    default: throw new Error(`%${instr.name} (${instr.opcode}) is not control flow`);
  }
}

/** The buffers of every array leaf of `instr`'s value, each seen with its leaf's shape. */
function leafRefs(instr: Instruction, b: ProgramBuilder): BufferRef[] {
  return leafPaths(instr.shape).map((path) => ({ ...b.ref(b.assignment.bufferOf(instr, path)), shape: leafShape(instr.shape, path) }));
}

function lowerWhile(instr: Extract<Instruction, { opcode: 'while' }>, b: ProgramBuilder, ctx: ControlContext): Step[] {
  const state = leafRefs(instr, b);
  const init = leafRefs(instr.operands[0], b);
  const steps = init.flatMap((from, j) => (from.id === state[j].id ? [] : [ctx.copy(instr, from, state[j])]));
  const ids = state.map((s) => s.id);
  const cond = ctx.lowerCalled(instr.attrs.condition, ids);
  const inPlace: ResultPlacement = (j, lb, a, roots) => (writesStateInPlace(instr.attrs.body, j, lb, a, roots) ? ids[j] : undefined);
  const body = ctx.lowerCalled(instr.attrs.body, ids, inPlace);
  const pred = ctx.store.buffers[cond.root[0]];
  if (cond.root.length !== 1 || pred.dtype !== 'pred' || pred.bytes !== 1) throw new NotCompiled(instr, 'the loop condition does not return a pred scalar');
  return [...steps, { k: 'while', cond: cond.steps, pred: cond.root[0], body: [...body.steps, ...writeBack(instr, body.root, state, ctx)] }];
}

/**
 * Whether the body may compute its result leaf j straight into state slot j, saving the
 * copy back: the old value there (parameter leaf j) is read for the last time before the
 * leaf is written, or by the very instruction that writes it where buffer assignment's
 * in-place rule holds (element i read before element i is written); and no other result
 * leaf is that old value, which the write-back would read after the body.
 */
function writesStateInPlace(body: Computation, j: number, lb: LogicalBuffer, a: BufferAssignment, roots: readonly LogicalBuffer[]): boolean {
  const param = body.params[0];
  const old = a.bufferOf(param, leafPaths(param.shape)[j]);
  if (roots.includes(old)) return false;
  if (old.end < lb.start) return true;
  if (old.end > lb.start || lb.index.length > 0) return false;
  const aligned = alignedOperands(lb.instr);
  return aligned !== undefined && lb.instr.operands.every((o, k) => aligned[k] || (o.shape.kind === 'array' && a.bufferOf(o) !== old));
}

/**
 * Copies the body's result leaves into the state. A leaf already in its own slot needs
 * nothing; a leaf that is another slot (the body permutes its state: a swap) is read into
 * a temporary first, before any slot is overwritten.
 */
function writeBack(instr: Instruction, root: readonly number[], state: readonly BufferRef[], ctx: ControlContext): Step[] {
  const slots = new Set(state.map((s) => s.id));
  const saved: Step[] = [];
  const copies: Step[] = [];
  root.forEach((id, j) => {
    if (id === state[j].id) return;
    let from = ctx.store.ref(id, state[j].shape);
    if (slots.has(id)) {
      const tmp = ctx.store.ref(ctx.store.fresh(`${state[j].name}.next`, state[j].shape), state[j].shape);
      saved.push(ctx.copy(instr, from, tmp));
      from = tmp;
    }
    copies.push(ctx.copy(instr, from, state[j]));
  });
  return [...saved, ...copies];
}

function lowerConditional(instr: Extract<Instruction, { opcode: 'conditional' }>, b: ProgramBuilder, ctx: ControlContext): Step[] {
  const { true_computation: t, false_computation: f, branch_computations: bs } = instr.attrs;
  const branches = t && f ? [t, f] : bs ?? [];
  if (branches.length === 0 || branches.length !== instr.operands.length - 1) throw new NotCompiled(instr, 'branches and branch operands do not match');
  const sel = instr.operands[0];
  const indexType = sel.shape.kind === 'array' && sel.shape.dims.length === 0 ? sel.shape.dtype : undefined;
  if (indexType !== 'pred' && indexType !== 's32') throw new NotCompiled(instr, 'the branch selector is not a pred or s32 scalar');
  const results = leafRefs(instr, b);
  // A branch reads only its operand, never the results (both are live at the conditional,
  // so they never share bytes): its root leaves may be computed in the result buffers.
  const lowered = branches.map((c, i): Step[] => {
    const low = ctx.lowerCalled(c, leafRefs(instr.operands[i + 1], b).map((r) => r.id), (j) => results[j].id);
    const copies = low.root.flatMap((id, j) => (id === results[j].id ? [] : [ctx.copy(instr, ctx.store.ref(id, results[j].shape), results[j])]));
    return [...low.steps, ...copies];
  });
  return [{ k: 'switch', index: b.arrayBuffer(b.assignment.bufferOf(sel)), indexType, branches: lowered }];
}

/** A kernel that copies `from` into `to` element by element (`to`'s shape; same size). */
export function copyKernel(name: string, source: Instruction, from: BufferRef, to: BufferRef, constants: ConstantBuffers, target: TargetDescription): LoweredKernel {
  // The value copied, as an instruction read from `from`: the loop kernel loads it.
  const value = makeInstruction(from.name, 'parameter', to.shape, [], { parameter_number: 0 });
  return loopKernel({ name, source, root: value, inputs: new Map([[value, { ...from, shape: to.shape }]]), outputs: [to], constants, target });
}
