// ONNX Scan (opset 9 on) onto HLO while. The trip count is the scan inputs' length along
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
import { callStep, stepComputation, unpack } from './control.js';
import { checkCarried, scanBuffer, scanShapes, writeRow } from './loop.js';
import { graph, int, ints, op, type AttrValues, type LowerCtx } from './types.js';
import { dimsOf, normAxis, shapeOf } from './util.js';

const SCAN_ATTRS = {
  body: graph(), num_scan_inputs: int(),
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

function lowerScan(ctx: LowerCtx, body: GraphProto, a: ScanAttrs): Instruction[] {
  const B = ctx.b, m = a.num_scan_inputs ?? ctx.fail('attribute num_scan_inputs is required');
  const n = ctx.inputCount - m;
  if (m < 1 || n < 0) ctx.fail(`num_scan_inputs = ${m} does not fit the ${ctx.inputCount} inputs`);
  const k = body.output.length - n;
  if (body.input.length !== n + m) ctx.fail(`the body has ${body.input.length} inputs, expected ${n + m}`);
  if (k < 0) ctx.fail(`the body has ${body.output.length} outputs, expected at least ${n}`);
  const inits = Array.from({ length: n }, (_, j) => ctx.input(j));
  const { inputs, trips } = scanInputs(ctx, a, n, m);
  const step = stepComputation(ctx, body, 'body', [...inits.map((x) => x.shape), ...inputs.map((i) => i.slice)]);
  checkCarried(ctx, step, 0, inits);
  const outShapes = scanShapes(ctx, step, n, trips);
  const reverseOut = outShapes.map((_, j) => (a.scan_output_directions?.[j] ?? 0) !== 0);

  const state = [B.constantScalar('s64', 0), ...inits, ...outShapes.map((s) => scanBuffer(B, s, trips)), ...inputs.map((i) => i.x), ...step.caps.operands];
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
    const bufs = s.slice(at.bufs, at.xs).map((buf, j) => writeRow(c, buf, outs[n + j], reverseOut[j] ? c.subtract(last, t) : t));
    return [c.add(t, c.constantScalar('s64', 1)), ...outs.slice(0, n), ...bufs, ...s.slice(at.xs)];
  });
  const done = unpack(B, B.whileLoop(condition, whileBody, B.tuple(state)));
  const scanned = done.slice(at.bufs, at.xs).map((buf, j) =>
    placeAxis(ctx, buf, normAxis(ctx, a.scan_output_axes?.[j] ?? 0, outShapes[j].dims.length + 1, `scan_output_axes[${j}]`)));
  return [...done.slice(at.carried, at.bufs), ...scanned];
}

export const SCAN_OPS = {
  // Opset 8's Scan has a batch axis and sequence lengths; kiln starts at opset 9's.
  Scan: op({ opsets: [9, 17], attrs: SCAN_ATTRS, lower: (ctx, a) => lowerScan(ctx, a.body ?? ctx.fail('attribute body is required'), a) }),
};
