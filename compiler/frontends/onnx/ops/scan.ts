// ONNX Scan onto HLO while (opset 8's batched form as one loop per batch element). The trip count is the scan inputs' length along
// their scan axes, always static. The while state is one tuple:
//
//   (iteration s64, carried..., scan output buffers..., scan inputs..., captured...)
//
// Each iteration dynamic-slices its row out of every scan input (from the end for a
// reverse direction), calls the body (imported once, control.ts), and writes each scan
// output into row t (or T-1-t) of a [T, ...] buffer; a buffer whose output axis is not
// 0 is transposed once after the loop.
import type { ComputationBuilder } from '../../../../ir/builder.js';
import type { Instruction } from '../../../../ir/module.js';
import { tuple, type ArrayShape } from '../../../../ir/shape.js';
import type { GraphProto } from '../proto/onnx_pb.js';
import { callStep, stepComputation, unpack, type Step } from './control.js';
import { checkCarried, scanBuffer, scanShapes, writeRow } from './loop.js';
import { graph, int, ints, op, type AttrValues, type LowerCtx } from './types.js';
import { dimsOf, normAxis, shapeOf } from './util.js';

const SCAN_ATTRS = {
  body: graph(), num_scan_inputs: int(), directions: ints(),
  scan_input_axes: ints(), scan_input_directions: ints(), scan_output_axes: ints(), scan_output_directions: ints(),
};
type ScanAttrs = AttrValues<typeof SCAN_ATTRS>;

/** Per scan input: its axis, its direction, and its per-iteration slice's shape. */
interface ScanInput { x: Instruction; axis: number; reverse: boolean; slice: ArrayShape }

function scanInputs(ctx: LowerCtx, a: ScanAttrs, first: number, count: number): { inputs: ScanInput[]; trips: number } {
  let trips = -1;
  const inputs = Array.from({ length: count }, (_, j): ScanInput => {
    const x = ctx.input(first + j), s = shapeOf(ctx, x);
    const axis = normAxis(ctx, a.scan_input_axes?.[j] ?? 0, s.dims.length, `scan_input_axes[${j}]`);
    if (trips >= 0 && s.dims[axis] !== trips) ctx.fail(`scan input ${j} has ${s.dims[axis]} rows along its scan axis, the first has ${trips}`);
    trips = s.dims[axis];
    const slice: ArrayShape = { kind: 'array', dtype: s.dtype, dims: s.dims.filter((_, d) => d !== axis) };
    return { x, axis, reverse: (a.scan_input_directions?.[j] ?? 0) !== 0, slice };
  });
  return { inputs, trips };
}

/** Row t of a scan input, or row T-1-t for a reverse one, without its scan axis. */
function rowOf(c: ComputationBuilder, x: Instruction, input: ScanInput, t: Instruction, trips: number): Instruction {
  const dims = (x.shape as ArrayShape).dims;
  const at = input.reverse ? c.subtract(c.constantScalar('s64', trips - 1), t) : t;
  const zero = c.constantScalar('s64', 0);
  const row = c.dynamicSlice(x, dims.map((_, d) => (d === input.axis ? at : zero)), dims.map((n, d) => (d === input.axis ? 1 : n)));
  return c.reshape(row, input.slice.dims);
}

/** A [T, ...] buffer with its rows moved to output axis `axis`. */
function placeAxis(ctx: LowerCtx, buf: Instruction, axis: number): Instruction {
  const rank = dimsOf(ctx, buf).length;
  if (axis === 0) return buf;
  const perm = Array.from({ length: rank }, (_, p) => (p < axis ? p + 1 : p === axis ? 0 : p));
  return ctx.b.transpose(buf, perm);
}

/** A scan loop's fixed parts: the body imported once, and per scan output its direction and axis. */
interface ScanPlan {
  readonly step: Step;
  readonly carried: number;
  readonly outShapes: readonly ArrayShape[];
  readonly reverseOut: readonly boolean[];
  readonly outAxes: readonly number[];
}

/** Checks the body against the node and imports it, for carried values shaped like inits and scan rows like inputs' slices. */
function plan(ctx: LowerCtx, body: GraphProto, inits: readonly Instruction[], inputs: readonly ScanInput[], trips: number, a: ScanAttrs): ScanPlan {
  const n = inits.length, m = inputs.length;
  if (body.input.length !== n + m) ctx.fail(`the body has ${body.input.length} inputs, expected ${n + m}`);
  if (body.output.length < n) ctx.fail(`the body has ${body.output.length} outputs, expected at least ${n}`);
  const step = stepComputation(ctx, body, 'body', [...inits.map((x) => x.shape), ...inputs.map((i) => i.slice)]);
  checkCarried(ctx, step, 0, inits);
  const outShapes = scanShapes(ctx, step, n, trips);
  const reverseOut = outShapes.map((_, j) => (a.scan_output_directions?.[j] ?? 0) !== 0);
  const outAxes = outShapes.map((s, j) => normAxis(ctx, a.scan_output_axes?.[j] ?? 0, s.dims.length + 1, `scan_output_axes[${j}]`));
  return { step, carried: n, outShapes, reverseOut, outAxes };
}

/** One while loop over `trips` rows of the scan inputs: the final carried values, then the scan outputs. */
function scanLoop(ctx: LowerCtx, p: ScanPlan, inits: readonly Instruction[], inputs: readonly ScanInput[], trips: number): Instruction[] {
  const B = ctx.b, n = p.carried, k = p.outShapes.length, m = inputs.length, step = p.step;
  const state = [B.constantScalar('s64', 0), ...inits, ...p.outShapes.map((s) => scanBuffer(B, s, trips)), ...inputs.map((i) => i.x), ...step.caps.operands];
  const at = { carried: 1, bufs: 1 + n, xs: 1 + n + k, caps: 1 + n + k + m };
  const stateShape = tuple(state.map((x) => x.shape));
  const condition = ctx.mb.computation('scan_condition', (c) => {
    const [t] = unpack(c, c.parameter(stateShape, 'state'));
    return c.compare(t, c.constantScalar('s64', trips), 'LT');
  });
  const whileBody = ctx.mb.computation('scan_body', (c) => {
    const s = unpack(c, c.parameter(stateShape, 'state'));
    const t = s[0], xs = s.slice(at.xs, at.caps);
    const rows = xs.map((x, j) => rowOf(c, x, inputs[j], t, trips));
    const outs = callStep(c, step, [...s.slice(at.carried, at.bufs), ...rows], s.slice(at.caps));
    const last = c.constantScalar('s64', trips - 1);
    const bufs = s.slice(at.bufs, at.xs).map((buf, j) => writeRow(c, buf, outs[n + j], p.reverseOut[j] ? c.subtract(last, t) : t));
    return [c.add(t, c.constantScalar('s64', 1)), ...outs.slice(0, n), ...bufs, ...s.slice(at.xs)];
  });
  const done = unpack(B, B.whileLoop(condition, whileBody, B.tuple(state)));
  return [...done.slice(at.carried, at.bufs), ...done.slice(at.bufs, at.xs).map((buf, j) => placeAxis(ctx, buf, p.outAxes[j]))];
}

function scanCounts(ctx: LowerCtx, a: ScanAttrs, first: number): { n: number; m: number } {
  const m = a.num_scan_inputs ?? ctx.fail('attribute num_scan_inputs is required');
  const n = ctx.inputCount - first - m;
  if (m < 1 || n < 0) ctx.fail(`num_scan_inputs = ${m} does not fit the ${ctx.inputCount} inputs`);
  return { n, m };
}

function lowerScan(ctx: LowerCtx, body: GraphProto, a: ScanAttrs): Instruction[] {
  if (a.directions) ctx.fail('attribute directions is opset 8\'s; later opsets name it scan_input_directions');
  const { n, m } = scanCounts(ctx, a, 0);
  const inits = Array.from({ length: n }, (_, j) => ctx.input(j));
  const { inputs, trips } = scanInputs(ctx, a, n, m);
  return scanLoop(ctx, plan(ctx, body, inits, inputs, trips, a), inits, inputs, trips);
}

/**
 * Opset 8's Scan: every input has a leading batch axis, scanned along axis 1. kiln runs
 * one scan loop per batch element (the batch is static) over the same imported body, and
 * stacks the results. Sequence lengths, when given, must be known and equal the full
 * length: shorter ones would make ragged outputs.
 */
function lowerScan8(ctx: LowerCtx, body: GraphProto, a: ScanAttrs): Instruction[] {
  if (a.scan_input_axes || a.scan_input_directions || a.scan_output_axes || a.scan_output_directions)
    ctx.fail('opset 8\'s Scan takes directions; the scan_* axis and direction attributes came at opset 9');
  const { n, m } = scanCounts(ctx, a, 1);
  const batched = Array.from({ length: n + m }, (_, j) => ctx.input(1 + j));
  const dims = batched.map((x) => dimsOf(ctx, x));
  dims.forEach((d, j) => {
    if (d.length < (j < n ? 1 : 2)) ctx.fail(`input ${1 + j} has rank ${d.length}: opset 8 puts a batch axis first${j < n ? '' : ', then the scan axis'}`);
  });
  const batch = dims[0][0], trips = dims[n][1];
  if (batch === 0) ctx.fail('has an empty batch');
  dims.forEach((d, j) => {
    if (d[0] !== batch || (j >= n && d[1] !== trips)) ctx.fail(`input ${1 + j} is [${d.join(',')}]: every input needs batch ${batch}, every scan input ${trips} steps`);
  });
  const lens = ctx.optional(0) && ctx.constant(0, 'sequence_lens');
  if (lens && Array.from(lens.data as ArrayLike<number>, Number).some((l) => l !== trips)) ctx.fail(`sequence_lens shorter than the ${trips} steps are not supported`);
  const row = (x: Instruction, b: number) => {
    const d = dimsOf(ctx, x);
    return ctx.b.reshape(ctx.b.slice(x, d.map((_, i) => (i === 0 ? b : 0)), d.map((v, i) => (i === 0 ? b + 1 : v))), d.slice(1));
  };
  const perBatch = (b: number) => {
    const inits = batched.slice(0, n).map((x) => row(x, b));
    const inputs = batched.slice(n).map((x, j): ScanInput => {
      const xb = row(x, b), s = shapeOf(ctx, xb);
      return { x: xb, axis: 0, reverse: (a.directions?.[j] ?? 0) !== 0, slice: { kind: 'array', dtype: s.dtype, dims: s.dims.slice(1) } };
    });
    return { inits, inputs };
  };
  const first = perBatch(0);
  const p = plan(ctx, body, first.inits, first.inputs, trips, a);
  const results = Array.from({ length: batch }, (_, b) => {
    const { inits, inputs } = b === 0 ? first : perBatch(b);
    return scanLoop(ctx, p, inits, inputs, trips);
  });
  return results[0].map((_, o) => ctx.b.concatenate(results.map((r) => ctx.b.reshape(r[o], [1, ...dimsOf(ctx, r[o])])), 0));
}

export const SCAN_OPS = {
  Scan: op({
    opsets: [8, 17],
    attrs: SCAN_ATTRS,
    lower: (ctx, a) => {
      const body = a.body ?? ctx.fail('attribute body is required');
      return ctx.opset < 9 ? lowerScan8(ctx, body, a) : lowerScan(ctx, body, a);
    },
  }),
};
