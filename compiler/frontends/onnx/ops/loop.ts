// ONNX Loop onto HLO while. The while state is one tuple:
//
//   (iteration s64, condition pred, carried..., scan buffers..., [trip count s64,] captured...)
//
// The body graph is imported once (control.ts's step computation) and called from the
// while body, which then writes each scan output into its preallocated buffer at the
// iteration's row with dynamic-update-slice. Buffers need their row count at compile
// time, so scan outputs need a trip count known then, and a loop that runs exactly that
// many times (no condition, or one that provably stays true).
import type { ComputationBuilder } from '../../../../ir/builder.js';
import type { ArrayLiteral } from '../../../../ir/literal.js';
import type { Instruction } from '../../../../ir/module.js';
import { elementCount, scalar, tuple, type ArrayShape, type Shape } from '../../../../ir/shape.js';
import type { GraphProto } from '../proto/onnx_pb.js';
import { callStep, shapeText, oneElement, sameShape, stepComputation, unpack, type Step } from './control.js';
import { graph, op, type LowerCtx } from './types.js';
import { shapeOf } from './util.js';

/** A zero buffer of `rows` rows of shape s, for a scan output. */
export function scanBuffer(c: ComputationBuilder, s: ArrayShape, rows: number): Instruction {
  return c.broadcast(c.constantScalar(s.dtype, 0), [rows, ...s.dims]);
}

/** buf with row `row` (an s64 scalar) replaced by value. */
export function writeRow(c: ComputationBuilder, buf: Instruction, value: Instruction, row: Instruction): Instruction {
  const dims = (value.shape as ArrayShape).dims;
  const zero = c.constantScalar('s64', 0);
  return c.dynamicUpdateSlice(buf, c.reshape(value, [1, ...dims]), [row, ...dims.map(() => zero)]);
}

/** Buffers are allocated whole: the same bound as one tensor of a model file. */
const MAX_BUFFER_ELEMENTS = 2 ** 28;

/** Each scan output's per-iteration shape (an array), checked to fit `rows` rows. */
export function scanShapes(ctx: LowerCtx, step: Step, first: number, rows: number): ArrayShape[] {
  return step.outputs.slice(first).map((o, k) => {
    const s = o.instr.shape;
    if (s.kind !== 'array') return ctx.fail(`scan output ${k} is a tuple`);
    if (rows * elementCount(s) > MAX_BUFFER_ELEMENTS) ctx.fail(`scan output ${k} would need ${rows} rows of ${shapeText(s)}, more than kiln preallocates`);
    return s;
  });
}

/** Carried values must keep their shape from one iteration to the next (HLO's state has one shape). */
export function checkCarried(ctx: LowerCtx, step: Step, first: number, inits: readonly Instruction[]): void {
  inits.forEach((init, j) => {
    const out = step.outputs[first + j].instr.shape;
    if (!sameShape(out, init.shape))
      ctx.fail(`loop-carried value ${j} starts as ${shapeText(init.shape)} but the body returns ${shapeText(out)}; kiln needs it to keep its shape`);
  });
}

/** How many rows scan outputs get: the trip count, when the loop is sure to run exactly that many times. */
function scanRows(ctx: LowerCtx, step: Step, hasCond: boolean): number {
  const m = ctx.known(0);
  if (!ctx.optional(0)) ctx.fail('scan outputs need a trip count M (input 0), and this Loop has none');
  if (!m) ctx.fail('scan outputs need a static trip count: input 0 (M) must be known at compile time');
  const rows = Math.max(0, Number(m.data[0])); // a negative M runs no iterations
  if (rows > MAX_BUFFER_ELEMENTS) ctx.fail(`scan outputs with ${m.data[0]} rows are too large to preallocate`);
  if (!hasCond) return rows;
  const c0 = ctx.known(1);
  if (c0 && !c0.data[0]) return 0;
  // The condition stays true if it starts true and the body returns it unchanged or a constant true.
  const out = step.outputs[0];
  const staysTrue = (out.literal && out.literal.data.every(Boolean)) || out.instr === step.formals[1];
  if (!c0 || !staysTrue) ctx.fail('scan outputs need the loop to run exactly M times, but its condition may end it early');
  return rows;
}

function lowerLoop(ctx: LowerCtx, body: GraphProto): Instruction[] {
  const B = ctx.b, n = ctx.inputCount - 2;
  if (n < 0) ctx.fail('needs inputs M and cond (either may be empty)');
  const tripCount = ctx.optional(0), cond = ctx.optional(1);
  // Neither would loop forever: onnxruntime accepts it, but kiln cannot end such a loop.
  if (!tripCount && !cond) ctx.fail('has neither a trip count nor a condition, so it never ends');
  if (body.input.length !== n + 2) ctx.fail(`the body has ${body.input.length} inputs, expected ${n + 2} (iteration, condition, ${n} carried)`);
  const scans = body.output.length - 1 - n;
  if (scans < 0) ctx.fail(`the body has ${body.output.length} outputs, expected at least ${n + 1}`);
  const inits = Array.from({ length: n }, (_, j) => ctx.input(2 + j));
  const step = stepComputation(ctx, body, 'body', [scalar('s64'), scalar('pred'), ...inits.map((x) => x.shape)]);
  checkCarried(ctx, step, 1, inits);
  const condShape = shapeOf(ctx, step.outputs[0].instr);
  if (condShape.dtype !== 'pred' || condShape.dims.some((d) => d !== 1)) ctx.fail(`the body's condition output is ${shapeText(condShape)}, expected one bool`);
  const rows = scans > 0 ? scanRows(ctx, step, cond !== undefined) : 0;
  const scanShape = scanShapes(ctx, step, 1 + n, rows);

  const known = ctx.known(0);
  const m = tripCount && !known ? oneElement(ctx, B, tripCount, 's64', 'the trip count M') : undefined;
  const state = [
    B.constantScalar('s64', 0),
    cond ? oneElement(ctx, B, cond, 'pred', 'the condition') : B.constantScalar('pred', true),
    ...inits,
    ...scanShape.map((s) => scanBuffer(B, s, rows)),
    ...(m ? [m] : []),
    ...step.caps.operands,
  ];
  const at = { carried: 2, scans: 2 + n, m: 2 + n + scans, caps: 2 + n + scans + (m ? 1 : 0) };
  const stateShape: Shape = tuple(state.map((x) => x.shape));

  const condition = ctx.mb.computation('loop_condition', (c) => {
    const s = unpack(c, c.parameter(stateShape, 'state'));
    return keepGoing(c, s[0], cond ? s[1] : undefined, m ? s[at.m] : known);
  });
  const whileBody = ctx.mb.computation('loop_body', (c) => {
    const s = unpack(c, c.parameter(stateShape, 'state'));
    const [i, condIn] = s;
    const outs = callStep(c, step, [i, condIn, ...s.slice(at.carried, at.scans)], s.slice(at.caps));
    const condOut = cond ? c.reshape(outs[0], []) : condIn; // without cond, ONNX ignores the body's
    const bufs = s.slice(at.scans, at.m).map((buf, k) => writeRow(c, buf, outs[1 + n + k], i));
    return [c.add(i, c.constantScalar('s64', 1)), condOut, ...outs.slice(1, 1 + n), ...bufs, ...s.slice(at.m)];
  });
  const done = unpack(B, B.whileLoop(condition, whileBody, B.tuple(state)));
  return done.slice(at.carried, at.m);
}

/** cond && i < M, with whichever of the two the loop has. */
function keepGoing(c: ComputationBuilder, i: Instruction, cond: Instruction | undefined, m: Instruction | ArrayLiteral | undefined): Instruction {
  const bound = m === undefined ? undefined : 'opcode' in m ? m : c.constantScalar('s64', BigInt(m.data[0] as bigint | number));
  const below = bound && c.compare(i, bound, 'LT');
  if (below && cond) return c.and(cond, below);
  return below ?? cond ?? c.constantScalar('pred', true);
}

export const LOOP_OPS = {
  Loop: op({
    opsets: [1, 17],
    attrs: { body: graph() },
    lower: (ctx, a) => lowerLoop(ctx, a.body ?? ctx.fail('attribute body is required')),
  }),
};
