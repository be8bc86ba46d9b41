// reduce-window and select-and-scatter. A windowed sum is linear: its cotangent is the
// padded, strided-out cotangent summed over the window again (JAX's
// _reduce_window_sum_transpose_rule). A windowed max/min sends its cotangent to the
// winner of each window through select-and-scatter (GE/LE select, add scatter), and its
// tangent is read at that same winner by scanning the window's taps (windows.ts).
import type { WindowDim } from '../../ir/attrs.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { OpAttrs } from '../../ir/opcodes.js';
import { type Emitter, dimsOf, dtypeOf, range } from './emitter.js';
import { NotDifferentiableError } from './errors.js';
import { reducerKind, selectDirection, type ReducerKind } from './reducers.js';
import { replay } from './rules_structural.js';
import { MAX_TAPS, scanWindows, tapCount } from './windows.js';
import { type Rule, arr } from './types.js';

const dilate = (n: number, d: number) => (n === 0 ? 0 : 1 + d * (n - 1));

function windowKind(x: Instruction, ops: readonly Instruction[], initVaries: boolean): ReducerKind {
  const rw = x as InstructionOf<'reduce-window'>;
  if (ops.length !== 2) throw NotDifferentiableError.of(x, 'a variadic reduce-window (several inputs) is not differentiable yet');
  const kind = reducerKind(rw.attrs.to_apply);
  if (kind !== 'add' && kind !== 'maximum' && kind !== 'minimum')
    throw NotDifferentiableError.of(x, `its reducer %${rw.attrs.to_apply.name} is not add, maximum or minimum of its two parameters`);
  if (initVaries && kind !== 'add') throw NotDifferentiableError.of(x, `the init value of a windowed ${kind} varies with a differentiated parameter`);
  if ((rw.attrs.window ?? []).some((w) => w.reversal)) throw NotDifferentiableError.of(x, 'window reversal is not differentiated yet');
  return kind;
}

const windowOf = (attrs: { window?: WindowDim[] }, rank: number): WindowDim[] =>
  range(rank).map((i) => attrs.window?.[i] ?? { size: 1, stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false });

/** The windowed sum's transpose: g spread back over every input element its windows covered. */
function sumTranspose(e: Emitter, g: Instruction, input: Instruction, w: WindowDim[]): Instruction {
  const inD = dimsOf(input), outD = dimsOf(g);
  const padding = w.map((d, i) => {
    const before = dilate(d.size, d.rhsDilate) - d.padLow - 1;
    const after = dilate(inD[i], d.lhsDilate) + dilate(d.size, d.rhsDilate) - 1 - dilate(outD[i], d.stride) - before;
    return { low: before, high: after, interior: d.stride - 1 };
  });
  const zero = e.scalar(dtypeOf(g), 0);
  const spread = e.c.pad(g, zero, padding);
  const back = w.map((d) => ({ size: d.size, stride: d.lhsDilate, rhsDilate: d.rhsDilate }));
  return e.c.reduceWindow(spread, zero, back, e.scalarFn('add', dtypeOf(g)));
}

/** The init value when it cannot win a max/min (∓inf); undefined when it might. */
function initLoses(init: Instruction, kind: ReducerKind): boolean {
  if (init.opcode !== 'constant' || init.attrs.literal.shape.kind !== 'array') return false;
  const v = (init.attrs.literal as { data: ArrayLike<number | bigint> }).data[0];
  return v === (kind === 'maximum' ? -Infinity : Infinity);
}

/** g where the window's result beat the init value (the init wins nothing back). */
function beatInit(e: Emitter, g: Instruction, y: Instruction, init: Instruction, kind: ReducerKind): Instruction {
  if (initLoses(init, kind)) return g;
  return e.mask(e.cmp(y, e.broadcast(init, dimsOf(y), []), kind === 'maximum' ? 'GT' : 'LT'), g);
}

const reduceWindow: Rule<'reduce-window'> = {
  jvp: (c) => {
    const { e, x, ops } = c;
    const kind = windowKind(x, ops, c.t[1] !== undefined);
    const [input, init] = ops, t = e.materialize(c.t[0], input.shape);
    if (kind === 'add') return replay(c, [t, e.materialize(c.t[1], init.shape)]);
    const w = windowOf(c.attrs, dimsOf(input).length);
    if (tapCount(w) > MAX_TAPS) throw NotDifferentiableError.of(x, `forward mode of a windowed ${kind} scans each window's taps; ${tapCount(w)} is more than ${MAX_TAPS}`);
    const [picked] = scanWindows(e, input, w, dimsOf(x), kind === 'maximum' ? 'GE' : 'LE', [t]);
    return beatInit(e, picked, x, init, kind);
  },
  vjp: ({ e, x, ops, ct, wants, attrs }) => {
    const kind = windowKind(x, ops, wants[1]);
    const [input, init] = ops, g = arr(ct), w = windowOf(attrs, dimsOf(input).length);
    if (kind === 'add') return [wants[0] ? sumTranspose(e, g, input, w) : undefined, wants[1] ? e.sum(g, range(dimsOf(g).length)) : undefined];
    const dt = dtypeOf(input);
    const dir = kind === 'maximum' ? 'GE' : 'LE';
    const sas = e.c.op('select-and-scatter', [input, beatInit(e, g, x, init, kind), e.scalar(dt, 0)], {
      window: w, select: e.predicate(dir, dt), scatter: e.scalarFn('add', dt),
    });
    return [sas];
  },
};

/** select-and-scatter with a comparison select and an add scatter: linear in source and init. */
function sasDirection(x: Instruction, attrs: OpAttrs<'select-and-scatter'>) {
  const dir = selectDirection(attrs.select);
  if (!dir) throw NotDifferentiableError.of(x, `its select %${attrs.select.name} is not a comparison of its two parameters`);
  if (reducerKind(attrs.scatter) !== 'add') throw NotDifferentiableError.of(x, `its scatter %${attrs.scatter.name} is not an add`);
  return dir;
}

const selectAndScatter: Rule<'select-and-scatter'> = {
  jvp: (c) => {
    sasDirection(c.x, c.attrs);
    const [operand, source, init] = c.ops;
    if (c.t[1] === undefined && c.t[2] === undefined) return undefined; // the operand only selects
    return replay(c, [operand, c.e.materialize(c.t[1], source.shape), c.e.materialize(c.t[2], init.shape)]);
  },
  vjp: ({ e, x, ops: [operand, source], ct, wants, attrs }) => {
    const dir = sasDirection(x, attrs), g = arr(ct), w = windowOf(attrs, dimsOf(operand).length);
    if (wants[1] && tapCount(w) > MAX_TAPS) throw NotDifferentiableError.of(x, `its source's cotangent scans each window's taps; ${tapCount(w)} is more than ${MAX_TAPS}`);
    const src = wants[1] ? scanWindows(e, operand, w, dimsOf(source), dir, [g])[0] : undefined;
    return [undefined, src, wants[2] ? e.sum(g, range(dimsOf(g).length)) : undefined];
  },
};

export const WINDOW_RULES = { 'reduce-window': reduceWindow, 'select-and-scatter': selectAndScatter };
