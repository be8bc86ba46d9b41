// Lowering a module to a kernel IR Program: buffers from buffer assignment, one kernel
// per entry instruction that computes something (a fusion, a dot, a single op), in
// schedule order. Parameters, constants, tuples, get-tuple-element, bitcasts and
// reshapes make no kernel: buffer assignment gives them the buffer they name. `while`
// and `conditional` become control steps over their called computations (control.ts).
// The target's description (ir/target.ts) travels down to every kernel template: its
// vector lanes and schedules are the only machine facts lowering uses.
import type { Kernel, Program, ProgramIO, Step } from '../../ir/kernel/kernel.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import type { TargetDescription } from '../../ir/target.js';
import { assignBuffers, type AliasPlacement, type BufferAlias, type LogicalBuffer } from '../buffer_assignment.js';
import { leafPaths } from '../buffer_liveness.js';
import { ALIGN, leafShape, ProgramBuffers, ProgramBuilder } from './buffers.js';
import { copyKernel, lowerControl, type ControlContext, type Lowered, type ResultPlacement } from './control.js';
import { NotCompiled } from './errors.js';
import { elementRule } from './elemental.js';
import { ioNames, type IONames } from './io_names.js';
import { loopKernel, type BufferRef, type LoweredKernel } from './loop_kernel.js';
import { hasOwnKernels, ownKernels } from './own_kernels.js';
import { gpuSchedule } from './gpu_grid.js';
import { gpuRowKernel } from './gpu_row.js';
import { rowKernel } from './row_kernel.js';
import { tiledKernel } from './tiled.js';
import { tiledWindow } from './tiled_window.js';
import { tupleLeafInputs } from './tuple_operands.js';

/** Make no kernel: their buffers are their operands'. */
const ALIASING = new Set(['parameter', 'constant', 'tuple', 'get-tuple-element', 'bitcast', 'reshape']);

/**
 * `names`: the inputs' and outputs' names (io_names.ts). The driver passes the source
 * module's, since the passes rename the root; by default they are `m`'s own. `aliases`:
 * outputs that end in a parameter's bytes (buffer_assignment.ts); the program's output is
 * then that input's buffer.
 */
export function lowerModule(m: Module, target: TargetDescription, names: IONames = ioNames(m), aliases: readonly BufferAlias[] = []): Program {
  const assignment = assignBuffers(m, { alignment: ALIGN, aliases });
  const store = new ProgramBuffers(assignment.arenaBytes);
  const b = new ProgramBuilder(store, assignment);
  const ctx = controlContext(m, store, target);
  const steps = lowerComputation(m.entry, b, ctx);

  // A tuple parameter is one input per array leaf.
  const inputLeaves = m.entry.params.flatMap((p) => leafPaths(p.shape).map((path) => assignment.bufferOf(p, path)));
  const rootLeaves = leafPaths(m.entry.root.shape);
  if (names.inputs.length !== inputLeaves.length || names.outputs.length !== rootLeaves.length)
    throw new Error(`${m.name}: ${names.inputs.length} input and ${names.outputs.length} output names for ${inputLeaves.length} inputs and ${rootLeaves.length} outputs`);
  const inputs: ProgramIO[] = inputLeaves.map((lb, i) => ({ name: names.inputs[i], buffer: b.arrayBuffer(lb) }));
  const aliasOf = new Map(assignment.aliases.map((a) => [a.output, a]));
  const outputs: ProgramIO[] = rootLeaves.map((path, j) => {
    const alias = aliasOf.get(j);
    if (alias) {
      const param = inputLeaves.indexOf(alias.buffer);
      return { name: names.outputs[j], buffer: store.view(inputs[param].buffer, leafShape(m.entry.root.shape, path)), aliases: inputs[param].name };
    }
    const lb = assignment.bufferOf(m.entry.root, path);
    let id = b.arrayBuffer(lb);
    // A result that is an input or a constant is copied out, so the caller owns its buffer.
    if (lb.kind === 'parameter' || lb.kind === 'constant') {
      const to = store.fresh(`${lb.instr.name}.out`, lb.shape);
      steps.push(ctx.copy(lb.instr, b.ref(lb), store.ref(to, lb.shape)));
      id = to;
    }
    return { name: names.outputs[j], buffer: store.view(id, leafShape(m.entry.root.shape, path)) };
  });
  // After the outputs above are copied out (one may be a parameter an alias overwrites).
  steps.push(...aliasCopies(assignment.aliases, b, store, ctx));

  return {
    name: m.name, kernels: ctx.kernels, steps, inputs, outputs,
    buffers: store.buffers, constantsBytes: store.constantsBytes, arenaBytes: store.arenaBytes,
  };
}

/**
 * XLA's copy insertion for aliases the buffer assignment could not meet by writing in place:
 * each value copied over its parameter after the last instruction, a parameter that another
 * copy overwrites (two parameters swapped) first copied aside.
 */
function aliasCopies(aliases: readonly AliasPlacement[], b: ProgramBuilder, store: ProgramBuffers, ctx: ControlContext): Step[] {
  const steps: Step[] = [];
  const from = new Map<AliasPlacement, number>();
  for (const a of aliases) {
    if (a.how !== 'copy') continue;
    let id = b.arrayBuffer(a.value);
    if (a.staged) {
      const aside = store.fresh(`${a.value.instr.name}.aside`, a.value.shape);
      steps.push(ctx.copy(a.value.instr, b.ref(a.value), store.ref(aside, a.value.shape)));
      id = aside;
    }
    from.set(a, id);
  }
  for (const [a, id] of from) steps.push(ctx.copy(a.value.instr, store.ref(id, a.value.shape), b.ref(a.buffer)));
  return steps;
}

/** Steps that compute a computation's instructions in schedule order, through `b`'s buffers. */
function lowerComputation(c: Computation, b: ProgramBuilder, ctx: ControlContext): Step[] {
  const steps: Step[] = [];
  for (const instr of c.instructions) {
    if (ALIASING.has(instr.opcode)) continue;
    if (instr.opcode === 'while' || instr.opcode === 'conditional') steps.push(...lowerControl(instr, b, ctx));
    else for (const made of lowerInstruction(instr, b, ctx.kernels.length, ctx.target)) steps.push(ctx.launch(made));
  }
  return steps;
}

/**
 * How control flow lowers what it calls: a called computation gets a buffer assignment of
 * its own whose parameters are the caller's buffers `params` (leaf order) and whose other
 * buffers take a fresh region past everything else. No bytes are shared across
 * computations: simple and correct, at the cost of arena the regions could share.
 */
function controlContext(m: Module, store: ProgramBuffers, target: TargetDescription): ControlContext {
  const kernels: Kernel[] = [];
  const launch = (made: LoweredKernel): Step => {
    kernels.push(made.kernel);
    return { k: 'launch', kernel: kernels.length - 1, args: made.args };
  };
  const ctx: ControlContext = {
    kernels, store, target, launch,
    copy: (source, from, to) => launch(copyKernel(`k${kernels.length}_copy`, source, from, to, store.constants, target)),
    lowerCalled: (c: Computation, params: readonly number[], results?: ResultPlacement): Lowered => {
      const assignment = assignBuffers({ ...m, entry: c }, { alignment: ALIGN, paramsOutside: true });
      const leaves: LogicalBuffer[] = c.params.flatMap((p) => leafPaths(p.shape).map((path) => assignment.bufferOf(p, path)));
      if (leaves.length !== params.length) throw new Error(`${c.name} takes ${leaves.length} array leaves, its caller passes ${params.length}`);
      const given = new Map(leaves.map((lb, i) => [lb, params[i]]));
      const rootLeaves = leafPaths(c.root.shape).map((path) => assignment.bufferOf(c.root, path));
      // A root leaf c computes (not a parameter, not a constant; its first occurrence) goes where the caller wants it.
      rootLeaves.forEach((lb, j) => {
        const to = results && lb.kind === 'output' && !given.has(lb) ? results(j, lb, assignment, rootLeaves) : undefined;
        if (to !== undefined) given.set(lb, to);
      });
      const b = new ProgramBuilder(store, assignment, store.reserve(assignment.arenaBytes), given);
      const steps = lowerComputation(c, b, ctx);
      return { steps, root: rootLeaves.map((lb) => b.arrayBuffer(lb)) };
    },
  };
  return ctx;
}

function lowerInstruction(instr: Instruction, b: ProgramBuilder, n: number, target: TargetDescription): LoweredKernel[] {
  const assignment = b.assignment;
  const fusion = instr.opcode === 'fusion' ? instr.attrs.calls : undefined;
  const rule = fusion ? undefined : elementRule(instr.opcode);
  if (typeof rule === 'string' && !hasOwnKernels(instr)) throw new NotCompiled(instr, rule);
  const paths = leafPaths(instr.shape);
  if (paths.length === 0) return [];
  const operandRef = (o: Instruction): BufferRef => {
    if (o.shape.kind !== 'array') throw new NotCompiled(instr, `operand %${o.name} is a tuple`);
    // The operand's own shape: a bitcast or reshape names its source's bytes with other dims.
    return { ...b.ref(assignment.bufferOf(o)), shape: o.shape };
  };
  const inputs = new Map<Instruction, BufferRef>();
  if (fusion)
    fusion.params.forEach((p, i) => {
      if (p.shape.kind === 'array') inputs.set(p, operandRef(instr.operands[i]));
      else for (const [x, ref] of tupleLeafInputs(instr, fusion, p, instr.operands[i], b)) inputs.set(x, ref);
    });
  else for (const o of instr.operands) inputs.set(o, operandRef(o));
  const outputs = paths.map((path) => ({ ...b.ref(assignment.bufferOf(instr, path)), shape: leafShape(instr.shape, path) }));
  const root = fusion ? fusion.root : instr;
  const name = `k${n}_${instr.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const spec = { name, source: instr, root, body: fusion, inputs, outputs, constants: b.constants, target };
  // sort, scatter and select-and-scatter: kernels of their own (own_kernels.ts), never elemental.
  if (hasOwnKernels(instr)) return ownKernels(instr, { ...spec, scratch: (hint, shape) => b.store.ref(b.store.fresh(hint, shape), shape) });
  // A row fusion: one kernel, rows in parallel, passes over each row (row_kernel.ts); on a
  // GPU a workgroup per row (gpu_row.ts), unless the row is past what that kernel takes.
  if (fusion && (instr.attrs as { kind?: string }).kind === 'kRow') {
    const gpu = gpuSchedule(target);
    return [(gpu && gpuRowKernel(spec, gpu)) || rowKernel(spec)];
  }
  // A multi-output fusion whose outputs differ in shape runs as one kernel per output.
  if (fusion && root.opcode === 'tuple' && outputs.some((o) => o.shape.dims.join() !== outputs[0].shape.dims.join()))
    return root.operands.map((r, j) => loopKernel({ ...spec, name: `${name}_${j}`, root: r, outputs: [outputs[j]] }));
  return [tiledKernel(spec) ?? tiledWindow(spec) ?? loopKernel(spec)];
}
