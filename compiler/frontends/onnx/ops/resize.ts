// ONNX ops: Resize and its predecessor Upsample, on NCHW layout. Resizing is separable:
// per axis, each output cell is a weighted sum of a few input cells (taps), and which
// cells and weights depend only on shapes, so they are worked out at compile time and
// applied with one gather per tap.
import type { DType } from '../../../../ir/dtype.js';
import type { ArrayLiteral } from '../../../../ir/literal.js';
import type { Instruction } from '../../../../ir/module.js';
import { MAX_INTERPRETER_ELEMENTS, shapeTooLarge } from '../../../../ir/limits.js';
import { array } from '../../../../ir/shape.js';
import type { LowerCtx } from './types.js';
import { float, floats, int, op, string } from './types.js';
import { dimsOf, dtypeOf, filled, range } from './util.js';

// --- Resize ----------------------------------------------------------------------------

/** One axis of a separable resize: out[o] = sum_t weights[t][o] * in[indices[t][o]]. */
interface AxisTaps { indices: number[][]; weights: number[][] }

interface ResizeMode {
  mode: string;
  coord: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
}

/** The input coordinate of output cell o (ONNX's coordinate_transformation_mode). */
function sourceCoord(ctx: LowerCtx, coord: string, o: number, scale: number, inLen: number, outLen: number, roi?: [number, number]): number {
  switch (coord) {
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outLen === 1 ? 0 : (o * (inLen - 1)) / (outLen - 1);
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    case 'tf_crop_and_resize': {
      const [s, e] = roi ?? [0, 1];
      return outLen > 1 ? s * (inLen - 1) + (o * (e - s) * (inLen - 1)) / (outLen - 1) : (0.5 * (s + e) * (inLen - 1));
    }
    default: return ctx.fail(`coordinate_transformation_mode '${coord}' is not supported`);
  }
}

function nearestIndex(ctx: LowerCtx, how: string, x: number): number {
  switch (how) {
    case 'round_prefer_floor': return Number.isInteger(x - 0.5) ? Math.floor(x) : Math.round(x);
    case 'round_prefer_ceil': return Math.round(x);
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    default: return ctx.fail(`nearest_mode '${how}' is not supported`);
  }
}

/** Keys' cubic convolution weights for the 4 taps around fractional offset t. */
function cubicWeights(t: number, A: number): number[] {
  const w = (d: number) => {
    d = Math.abs(d);
    if (d <= 1) return ((A + 2) * d - (A + 3)) * d * d + 1;
    if (d < 2) return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
    return 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

/**
 * The taps of one axis. Out-of-range taps are clamped to the edge (or, with
 * exclude_outside, dropped and the rest renormalised). tf_crop_and_resize's points
 * outside the input get extrapolation_value through an extra tap at index -1.
 */
function axisTaps(ctx: LowerCtx, m: ResizeMode, inLen: number, outLen: number, scale: number, roi?: [number, number]): AxisTaps {
  const taps = m.mode === 'nearest' ? 1 : m.mode === 'linear' ? 2 : 4;
  const indices: number[][] = range(taps).map(() => []), weights: number[][] = range(taps).map(() => []);
  const clamp = (i: number) => Math.min(Math.max(i, 0), inLen - 1);
  for (let o = 0; o < outLen; o++) {
    // ONNX measures the resized length as inLen * scale, unfloored (it matters for align_corners).
    const x = sourceCoord(ctx, m.coord, o, scale, inLen, inLen * scale, roi);
    if (m.coord === 'tf_crop_and_resize' && (x < 0 || x > inLen - 1)) {
      for (let t = 0; t < taps; t++) { indices[t].push(-1); weights[t].push(0); }
      continue;
    }
    let idx: number[], w: number[];
    if (m.mode === 'nearest') {
      idx = [nearestIndex(ctx, m.nearest, x)]; w = [1];
    } else if (m.mode === 'linear') {
      const xc = Math.min(Math.max(x, 0), inLen - 1);
      const i0 = Math.floor(xc), f = xc - i0;
      idx = [i0, i0 + 1]; w = [1 - f, f];
    } else {
      const i0 = Math.floor(x), f = x - i0;
      idx = [i0 - 1, i0, i0 + 1, i0 + 2]; w = cubicWeights(f, m.cubicA);
      if (m.excludeOutside) {
        w = w.map((v, t) => (idx[t] < 0 || idx[t] >= inLen ? 0 : v));
        const s = w.reduce((p, v) => p + v, 0);
        w = w.map((v) => v / s);
      }
    }
    idx.forEach((i, t) => { indices[t].push(clamp(i)); weights[t].push(w[t]); });
  }
  return { indices, weights };
}

/** x gathered along axis at idx (one index per output cell). */
function gatherAxis(ctx: LowerCtx, x: Instruction, axis: number, idx: number[]): Instruction {
  const xd = dimsOf(ctx, x), r = xd.length;
  const indices = ctx.b.constantArray('s32', [idx.length], idx);
  const outDims = xd.map((d, i) => (i === axis ? idx.length : d));
  const attrs = {
    offset_dims: range(r).filter((d) => d !== axis),
    collapsed_slice_dims: [axis],
    start_index_map: [axis],
    index_vector_dim: 1,
    slice_sizes: xd.map((d, i) => (i === axis ? 1 : d)),
  };
  return ctx.b.op('gather', [x, indices], attrs, { kind: 'array', dtype: dtypeOf(ctx, x), dims: outDims });
}

/** A weight vector along axis broadcast to dims. */
function axisWeights(ctx: LowerCtx, dtype: DType, w: number[], axis: number, dims: number[]): Instruction {
  return ctx.b.broadcast(ctx.b.constantArray(dtype, [w.length], w), dims, [axis]);
}

/** Resizes one axis: the weighted sum of its taps (a plain gather when there is one tap). */
function resizeAxis(ctx: LowerCtx, x: Instruction, axis: number, taps: AxisTaps, extrapolation: number): Instruction {
  const dtype = dtypeOf(ctx, x);
  const outside = taps.indices[0].map((i) => i < 0);
  const safe = (idx: number[]) => idx.map((i) => Math.max(i, 0));
  let y: Instruction | undefined;
  if (taps.indices.length === 1) y = gatherAxis(ctx, x, axis, safe(taps.indices[0]));
  else {
    taps.indices.forEach((idx, t) => {
      const g = gatherAxis(ctx, x, axis, safe(idx));
      const term = ctx.b.multiply(g, axisWeights(ctx, dtype, taps.weights[t], axis, dimsOf(ctx, g)));
      y = y ? ctx.b.add(y, term) : term;
    });
  }
  if (!outside.some((o) => o)) return y!;
  // tf_crop_and_resize: cells outside the input take extrapolation_value.
  const yd = dimsOf(ctx, y!);
  const mask = ctx.b.broadcast(ctx.b.constantArray('pred', [outside.length], outside), yd, [axis]);
  return ctx.b.select(mask, filled(ctx, dtype, yd, extrapolation), y!);
}

/** The output sizes and per-axis scales from the scales or sizes inputs. */
function resizeTargets(ctx: LowerCtx, xd: number[], scalesIdx: number, sizesIdx?: number): { sizes: number[]; scales: number[] } {
  const scalesLit = ctx.optional(scalesIdx) ? ctx.constant(scalesIdx, 'scales') : undefined;
  const sizesLit = sizesIdx !== undefined && ctx.optional(sizesIdx) ? ctx.constant(sizesIdx, 'sizes') : undefined;
  const scales = scalesLit && scalesLit.data.length > 0 ? Array.from(scalesLit.data, Number) : undefined;
  if (scales) {
    if (scales.length !== xd.length) ctx.fail(`scales has ${scales.length} values for rank ${xd.length}`);
    return { scales, sizes: xd.map((d, i) => Math.floor(d * scales[i])) };
  }
  if (!sizesLit) return ctx.fail('one of scales and sizes is required');
  const sizes = Array.from(sizesLit.data, Number);
  if (sizes.length !== xd.length) ctx.fail(`sizes has ${sizes.length} values for rank ${xd.length}`);
  return { sizes, scales: sizes.map((s, i) => s / xd[i]) };
}

/** Separable resize: one gather (per tap) along each axis whose size or mapping changes. */
function resize(ctx: LowerCtx, x: Instruction, m: ResizeMode, sizes: number[], scales: number[], roi?: number[]): Instruction {
  const xd = dimsOf(ctx, x), r = xd.length;
  checkSizes(ctx, dtypeOf(ctx, x), sizes);
  if (m.mode !== 'nearest' && !dtypeOf(ctx, x).startsWith('f') && dtypeOf(ctx, x) !== 'bf16') ctx.fail(`mode '${m.mode}' needs a float input`);
  let y = x;
  for (let axis = 0; axis < r; axis++) {
    const axisRoi: [number, number] | undefined = roi && roi.length === 2 * r ? [roi[axis], roi[r + axis]] : undefined;
    const taps = axisTaps(ctx, m, xd[axis], sizes[axis], scales[axis], axisRoi);
    if (isIdentity(taps, xd[axis])) continue;
    y = resizeAxis(ctx, y, axis, taps, m.extrapolation);
  }
  return y;
}

/**
 * Output sizes come from model data (scales of 1e12): refuse them before the per-axis
 * index tables, which are built here as constants, are allocated.
 */
function checkSizes(ctx: LowerCtx, dtype: DType, sizes: readonly number[]): void {
  const bad = sizes.find((s) => !Number.isSafeInteger(s) || s < 0);
  if (bad !== undefined) ctx.fail(`output size ${bad} is not a non-negative integer`);
  const tooLarge = shapeTooLarge(array(dtype, sizes));
  if (tooLarge) ctx.fail(tooLarge);
  const long = sizes.find((s) => s > MAX_INTERPRETER_ELEMENTS);
  if (long !== undefined) ctx.fail(`output size ${long} needs an index table larger than kiln materialises (2^28 elements)`);
}

/** Whether the taps copy the axis unchanged. */
function isIdentity(taps: AxisTaps, inLen: number): boolean {
  const n = taps.indices[0].length;
  if (n !== inLen) return false;
  for (let o = 0; o < n; o++) {
    for (let t = 0; t < taps.indices.length; t++) {
      const w = taps.weights[t][o];
      if (w === 0) continue;
      if (w !== 1 || taps.indices[t][o] !== o) return false;
    }
  }
  return true;
}

const Resize = op({
  opsets: [10, 17],
  attrs: {
    mode: string('nearest'),
    coordinate_transformation_mode: string('half_pixel'),
    nearest_mode: string('round_prefer_floor'),
    cubic_coeff_a: float(-0.75),
    exclude_outside: int(0),
    extrapolation_value: float(0),
  },
  lower(ctx, a) {
    const x = ctx.input(0), xd = dimsOf(ctx, x);
    // Opset 10 has (X, scales) and asymmetric coordinates; 11+ has (X, roi, scales, sizes).
    const v10 = ctx.opset < 11;
    const { sizes, scales } = v10 ? resizeTargets(ctx, xd, 1) : resizeTargets(ctx, xd, 2, 3);
    const roiLit: ArrayLiteral | undefined = !v10 && ctx.optional(1) ? ctx.constant(1, 'roi') : undefined;
    const m: ResizeMode = {
      mode: a.mode,
      coord: v10 ? 'asymmetric' : a.coordinate_transformation_mode,
      nearest: v10 ? 'floor' : a.nearest_mode,
      cubicA: a.cubic_coeff_a,
      excludeOutside: a.exclude_outside !== 0,
      extrapolation: a.extrapolation_value,
    };
    if (!['nearest', 'linear', 'cubic'].includes(m.mode)) ctx.fail(`mode '${m.mode}' is not supported`);
    return [resize(ctx, x, m, sizes, scales, roiLit ? Array.from(roiLit.data, Number) : undefined)];
  },
});

/** The deprecated Upsample: Resize with asymmetric coordinates and floor rounding. */
const Upsample = op({
  opsets: [7, 9],
  attrs: { mode: string('nearest'), scales: floats() },
  lower(ctx, a) {
    const x = ctx.input(0), xd = dimsOf(ctx, x);
    const scales = a.scales ?? (ctx.opset >= 9 ? Array.from(ctx.constant(1, 'scales').data, Number) : ctx.fail('scales is required'));
    const mode = a.mode === 'bilinear' ? 'linear' : a.mode;
    const m: ResizeMode = { mode, coord: 'asymmetric', nearest: 'floor', cubicA: -0.75, excludeOutside: false, extrapolation: 0 };
    return [resize(ctx, x, m, xd.map((d, i) => Math.floor(d * scales[i])), scales)];
  },
});

export const RESIZE_OPS = {
  Resize,
  Upsample,
} satisfies Record<string, ReturnType<typeof op>>;
