// kiln's reference interpreter: the oracle every backend is tested against. Simple and
// obviously correct over fast: each opcode is one evaluator in one table, typed over
// the opcode table so that a new opcode fails to compile until it is handled here.
import { DTYPES } from '../dtype.js';
import type { Literal } from '../literal.js';
import type { Computation, Instruction, Module } from '../module.js';
import { familyOf, type Opcode } from '../opcodes.js';
import { isEngineError } from '../bugs.js';
import { TooLarge } from '../limits.js';
import { leaves, type Shape } from '../shape.js';
import { evalCall, evalConditional, evalFusion, evalGetTupleElement, evalTuple, evalWhile } from './control.js';
import { evalConvolution, evalDot } from './dot_conv.js';
import {
  evalBinary, evalBitcastConvert, evalClamp, evalCompare, evalConvert, evalReducePrecision, evalSelect, evalUnary,
} from './elementwise.js';
import { evalGather, evalScatter } from './gather_scatter.js';
import { evalMap, evalReduce, evalReduceWindow, evalSelectAndScatter } from './reduce.js';
import { evalSort } from './sort.js';
import {
  evalBroadcast, evalConcatenate, evalDynamicSlice, evalDynamicUpdateSlice, evalIota, evalPad, evalReshape,
  evalReverse, evalSlice, evalTranspose,
} from './structural.js';
import { fail, instrLabel, InterpretError, unsupported, unsupportedError, valueRefusal, type Ctx, type Evaluator } from './util.js';

export { InterpretError } from './util.js';
export type { Ctx, Evaluator } from './util.js';
export type { Scalar } from '../scalar/value.js';

// Collectives, async wrappers, custom-call and the like: parsed and verified, never run.
const opaque = (instr: Instruction): never => unsupported(instr);

export const EVAL: { [K in Opcode]: Evaluator<K> } = {
  parameter: (instr, _ops, ctx) => {
    const v = ctx.args[instr.attrs.parameter_number];
    return v ?? fail(instr, `no argument for parameter ${instr.attrs.parameter_number} (${ctx.args.length} given)`);
  },
  constant: (instr) => {
    const l = instr.attrs.literal;
    if ('elided' in l && l.elided) fail(instr, 'constant values were elided ({...}) in the source');
    return l;
  },
  iota: evalIota,

  abs: evalUnary, negate: evalUnary, exponential: evalUnary, 'exponential-minus-one': evalUnary, log: evalUnary,
  'log-plus-one': evalUnary, tanh: evalUnary, logistic: evalUnary, sqrt: evalUnary, rsqrt: evalUnary, cbrt: evalUnary,
  sine: evalUnary, cosine: evalUnary, tan: evalUnary, floor: evalUnary, ceil: evalUnary, 'round-nearest-afz': evalUnary,
  'round-nearest-even': evalUnary, sign: evalUnary, not: evalUnary, 'is-finite': evalUnary, popcnt: evalUnary,
  clz: evalUnary, erf: evalUnary, real: evalUnary, imag: evalUnary,
  acos: evalUnary, acosh: evalUnary, asin: evalUnary, asinh: evalUnary, atanh: evalUnary, cosh: evalUnary, sinh: evalUnary,
  copy: (_instr, ops) => ops[0],
  'reduce-precision': evalReducePrecision,

  add: evalBinary, subtract: evalBinary, multiply: evalBinary, divide: evalBinary, remainder: evalBinary,
  power: evalBinary, maximum: evalBinary, minimum: evalBinary, atan2: evalBinary, and: evalBinary, or: evalBinary,
  xor: evalBinary, 'shift-left': evalBinary, 'shift-right-arithmetic': evalBinary, 'shift-right-logical': evalBinary,
  complex: (instr) => unsupported(instr, '(complex numbers are not computed)'),

  compare: evalCompare,
  select: evalSelect,
  clamp: evalClamp,
  convert: evalConvert,
  'bitcast-convert': evalBitcastConvert,

  broadcast: evalBroadcast,
  reshape: evalReshape,
  bitcast: evalReshape,
  transpose: evalTranspose,
  slice: evalSlice,
  'dynamic-slice': evalDynamicSlice,
  'dynamic-update-slice': evalDynamicUpdateSlice,
  concatenate: evalConcatenate,
  pad: evalPad,
  reverse: evalReverse,

  dot: evalDot,
  convolution: evalConvolution,
  reduce: evalReduce,
  'reduce-window': evalReduceWindow,
  'select-and-scatter': evalSelectAndScatter,
  gather: evalGather,
  scatter: evalScatter,
  sort: evalSort,
  map: evalMap,
  rng: (instr) => unsupported(instr, '(random numbers are backend-defined)'),
  'rng-bit-generator': (instr) => unsupported(instr, '(random bits are backend-defined)'),

  tuple: evalTuple,
  'get-tuple-element': evalGetTupleElement,
  call: evalCall,
  fusion: evalFusion,
  while: evalWhile,
  conditional: evalConditional,

  'stochastic-convert': opaque, 'dynamic-reshape': opaque, 'custom-call': opaque,
  'after-all': opaque, 'add-dependency': opaque, 'all-gather': opaque, 'all-gather-start': opaque,
  'all-gather-done': opaque, 'all-reduce': opaque, 'all-reduce-start': opaque, 'all-reduce-done': opaque,
  'all-to-all': opaque, 'ragged-all-to-all': opaque, 'reduce-scatter': opaque, 'collective-broadcast': opaque,
  'collective-permute': opaque, 'collective-permute-start': opaque, 'collective-permute-done': opaque,
  'async-start': opaque, 'async-update': opaque, 'async-done': opaque, 'copy-start': opaque, 'copy-done': opaque,
  send: opaque, 'send-done': opaque, recv: opaque, 'recv-done': opaque, infeed: opaque, outfeed: opaque,
  domain: opaque, 'opt-barrier': opaque, 'partition-id': opaque, 'replica-id': opaque,
  'get-dimension-size': opaque, 'set-dimension-size': opaque, 'rng-get-and-update-state': opaque,
  cholesky: opaque, 'triangular-solve': opaque, fft: opaque, topk: opaque, scan: opaque,
  'batch-norm-training': opaque, 'batch-norm-inference': opaque, 'batch-norm-grad': opaque,
  'ragged-dot': opaque, 'scaled-dot': opaque,
};

/** Opcodes that only pass values along, so tokens and opaque values may flow through them. */
const PASS_THROUGH = new Set<Opcode>(['parameter', 'constant', 'tuple', 'get-tuple-element', 'copy', 'call', 'fusion', 'while', 'conditional']);

function checkDtypes(instr: Instruction, ops: Literal[]): void {
  if (PASS_THROUGH.has(instr.opcode)) return;
  const shapes = [instr.shape, ...ops.map((o) => o.shape)];
  for (const s of shapes)
    for (const leaf of leaves(s))
      if (!DTYPES[leaf.dtype].computable)
        throw new InterpretError(
          `kiln's interpreter does not compute element type '${leaf.dtype}' (opcode '${instr.opcode}', instruction ${instrLabel(instr)})`,
        );
}

/**
 * Why the interpreter cannot evaluate instr at all (an opaque opcode, a dynamic dim, a
 * result larger than it holds), checked before its operands or result are allocated.
 */
function cannotRun(instr: Instruction): Error | undefined {
  if (familyOf(instr.opcode) === 'opaque') return unsupportedError(instr);
  return valueRefusal(instr.shape, `instruction ${instrLabel(instr)}`);
}

/** Refuses a module the interpreter cannot run, before any input is made for it. */
export function checkInterpretable(m: Module): void {
  for (const c of m.computations)
    for (const instr of c.instructions) {
      const e = cannotRun(instr);
      if (e) throw e;
    }
}

function run(instr: Instruction, ops: Literal[], ctx: Ctx): Literal {
  const refused = cannotRun(instr);
  if (refused) throw refused;
  checkDtypes(instr, ops);
  try {
    return (EVAL[instr.opcode] as (i: Instruction, o: Literal[], c: Ctx) => Literal)(instr, ops, ctx);
  } catch (e) {
    // Errors that already say where, and the engine's own (kiln bugs, stack overflow), pass unchanged.
    // RangeError first: a stack overflow lands here at the stack's end, where calling anything may overflow again.
    if (e instanceof RangeError || e instanceof InterpretError || e instanceof TooLarge || isEngineError(e) || !(e instanceof Error)) throw e;
    throw new InterpretError(`${e.message} (opcode '${instr.opcode}', instruction ${instrLabel(instr)})`, { cause: e });
  }
}

/** What evaluating a computation needs, computed once per computation. */
interface Plan {
  instructions: readonly Instruction[];
  root: Instruction;
  /** Instructions reachable from the root, operands first; the root is last. */
  order: Instruction[];
  /** Positions in `order` of each step's operands. */
  operands: number[][];
  /** Positions whose value is last used at each step (freed after it). */
  frees: number[][];
}

const plans = new WeakMap<Computation, Plan>();

function planOf(c: Computation): Plan {
  const cached = plans.get(c);
  if (cached && cached.instructions === c.instructions && cached.root === c.root && cached.order.length <= c.instructions.length)
    return cached;
  const reachable = new Set<Instruction>();
  const stack: Instruction[] = [c.root];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (reachable.has(i)) continue;
    reachable.add(i);
    stack.push(...i.operands);
  }
  const order = c.instructions.filter((i) => reachable.has(i));
  if (order.length !== reachable.size || order[order.length - 1] !== c.root)
    throw new InterpretError(`computation ${c.name} uses instructions it does not list, or lists them out of order`);
  const pos = new Map(order.map((i, k) => [i, k]));
  const operands = order.map((i) => i.operands.map((o) => pos.get(o)!));
  operands.forEach((ops, step) => ops.forEach((p) => {
    if (p >= step) throw new InterpretError(`computation ${c.name}: ${instrLabel(order[step])} uses an operand defined after it`);
  }));
  const last = new Array<number>(order.length).fill(-1);
  operands.forEach((ops, step) => ops.forEach((p) => { last[p] = step; }));
  const frees: number[][] = order.map(() => []);
  last.forEach((step, p) => { if (step >= 0 && p !== order.length - 1) frees[step].push(p); });
  const plan = { instructions: c.instructions, root: c.root, order, operands, frees };
  plans.set(c, plan);
  return plan;
}

/** Limits on one interpretation. */
export interface InterpretOptions {
  /**
   * Stop with a BudgetExceeded error once the work done passes this many units: each
   * instruction evaluated (called computations included) costs its result's element
   * count plus INSTRUCTION_COST for its fixed overhead. A while
   * loop whose condition never turns false would otherwise run forever; XLA's own
   * evaluator has no such limit.
   */
  maxElements?: number;
}

/** Interpretation stopped by InterpretOptions.maxElements. */
export class BudgetExceeded extends InterpretError {
  override name = 'BudgetExceeded';
}

interface Meter { left: number; readonly limit: number }

/** What evaluating one instruction costs beyond its elements, in elements' worth of time. */
const INSTRUCTION_COST = 64;

const elementsOf = (l: Literal): number =>
  l.shape.kind === 'tuple' ? 0 : l.shape.dims.reduce((a, d) => a * d, 1);

const shapeElements = (s: Shape): number =>
  s.kind === 'tuple' ? s.elements.reduce((n, e) => n + shapeElements(e), 0) : s.dims.reduce((a, d) => a * d, 1);

function overBudget(meter: Meter, instr: Instruction): BudgetExceeded {
  return new BudgetExceeded(
    `stopped at ${instrLabel(instr)} after ${meter.limit.toExponential(1)} units of work (the interpretation budget): ` +
      'a while loop that does not end, or a module too large to interpret',
  );
}

/** Refuses, before allocating it, a result the budget cannot pay for (an iota of 2^32 elements would take 16 GB first). */
function afford(meter: Meter | undefined, instr: Instruction): void {
  if (meter && shapeElements(instr.shape) > meter.left) throw overBudget(meter, instr);
}

function spend(meter: Meter | undefined, instr: Instruction, out: Literal): void {
  if (!meter) return;
  meter.left -= elementsOf(out) + INSTRUCTION_COST;
  if (meter.left < 0) throw overBudget(meter, instr);
}

function evaluateMetered(c: Computation, args: Literal[], meter: Meter | undefined): Literal {
  const plan = planOf(c);
  const vals: (Literal | undefined)[] = new Array(plan.order.length);
  const ctx: Ctx = { args, call: (callee, a) => evaluateMetered(callee, a, meter) };
  for (let s = 0; s < plan.order.length; s++) {
    afford(meter, plan.order[s]);
    const out = run(plan.order[s], plan.operands[s].map((p) => vals[p]!), ctx);
    spend(meter, plan.order[s], out);
    vals[s] = out;
    for (const p of plan.frees[s]) vals[p] = undefined;
  }
  return vals[plan.order.length - 1]!;
}

/** Evaluate one computation on its arguments (by parameter number), with no budget. */
export const evaluate = (c: Computation, args: Literal[]): Literal => evaluateMetered(c, args, undefined);

/** Run a module's entry computation. */
export function interpret(m: Module, args: Literal[], options: InterpretOptions = {}): Literal {
  const n = m.entry.params.length;
  if (args.length !== n) throw new InterpretError(`${m.name}: entry computation takes ${n} arguments, got ${args.length}`);
  const limit = options.maxElements;
  return evaluateMetered(m.entry, args, limit === undefined ? undefined : { left: limit, limit });
}
