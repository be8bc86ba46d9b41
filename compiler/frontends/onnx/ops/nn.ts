// ONNX ops: nn family. Convolutions, pools and normalisations, all on NCHW
// (batch, channel, spatial...) layout. Every shape-dependent quantity (padding, window
// counts, resize indices and weights) is worked out at compile time from static shapes.
import type { WindowDim } from '../../../../ir/attrs.js';
import type { DType } from '../../../../ir/dtype.js';
import type { Instruction } from '../../../../ir/module.js';
import type { LowerCtx } from './types.js';
import { float, int, ints, op, string } from './types.js';
import { broadcastTo, dimsOf, dtypeOf, filled, lowest, normAxis, range } from './util.js';

/** A per-channel vector [C] broadcast along dim 1 of dims. */
const perChannel = (ctx: LowerCtx, v: Instruction, dims: readonly number[]) => ctx.b.broadcast(v, dims, [1]);

/** Labels for an NC+spatial convolution: `bf01_oi01->bf01` for 2-D. */
function convLabels(spatial: number, kernel = 'oi'): string {
  const s = Array.from({ length: spatial }, (_, i) => i).join('');
  return `bf${s}_${kernel}${s}->bf${s}`;
}


// --- Padding -------------------------------------------------------------------------

interface Pads { low: number[]; high: number[] }

/**
 * The begin/end padding of each spatial dim from ONNX's pads / auto_pad. SAME_* pads so
 * the output is ceil(in / stride); SAME_UPPER puts the odd cell at the end.
 */
function spatialPads(
  ctx: LowerCtx, autoPad: string, pads: number[] | undefined, inDims: number[], kernel: number[], strides: number[], dilations: number[],
): Pads {
  const n = inDims.length;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const low: number[] = [], high: number[] = [];
    inDims.forEach((d, i) => {
      const out = Math.ceil(d / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - d);
      const small = Math.floor(total / 2);
      low.push(autoPad === 'SAME_UPPER' ? small : total - small);
      high.push(autoPad === 'SAME_UPPER' ? total - small : small);
    });
    return { low, high };
  }
  if (autoPad === 'VALID') return { low: Array(n).fill(0), high: Array(n).fill(0) };
  if (autoPad !== 'NOTSET') ctx.fail(`auto_pad '${autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  const p = pads ?? Array(2 * n).fill(0);
  if (p.length !== 2 * n) ctx.fail(`pads has ${p.length} values, expected ${2 * n}`);
  return { low: p.slice(0, n), high: p.slice(n) };
}

/** Attribute list of length n, or the default filled in. */
function perDim(ctx: LowerCtx, v: number[] | undefined, n: number, dflt: number, what: string): number[] {
  if (v === undefined) return Array(n).fill(dflt);
  if (v.length !== n) ctx.fail(`${what} has ${v.length} values, expected ${n}`);
  return v;
}

// --- Conv ----------------------------------------------------------------------------

const convAttrs = {
  auto_pad: string('NOTSET'),
  dilations: ints(),
  group: int(1),
  kernel_shape: ints(),
  pads: ints(),
  strides: ints(),
};

/** The optional bias [M] added along the channel dim. */
function addBias(ctx: LowerCtx, y: Instruction, bias: Instruction | undefined): Instruction {
  return bias ? ctx.b.add(y, perChannel(ctx, bias, dimsOf(ctx, y))) : y;
}

const Conv = op({
  opsets: [1, 17],
  attrs: convAttrs,
  lower(ctx, a) {
    const x = ctx.input(0), w = ctx.input(1);
    const xd = dimsOf(ctx, x), wd = dimsOf(ctx, w);
    const n = xd.length - 2;
    if (n < 1) ctx.fail(`input must have rank >= 3, got ${xd.length}`);
    const kernel = wd.slice(2);
    const strides = perDim(ctx, a.strides, n, 1, 'strides');
    const dilations = perDim(ctx, a.dilations, n, 1, 'dilations');
    const { low, high } = spatialPads(ctx, a.auto_pad, a.pads, xd.slice(2), kernel, strides, dilations);
    const window = range(n).map((i) => ({ stride: strides[i], padLow: low[i], padHigh: high[i], rhsDilate: dilations[i] }));
    const y = ctx.b.convolution(x, w, { dimLabels: convLabels(n), window, featureGroupCount: a.group });
    return [addBias(ctx, y, ctx.optional(2))];
  },
});

/**
 * ConvTranspose the XLA way: a convolution over the input dilated by the stride, with
 * the kernel reversed spatially and its in/out features swapped (per group).
 */
const ConvTranspose = op({
  opsets: [1, 17],
  attrs: { ...convAttrs, output_padding: ints(), output_shape: ints() },
  lower(ctx, a) {
    const x = ctx.input(0), w = ctx.input(1);
    const xd = dimsOf(ctx, x), wd = dimsOf(ctx, w);
    const n = xd.length - 2, g = a.group;
    const inDims = xd.slice(2), kernel = wd.slice(2);
    const strides = perDim(ctx, a.strides, n, 1, 'strides');
    const dilations = perDim(ctx, a.dilations, n, 1, 'dilations');
    const outPad = perDim(ctx, a.output_padding, n, 0, 'output_padding');
    const eff = kernel.map((k, i) => (k - 1) * dilations[i] + 1);
    const full = inDims.map((d, i) => strides[i] * (d - 1) + outPad[i] + eff[i]);
    const { low, high } = transposePads(ctx, a, inDims, full, strides);
    // W is [C, M/g, k...]; make it [M, C/g, k...] with each group's block transposed.
    const c = wd[0], mg = wd[1];
    let k: Instruction = ctx.b.reshape(w, [g, c / g, mg, ...kernel]);
    k = ctx.b.transpose(k, [0, 2, 1, ...range(n, 3)]);
    k = ctx.b.reshape(k, [g * mg, c / g, ...kernel]);
    k = ctx.b.reverse(k, range(n, 2));
    const window = range(n).map((i) => ({
      lhsDilate: strides[i], rhsDilate: dilations[i],
      padLow: eff[i] - 1 - low[i], padHigh: eff[i] - 1 - high[i] + outPad[i],
    }));
    const y = ctx.b.convolution(x, k, { dimLabels: convLabels(n), window, featureGroupCount: g });
    return [addBias(ctx, y, ctx.optional(2))];
  },
});

/** ConvTranspose's begin/end cropping: from output_shape, auto_pad, or pads. */
function transposePads(
  ctx: LowerCtx, a: { auto_pad: string; pads?: number[]; output_shape?: number[] }, inDims: number[], full: number[], strides: number[],
): Pads {
  const n = inDims.length;
  let target = a.output_shape?.slice(-n);
  if (!target && (a.auto_pad === 'SAME_UPPER' || a.auto_pad === 'SAME_LOWER')) target = inDims.map((d, i) => d * strides[i]);
  if (!target) {
    if (a.auto_pad !== 'NOTSET' && a.auto_pad !== 'VALID') ctx.fail(`auto_pad '${a.auto_pad}' is not supported`);
    const p = a.auto_pad === 'VALID' ? undefined : a.pads;
    return { low: p ? p.slice(0, n) : Array(n).fill(0), high: p ? p.slice(n) : Array(n).fill(0) };
  }
  const low: number[] = [], high: number[] = [];
  target.forEach((t, i) => {
    const total = full[i] - t;
    const small = Math.floor(total / 2);
    // ONNX: SAME_UPPER crops the smaller half at the start; otherwise the larger.
    low.push(a.auto_pad === 'SAME_UPPER' ? small : total - small);
    high.push(a.auto_pad === 'SAME_UPPER' ? total - small : small);
  });
  return { low, high };
}

// --- Pools ---------------------------------------------------------------------------

const poolAttrs = {
  auto_pad: string('NOTSET'),
  ceil_mode: int(0),
  dilations: ints(),
  kernel_shape: ints(),
  pads: ints(),
  strides: ints(),
};

interface PoolAttrValues { auto_pad: string; ceil_mode: number; dilations?: number[]; kernel_shape?: number[]; pads?: number[]; strides?: number[] }

interface PoolWindow {
  /** Windows over the full NC+spatial rank (batch and channel windows of size 1). */
  window: Partial<WindowDim>[];
  /** Explicit (ONNX) padding per spatial dim, without ceil_mode's extra. */
  pads: Pads;
  /** ceil_mode's extra high padding per spatial dim. */
  extra: number[];
}

/** The reduce-window geometry of a pool; ceil_mode adds high padding for the last partial window. */
function poolWindow(ctx: LowerCtx, a: PoolAttrValues, xd: number[]): PoolWindow {
  const n = xd.length - 2, inDims = xd.slice(2);
  const kernel = a.kernel_shape ?? ctx.fail('kernel_shape is required');
  if (kernel.length !== n) ctx.fail(`kernel_shape has ${kernel.length} values, expected ${n}`);
  const strides = perDim(ctx, a.strides, n, 1, 'strides');
  const dilations = perDim(ctx, a.dilations, n, 1, 'dilations');
  const pads = spatialPads(ctx, a.auto_pad, a.pads, inDims, kernel, strides, dilations);
  const extra = inDims.map((d, i) => {
    if (!a.ceil_mode) return 0;
    const eff = (kernel[i] - 1) * dilations[i] + 1;
    const padded = d + pads.low[i] + pads.high[i];
    let out = Math.ceil((padded - eff) / strides[i]) + 1;
    // A last window starting beyond the input and its begin padding is dropped (as PyTorch does).
    if ((out - 1) * strides[i] >= d + pads.low[i]) out--;
    return Math.max(0, (out - 1) * strides[i] + eff - padded);
  });
  const window: Partial<WindowDim>[] = [{}, {}, ...range(n).map((i) => ({
    size: kernel[i], stride: strides[i], rhsDilate: dilations[i], padLow: pads.low[i], padHigh: pads.high[i] + extra[i],
  }))];
  return { window, pads, extra };
}

const MaxPool = op({
  opsets: [1, 17],
  attrs: { ...poolAttrs, storage_order: int(0) },
  lower(ctx, a) {
    const x = ctx.input(0), dtype = dtypeOf(ctx, x), xd = dimsOf(ctx, x);
    const { window } = poolWindow(ctx, a, xd);
    const init = ctx.b.constantScalar(dtype, lowest(dtype));
    if (ctx.outputCount < 2) return [ctx.b.reduceWindow(x, init, window, ctx.reducer('maximum', dtype))];
    // With Indices: reduce (value, flat index) pairs, keeping the larger value, then the smaller index.
    const idx = flatIndices(ctx, xd, a.storage_order !== 0);
    const noIndex = ctx.b.constantScalar('s64', Number.MAX_SAFE_INTEGER);
    const both = ctx.b.reduceWindow([x, idx], [init, noIndex], window, argmaxReducer(ctx, dtype));
    return [ctx.b.getTupleElement(both, 0), ctx.b.getTupleElement(both, 1)];
  },
});

/**
 * Each element's flat index into x (s64), as MaxPool's Indices counts: row-major, or with
 * storage_order=1 column-major over the spatial dims (batch and channel stay outermost).
 */
function flatIndices(ctx: LowerCtx, xd: number[], columnMajor: boolean): Instruction {
  const r = xd.length, strides: number[] = Array(r).fill(0);
  const order = columnMajor ? [0, 1, ...range(r - 2, 2).reverse()] : range(r);
  let step = 1;
  for (let k = r - 1; k >= 0; k--) {
    strides[order[k]] = step;
    step *= xd[order[k]];
  }
  const shape = { kind: 'array' as const, dtype: 's64' as const, dims: xd };
  const terms = range(r).map((d) => ctx.b.multiply(ctx.b.iota(shape, d), filled(ctx, 's64', xd, strides[d])));
  return terms.slice(1).reduce<Instruction>((acc, t) => ctx.b.add(acc, t), terms[0]);
}

/** (v1, i1, v2, i2) -> the pair with the larger value; on a tie, the smaller index. */
function argmaxReducer(ctx: LowerCtx, dtype: DType) {
  return ctx.mb.computation('argmax', (c) => {
    const v1 = c.parameter({ kind: 'array', dtype, dims: [] }), i1 = c.parameter({ kind: 'array', dtype: 's64', dims: [] });
    const v2 = c.parameter({ kind: 'array', dtype, dims: [] }), i2 = c.parameter({ kind: 'array', dtype: 's64', dims: [] });
    const tie = c.and(c.compare(v2, v1, 'EQ'), c.compare(i2, i1, 'LT'));
    const second = c.or(c.compare(v2, v1, 'GT'), tie);
    return [c.select(second, v2, v1), c.select(second, i2, i1)];
  });
}

const AveragePool = op({
  opsets: [1, 17],
  attrs: { ...poolAttrs, count_include_pad: int(0) },
  lower(ctx, a) {
    const x = ctx.input(0), dtype = dtypeOf(ctx, x), xd = dimsOf(ctx, x);
    const pw = poolWindow(ctx, a, xd);
    const add = ctx.reducer('add', dtype);
    const sum = ctx.b.reduceWindow(x, ctx.b.constantScalar(dtype, 0), pw.window, add);
    return [ctx.b.divide(sum, ctx.b.broadcast(poolCounts(ctx, a.count_include_pad !== 0, pw, xd, dtype), dimsOf(ctx, sum), range(xd.length - 2, 2)))];
  },
});

/**
 * How many cells each window averages over, per spatial position: a reduce-window of
 * ones over the spatial dims. With count_include_pad the explicit pads count as cells
 * (ones), but ceil_mode's extra padding never does.
 */
function poolCounts(ctx: LowerCtx, includePad: boolean, pw: PoolWindow, xd: number[], dtype: DType): Instruction {
  const inDims = xd.slice(2), n = inDims.length;
  let ones = filled(ctx, dtype, inDims, 1);
  const spatial = pw.window.slice(2);
  if (includePad) {
    ones = ctx.b.pad(ones, ctx.b.constantScalar(dtype, 1), range(n).map((i) => [pw.pads.low[i], pw.pads.high[i]] as [number, number]));
    const win = spatial.map((w, i) => ({ ...w, padLow: 0, padHigh: pw.extra[i] }));
    return ctx.b.reduceWindow(ones, ctx.b.constantScalar(dtype, 0), win, ctx.reducer('add', dtype));
  }
  return ctx.b.reduceWindow(ones, ctx.b.constantScalar(dtype, 0), spatial, ctx.reducer('add', dtype));
}

/** p-norm pooling: (sum |x|^p)^(1/p) over each window; padding adds zeros. */
const LpPool = op({
  opsets: [1, 17],
  attrs: { ...poolAttrs, p: int(2) },
  lower(ctx, a) {
    const x = ctx.input(0), dtype = dtypeOf(ctx, x), xd = dimsOf(ctx, x);
    const { window } = poolWindow(ctx, a, xd);
    const p = (dims: number[]) => filled(ctx, dtype, dims, a.p);
    const powered = ctx.b.power(ctx.b.abs(x), p(xd));
    const sum = ctx.b.reduceWindow(powered, ctx.b.constantScalar(dtype, 0), window, ctx.reducer('add', dtype));
    const sd = dimsOf(ctx, sum);
    return [ctx.b.power(sum, ctx.b.divide(filled(ctx, dtype, sd, 1), p(sd)))];
  },
});

/** Reduces the spatial dims with op, keeping them as size 1. */
function globalReduce(ctx: LowerCtx, x: Instruction, kind: 'add' | 'maximum'): Instruction {
  const xd = dimsOf(ctx, x), dtype = dtypeOf(ctx, x);
  const init = ctx.b.constantScalar(dtype, kind === 'add' ? 0 : lowest(dtype));
  const r = ctx.b.reduce(x, init, range(xd.length - 2, 2), ctx.reducer(kind, dtype));
  return ctx.b.reshape(r, [xd[0], xd[1], ...xd.slice(2).map(() => 1)]);
}

const GlobalAveragePool = op({
  opsets: [1, 17],
  attrs: {},
  lower(ctx) {
    const x = ctx.input(0), xd = dimsOf(ctx, x);
    const sum = globalReduce(ctx, x, 'add');
    const count = xd.slice(2).reduce((p, d) => p * d, 1);
    return [ctx.b.divide(sum, filled(ctx, dtypeOf(ctx, x), dimsOf(ctx, sum), count))];
  },
});

const GlobalMaxPool = op({
  opsets: [1, 17],
  attrs: {},
  lower: (ctx) => [globalReduce(ctx, ctx.input(0), 'maximum')],
});

/** (sum over the spatial dims of |x|^p)^(1/p), keeping them as size 1. */
const GlobalLpPool = op({
  opsets: [2, 17],
  attrs: { p: int(2) },
  lower(ctx, a) {
    const x = ctx.input(0), dtype = dtypeOf(ctx, x), xd = dimsOf(ctx, x);
    const sum = globalReduce(ctx, ctx.b.power(ctx.b.abs(x), filled(ctx, dtype, xd, a.p)), 'add');
    return [ctx.b.power(sum, filled(ctx, dtype, dimsOf(ctx, sum), 1 / a.p))];
  },
});

// --- Normalisations --------------------------------------------------------------------

/** Mean over dims, broadcast back to x's shape. */
function meanOver(ctx: LowerCtx, x: Instruction, dims: number[]): Instruction {
  const xd = dimsOf(ctx, x), dtype = dtypeOf(ctx, x);
  const sum = ctx.b.reduce(x, ctx.b.constantScalar(dtype, 0), dims, ctx.reducer('add', dtype));
  const count = dims.reduce((p, d) => p * xd[d], 1);
  const mean = ctx.b.divide(sum, filled(ctx, dtype, dimsOf(ctx, sum), count));
  return ctx.b.broadcast(mean, xd, range(xd.length).filter((d) => !dims.includes(d)));
}

/** (x - mean) and 1/sqrt(var + eps) over dims, both at x's shape. */
function standardise(ctx: LowerCtx, x: Instruction, dims: number[], epsilon: number) {
  const xd = dimsOf(ctx, x), dtype = dtypeOf(ctx, x);
  const mean = meanOver(ctx, x, dims);
  const centred = ctx.b.subtract(x, mean);
  const variance = meanOver(ctx, ctx.b.multiply(centred, centred), dims);
  const invStd = ctx.b.rsqrt(ctx.b.add(variance, filled(ctx, dtype, xd, epsilon)));
  return { mean, centred, invStd };
}

const BatchNormalization = op({
  opsets: [1, 17],
  attrs: { epsilon: float(1e-5), momentum: float(0.9), training_mode: int(0), spatial: int(1), is_test: int(0), consumed_inputs: ints() },
  lower(ctx, a) {
    if (a.training_mode) ctx.fail('training_mode=1 is not supported (inference only)');
    if (ctx.outputCount > 1) ctx.fail(`only the Y output is supported (inference only), ${ctx.outputCount} requested`);
    const x = ctx.input(0), xd = dimsOf(ctx, x), dtype = dtypeOf(ctx, x);
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => ctx.input(i));
    if (dimsOf(ctx, scale).length !== 1) ctx.fail('scale must be a vector (spatial=0 is not supported)');
    // Fold the per-channel terms first: y = x * (scale / sqrt(var + eps)) + (bias - mean * that).
    const c = dimsOf(ctx, scale);
    const factor = ctx.b.multiply(scale, ctx.b.rsqrt(ctx.b.add(variance, filled(ctx, dtype, c, a.epsilon))));
    const shift = ctx.b.subtract(bias, ctx.b.multiply(mean, factor));
    return [ctx.b.add(ctx.b.multiply(x, perChannel(ctx, factor, xd)), perChannel(ctx, shift, xd))];
  },
});

const InstanceNormalization = op({
  opsets: [1, 17],
  attrs: { epsilon: float(1e-5) },
  lower(ctx, a) {
    const x = ctx.input(0), xd = dimsOf(ctx, x);
    const { centred, invStd } = standardise(ctx, x, range(xd.length - 2, 2), a.epsilon);
    const y = ctx.b.multiply(ctx.b.multiply(centred, invStd), perChannel(ctx, ctx.input(1), xd));
    return [ctx.b.add(y, perChannel(ctx, ctx.input(2), xd))];
  },
});

const LayerNormalization = op({
  opsets: [17, 17],
  attrs: { axis: int(-1), epsilon: float(1e-5), stash_type: int(1) },
  lower(ctx, a) {
    const input = ctx.input(0), xd = dimsOf(ctx, input), r = xd.length, dtype = dtypeOf(ctx, input);
    const axis = normAxis(ctx, a.axis, r);
    // stash_type=1 computes the statistics in f32 (which Mean and InvStdDev are given in).
    const wide = a.stash_type === 1 && (dtype === 'f16' || dtype === 'bf16');
    const up = (v: Instruction) => (wide ? ctx.b.convert(v, 'f32') : v);
    const { mean, centred, invStd } = standardise(ctx, up(input), range(r - axis, axis), a.epsilon);
    let y: Instruction = ctx.b.multiply(ctx.b.multiply(centred, invStd), broadcastTo(ctx, up(ctx.input(1)), xd));
    const bias = ctx.optional(2);
    if (bias) y = ctx.b.add(y, broadcastTo(ctx, up(bias), xd));
    // Mean and InvStdDev keep the normalised dims as size 1.
    const kept = xd.map((d, i) => (i < axis ? d : 1));
    const stat = (v: Instruction) => ctx.b.slice(v, xd.map(() => 0), kept);
    return [wide ? ctx.b.convert(y, dtype) : y, stat(mean), stat(invStd)];
  },
});

/** x / ||x||_p along axis (p is 1 or 2). */
const LpNormalization = op({
  opsets: [1, 17],
  attrs: { axis: int(-1), p: int(2) },
  lower(ctx, a) {
    const x = ctx.input(0), xd = dimsOf(ctx, x), dtype = dtypeOf(ctx, x);
    const axis = normAxis(ctx, a.axis, xd.length);
    if (a.p !== 1 && a.p !== 2) ctx.fail(`p must be 1 or 2, got ${a.p}`);
    const t = a.p === 1 ? ctx.b.abs(x) : ctx.b.multiply(x, x);
    const sum = ctx.b.reduce(t, ctx.b.constantScalar(dtype, 0), [axis], ctx.reducer('add', dtype));
    const norm = a.p === 1 ? sum : ctx.b.sqrt(sum);
    return [ctx.b.divide(x, ctx.b.broadcast(norm, xd, range(xd.length).filter((d) => d !== axis)))];
  },
});

/** Local response normalisation across channels: x / (bias + alpha/size * sum x^2)^beta. */
const LRN = op({
  opsets: [1, 17],
  attrs: { alpha: float(1e-4), beta: float(0.75), bias: float(1), size: int() },
  lower(ctx, a) {
    const x = ctx.input(0), xd = dimsOf(ctx, x), dtype = dtypeOf(ctx, x);
    const size = a.size ?? ctx.fail('size is required');
    const window: Partial<WindowDim>[] = xd.map(() => ({}));
    window[1] = { size, padLow: Math.floor((size - 1) / 2), padHigh: Math.ceil((size - 1) / 2) };
    const sq = ctx.b.reduceWindow(ctx.b.multiply(x, x), ctx.b.constantScalar(dtype, 0), window, ctx.reducer('add', dtype));
    const k = (v: number) => filled(ctx, dtype, xd, v);
    const base = ctx.b.add(k(a.bias), ctx.b.multiply(k(a.alpha / size), sq));
    return [ctx.b.divide(x, ctx.b.power(base, k(a.beta)))];
  },
});

export const NN_OPS = {
  Conv,
  ConvTranspose,
  MaxPool,
  AveragePool,
  LpPool,
  GlobalAveragePool,
  GlobalMaxPool,
  GlobalLpPool,
  BatchNormalization,
  InstanceNormalization,
  LayerNormalization,
  LpNormalization,
  LRN,
} satisfies Record<string, ReturnType<typeof op>>;
