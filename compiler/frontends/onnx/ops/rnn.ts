// ONNX ops: rnn family. RNN, GRU and LSTM are unrolled at compile time over the fixed
// sequence length: one slice of the precomputed input projection and one recurrent dot
// per step and direction, the steps' hidden states concatenated into Y. sequence_lens
// is honoured by masking: entries past their length keep their state and output zeros.
import type { DType } from '../../../../ir/dtype.js';
import type { Instruction } from '../../../../ir/module.js';
import type { LowerCtx } from './types.js';
import { float, floats, int, op, string, strings } from './types.js';
import { dimsOf, shapeOf, splat } from './util.js';

const rnnAttrs = {
  activation_alpha: floats(),
  activation_beta: floats(),
  activations: strings(),
  clip: float(),
  direction: string('forward'),
  hidden_size: int(),
  layout: int(0),
};

type Act = (x: Instruction) => Instruction;

/** The activation functions named by `activations`, or the op's defaults, for each direction. */
function activations(ctx: LowerCtx, names: string[] | undefined, defaults: string[], dirs: number, a: { activation_alpha?: number[]; activation_beta?: number[] }): Act[][] {
  if (a.activation_alpha || a.activation_beta) ctx.fail('activation_alpha/activation_beta are not supported');
  const list = names ?? [...defaults, ...(dirs === 2 ? defaults : [])];
  if (list.length !== defaults.length * dirs) ctx.fail(`activations has ${list.length} names, expected ${defaults.length * dirs}`);
  const fns = list.map((n) => activation(ctx, n));
  return Array.from({ length: dirs }, (_, d) => fns.slice(d * defaults.length, (d + 1) * defaults.length));
}

function activation(ctx: LowerCtx, name: string): Act {
  switch (name.toLowerCase()) {
    case 'sigmoid': return (x) => ctx.b.logistic(x);
    case 'tanh': return (x) => ctx.b.tanh(x);
    case 'relu': return (x) => ctx.b.maximum(x, splat(ctx, x, 0));
    default: return ctx.fail(`activation '${name}' is not supported`);
  }
}

/** Clips to [-clip, clip] when clip is set (applied to gate pre-activations). */
function clipped(ctx: LowerCtx, x: Instruction, clip: number | undefined): Instruction {
  return clip === undefined ? x : ctx.b.clamp(splat(ctx, x, -clip), x, splat(ctx, x, clip));
}

/** Row d of a [dirs, ...] tensor, with the leading dim dropped. */
function ofDirection(ctx: LowerCtx, x: Instruction, d: number): Instruction {
  const xd = dimsOf(ctx, x);
  const s = ctx.b.slice(x, xd.map((_, i) => (i === 0 ? d : 0)), xd.map((n, i) => (i === 0 ? d + 1 : n)));
  return ctx.b.reshape(s, xd.slice(1));
}

/** Columns [k*h, (k+1)*h) of a [rows, cols] value: gate k. */
function gate(ctx: LowerCtx, x: Instruction, k: number, h: number): Instruction {
  const [rows] = dimsOf(ctx, x);
  return ctx.b.slice(x, [0, k * h], [rows, (k + 1) * h]);
}

/** Step t of a [seq, batch, n] value. */
function step(ctx: LowerCtx, x: Instruction, t: number): Instruction {
  const [, batch, n] = dimsOf(ctx, x);
  return ctx.b.reshape(ctx.b.slice(x, [t, 0, 0], [t + 1, batch, n]), [batch, n]);
}

/** x [rows, k] times m^T for m [n, k]: [rows, n]. */
const timesT = (ctx: LowerCtx, x: Instruction, m: Instruction) =>
  ctx.b.dot(x, m, { lhsContracting: [dimsOf(ctx, x).length - 1], rhsContracting: [1] });

/** A [n] vector broadcast over the rows of a [rows, n] value. */
const rowwise = (ctx: LowerCtx, v: Instruction, like: Instruction) => ctx.b.broadcast(v, dimsOf(ctx, like), [1]);

/** The pieces every recurrent op shares, read from its inputs and attributes. */
interface Setup {
  x: Instruction; // [seq, batch, input]
  seq: number;
  batch: number;
  hidden: number;
  dirs: number;
  dtype: DType;
  reverse: (d: number) => boolean;
  /** Per step, the batch entries inside their sequence_lens; undefined when all are. */
  valid?: Instruction[];
}

function setup(ctx: LowerCtx, a: { direction: string; hidden_size?: number; layout: number }): Setup {
  let x = ctx.input(0);
  if (a.layout !== 0 && a.layout !== 1) ctx.fail(`layout ${a.layout} is not 0 or 1`);
  if (a.layout === 1) x = ctx.b.transpose(x, [1, 0, 2]);
  const [seq, batch] = dimsOf(ctx, x);
  const dirs = a.direction === 'bidirectional' ? 2 : 1;
  if (!['forward', 'reverse', 'bidirectional'].includes(a.direction)) ctx.fail(`direction '${a.direction}' is not supported`);
  const hidden = a.hidden_size ?? dimsOf(ctx, ctx.input(2))[2];
  return {
    x, seq, batch, hidden, dirs, dtype: shapeOf(ctx, x).dtype,
    valid: validMasks(ctx, seq, batch, hidden),
    reverse: (d) => a.direction === 'reverse' || d === 1,
  };
}

/**
 * Per step, which batch entries are inside their sequence_lens ([batch, hidden] preds),
 * or undefined when every entry is known to run the full length.
 */
function validMasks(ctx: LowerCtx, seq: number, batch: number, hidden: number): Instruction[] | undefined {
  const lens = ctx.optional(4);
  if (!lens) return undefined;
  const known = ctx.known(4);
  if (known && Array.from(known.data, Number).every((n) => n === seq)) return undefined;
  const dtype = shapeOf(ctx, lens).dtype;
  return range(seq).map((t) => {
    const now = ctx.b.broadcast(ctx.b.constantScalar(dtype, t), [batch]);
    return ctx.b.broadcast(ctx.b.compare(now, lens, 'LT'), [batch, hidden], [0]);
  });
}

/** The initial state input i for direction d, or zeros [batch, hidden]. */
function initial(ctx: LowerCtx, s: Setup, i: number, d: number, layout: number): Instruction {
  let v = ctx.optional(i);
  if (!v) return ctx.b.broadcast(ctx.b.constantScalar(s.dtype, 0), [s.batch, s.hidden]);
  if (layout === 1) v = ctx.b.transpose(v, [1, 0, 2]);
  return ofDirection(ctx, v, d);
}

/**
 * X times W^T for every step at once, plus the input and recurrent biases (both are
 * constant per step, so they fold in here): [seq, batch, gates*hidden].
 */
function inputProjection(ctx: LowerCtx, s: Setup, d: number, gates: number, addRecurrentBias: boolean[]): Instruction {
  const w = ofDirection(ctx, ctx.input(1), d);
  const xw = ctx.b.dot(s.x, w, { lhsContracting: [2], rhsContracting: [1] });
  const b = ctx.optional(3);
  if (!b) return xw;
  const bd = ofDirection(ctx, b, d);
  const n = gates * s.hidden;
  let bias: Instruction = ctx.b.slice(bd, [0], [n]);
  // The recurrent bias of gate k is added here too unless the op needs it inside (GRU's h).
  const rb = ctx.b.slice(bd, [n], [2 * n]);
  const keep = addRecurrentBias.flatMap((on) => Array(s.hidden).fill(on ? 1 : 0));
  bias = ctx.b.add(bias, ctx.b.multiply(rb, ctx.b.constantArray(s.dtype, [n], keep)));
  return ctx.b.add(xw, ctx.b.broadcast(bias, dimsOf(ctx, xw), [2]));
}

/** Steps in the order direction d visits them. */
const order = (s: Setup, d: number) => Array.from({ length: s.seq }, (_, i) => (s.reverse(d) ? s.seq - 1 - i : i));

/** Y [seq, dirs, batch, hidden] from per-direction, per-step states (indexed by step). */
function stackY(ctx: LowerCtx, s: Setup, hs: Instruction[][]): Instruction {
  const steps = Array.from({ length: s.seq }, (_, t) =>
    ctx.b.concatenate(hs.map((h) => ctx.b.reshape(h[t], [1, 1, s.batch, s.hidden])), 1));
  return ctx.b.concatenate(steps, 0);
}

/** [dirs, batch, hidden] from each direction's last state. */
const stackLast = (ctx: LowerCtx, s: Setup, last: Instruction[]) =>
  ctx.b.concatenate(last.map((h) => ctx.b.reshape(h, [1, s.batch, s.hidden])), 0);

/** The outputs in the requested layout: Y, then each [dirs, batch, hidden] state. */
function outputs(ctx: LowerCtx, layout: number, y: Instruction, states: Instruction[]): Instruction[] {
  if (layout === 0) return [y, ...states];
  return [ctx.b.transpose(y, [2, 0, 1, 3]), ...states.map((v) => ctx.b.transpose(v, [1, 0, 2]))];
}

/**
 * Runs the cell over each direction, collecting the hidden state after every step. With
 * sequence_lens, entries past their length keep their state and output zeros; since a
 * reverse pass then starts from the initial state at its entry's last step, masking
 * serves both directions.
 */
function unroll<S extends Instruction[]>(
  ctx: LowerCtx, s: Setup, init: (d: number) => S, cell: (d: number, t: number, state: S) => S,
): { hs: Instruction[][]; last: S[] } {
  const hs: Instruction[][] = [], last: S[] = [];
  for (let d = 0; d < s.dirs; d++) {
    let state = init(d);
    const h: Instruction[] = [];
    for (const t of order(s, d)) {
      const next = cell(d, t, state);
      const valid = s.valid?.[t];
      if (!valid) {
        state = next;
        h[t] = state[0];
        continue;
      }
      state = next.map((v, k) => ctx.b.select(valid, v, state[k])) as S;
      h[t] = ctx.b.select(valid, state[0], splat(ctx, state[0], 0));
    }
    hs.push(h);
    last.push(state);
  }
  return { hs, last };
}

const RNN = op({
  opsets: [7, 17],
  attrs: rnnAttrs,
  lower(ctx, a) {
    const s = setup(ctx, a);
    const acts = activations(ctx, a.activations, ['Tanh'], s.dirs, a);
    const proj = range(s.dirs).map((d) => inputProjection(ctx, s, d, 1, [true]));
    const r = range(s.dirs).map((d) => ofDirection(ctx, ctx.input(2), d));
    const { hs, last } = unroll(ctx, s, (d) => [initial(ctx, s, 5, d, a.layout)], (d, t, [h]) => {
      const pre = ctx.b.add(step(ctx, proj[d], t), timesT(ctx, h, r[d]));
      return [acts[d][0](clipped(ctx, pre, a.clip))];
    });
    return outputs(ctx, a.layout, stackY(ctx, s, hs), [stackLast(ctx, s, last.map((l) => l[0]))]);
  },
});

const GRU = op({
  opsets: [7, 17],
  attrs: { ...rnnAttrs, linear_before_reset: int(0) },
  lower(ctx, a) {
    const s = setup(ctx, a), H = s.hidden;
    const acts = activations(ctx, a.activations, ['Sigmoid', 'Tanh'], s.dirs, a);
    // Gates z, r, h. h's recurrent bias sits inside the reset product, so it is added per step.
    const proj = range(s.dirs).map((d) => inputProjection(ctx, s, d, 3, [true, true, false]));
    const r = range(s.dirs).map((d) => ofDirection(ctx, ctx.input(2), d));
    const b = ctx.optional(3);
    const rbh = range(s.dirs).map((d) => (b ? ctx.b.slice(ofDirection(ctx, b, d), [5 * H], [6 * H]) : undefined));
    const { hs, last } = unroll(ctx, s, (d) => [initial(ctx, s, 5, d, a.layout)], (d, t, [h]) => {
      const [f, g] = acts[d];
      const xp = step(ctx, proj[d], t);
      const rd = r[d];
      const rz = ctx.b.slice(rd, [0, 0], [2 * H, H]), rh = ctx.b.slice(rd, [2 * H, 0], [3 * H, H]);
      const zr = ctx.b.add(gateSpan(ctx, xp, 0, 2 * H), timesT(ctx, h, rz));
      const z = f(clipped(ctx, gate(ctx, zr, 0, H), a.clip));
      const reset = f(clipped(ctx, gate(ctx, zr, 1, H), a.clip));
      const withBias = (v: Instruction) => (rbh[d] ? ctx.b.add(v, rowwise(ctx, rbh[d]!, v)) : v);
      const recurrent = a.linear_before_reset
        ? ctx.b.multiply(reset, withBias(timesT(ctx, h, rh)))
        : withBias(timesT(ctx, ctx.b.multiply(reset, h), rh));
      const cand = g(clipped(ctx, ctx.b.add(gate(ctx, xp, 2, H), recurrent), a.clip));
      // H = (1 - z) * cand + z * h = cand + z * (h - cand)
      return [ctx.b.add(cand, ctx.b.multiply(z, ctx.b.subtract(h, cand)))];
    });
    return outputs(ctx, a.layout, stackY(ctx, s, hs), [stackLast(ctx, s, last.map((l) => l[0]))]);
  },
});

/** Columns [from, from + n) of a [rows, cols] value. */
function gateSpan(ctx: LowerCtx, x: Instruction, from: number, n: number): Instruction {
  const [rows] = dimsOf(ctx, x);
  return ctx.b.slice(x, [0, from], [rows, from + n]);
}

const LSTM = op({
  opsets: [7, 17],
  attrs: { ...rnnAttrs, input_forget: int(0) },
  lower(ctx, a) {
    if (a.input_forget) ctx.fail('input_forget=1 is not supported');
    const s = setup(ctx, a), H = s.hidden;
    const acts = activations(ctx, a.activations, ['Sigmoid', 'Tanh', 'Tanh'], s.dirs, a);
    // Gates i, o, f, c.
    const proj = range(s.dirs).map((d) => inputProjection(ctx, s, d, 4, [true, true, true, true]));
    const r = range(s.dirs).map((d) => ofDirection(ctx, ctx.input(2), d));
    const p = ctx.optional(7);
    const peep = range(s.dirs).map((d) => (p ? ofDirection(ctx, p, d) : undefined));
    const peephole = (d: number, k: number, c: Instruction) =>
      (peep[d] ? ctx.b.multiply(rowwise(ctx, ctx.b.slice(peep[d]!, [k * H], [(k + 1) * H]), c), c) : undefined);
    const plus = (v: Instruction, w: Instruction | undefined) => (w ? ctx.b.add(v, w) : v);
    const { hs, last } = unroll(ctx, s, (d) => [initial(ctx, s, 5, d, a.layout), initial(ctx, s, 6, d, a.layout)], (d, t, [h, c]) => {
      const [f, g, hAct] = acts[d];
      const pre = ctx.b.add(step(ctx, proj[d], t), timesT(ctx, h, r[d]));
      // Peepholes P are ordered i, o, f.
      const i = f(clipped(ctx, plus(gate(ctx, pre, 0, H), peephole(d, 0, c)), a.clip));
      const fg = f(clipped(ctx, plus(gate(ctx, pre, 2, H), peephole(d, 2, c)), a.clip));
      const cand = g(clipped(ctx, gate(ctx, pre, 3, H), a.clip));
      const cNew = ctx.b.add(ctx.b.multiply(fg, c), ctx.b.multiply(i, cand));
      const o = f(clipped(ctx, plus(gate(ctx, pre, 1, H), peephole(d, 1, cNew)), a.clip));
      return [ctx.b.multiply(o, hAct(cNew)), cNew];
    });
    return outputs(ctx, a.layout, stackY(ctx, s, hs), [
      stackLast(ctx, s, last.map((l) => l[0])),
      stackLast(ctx, s, last.map((l) => l[1])),
    ]);
  },
});

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export const RNN_OPS = {
  RNN,
  GRU,
  LSTM,
} satisfies Record<string, ReturnType<typeof op>>;
