// 2-D convolution and pooling over NHWC (JAX/flax's default) or NCHW (PyTorch's) images.
import { parseDimLabels } from '../../../../ir/builder.js';
import { isFloat } from '../../../../ir/dtype.js';
import { asTensor, astype, node, promote, reduceWindow, windowDim, type TensorLike, type WindowDim } from '../ops.js';
import type { Tensor } from '../tensor.js';
import { divide } from '../numpy/math.js';
import { ones } from '../numpy/creation.js';
import { lowest } from '../numpy/reductions.js';

export type Layout = 'NHWC' | 'NCHW';
/** 'SAME' (output size ceil(in/stride), the padding split low-first as XLA), 'VALID' (none), or [lo, hi] per spatial dim. */
export type Padding = 'SAME' | 'VALID' | readonly (readonly [number, number])[];
type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  strides?: Pair;
  padding?: Padding;
  /** Kernel (rhs) dilation. */
  dilation?: Pair;
  /** Feature groups: input channels and output channels split into this many independent convolutions. */
  groups?: number;
  /** NHWC input with an HWIO kernel (default), or NCHW input with an OIHW kernel as PyTorch. */
  layout?: Layout;
}

const pair = (p: Pair | undefined, dflt: number): [number, number] => (p === undefined ? [dflt, dflt] : typeof p === 'number' ? [p, p] : [p[0], p[1]]);

/** [lo, hi] padding per spatial dim for sizes `input`, window extents `extent` (dilated) and strides. */
function paddingOf(padding: Padding, input: number[], extent: number[], strides: number[]): [number, number][] {
  if (padding === 'VALID') return input.map(() => [0, 0]);
  if (padding === 'SAME')
    return input.map((n, i) => {
      const total = Math.max((Math.ceil(n / strides[i]) - 1) * strides[i] + extent[i] - n, 0);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  if (padding.length !== 2) throw new Error(`kiln: padding needs one [lo, hi] per spatial dim (2), got ${JSON.stringify(padding)}`);
  return padding.map(([lo, hi]) => [lo, hi]);
}

/** The (H, W) positions of an image layout. */
const spatialOf = (layout: Layout): [number, number] => (layout === 'NHWC' ? [1, 2] : [2, 3]);

/** 2-D convolution (cross-correlation, as every framework) of `x` with kernel `w`. */
export function conv2d(x: TensorLike, w: TensorLike, opts: Conv2dOptions = {}): Tensor {
  const [lhs, rhs] = promote(x, w);
  const layout = opts.layout ?? 'NHWC';
  if (lhs.ndim !== 4 || rhs.ndim !== 4) throw new Error(`kiln: conv2d takes a rank-4 input and kernel, got [${lhs.shape}] and [${rhs.shape}]`);
  const nhwc = layout === 'NHWC';
  const [kh, kw, kin, kout] = nhwc ? rhs.shape : [rhs.shape[2], rhs.shape[3], rhs.shape[1], rhs.shape[0]];
  const channels = lhs.shape[nhwc ? 3 : 1];
  const groups = opts.groups ?? 1;
  const kernelName = nhwc ? 'HWIO' : 'OIHW';
  if (channels % groups !== 0 || kin * groups !== channels || kout % groups !== 0)
    throw new Error(`kiln: conv2d of ${layout} input [${lhs.shape}] with ${kernelName} kernel [${rhs.shape}] in ${groups} group(s): the kernel's input channels (${kin}) × groups must equal the input's (${channels}) and groups must divide its output channels (${kout})`);
  const strides = pair(opts.strides, 1), dilation = pair(opts.dilation, 1);
  const input = spatialOf(layout).map((d) => lhs.shape[d]);
  const extent = [kh, kw].map((k, i) => (k - 1) * dilation[i] + 1);
  const pads = paddingOf(opts.padding ?? 'VALID', input, extent, strides);
  const window = [kh, kw].map((size, i) => windowDim({ size, stride: strides[i], padLow: pads[i][0], padHigh: pads[i][1], rhsDilate: dilation[i] }));
  const labels = parseDimLabels(nhwc ? 'b01f_01io->b01f' : 'bf01_oi01->bf01');
  return node('convolution', [lhs, rhs], { window, dim_labels: labels, feature_group_count: groups });
}

export interface PoolOptions {
  /** Window height and width. */
  window: Pair;
  /** Default 1 (flax's pools); pass the window for non-overlapping windows (PyTorch's default). */
  strides?: Pair;
  padding?: Padding;
  layout?: Layout;
}

/** The reduce-window dims of a pool over the spatial dims of a rank-4 input. */
function poolWindow(x: Tensor, opts: PoolOptions): WindowDim[] {
  if (x.ndim !== 4) throw new Error(`kiln: pooling takes a rank-4 input, got [${x.shape}]`);
  const layout = opts.layout ?? 'NHWC';
  const size = pair(opts.window, 1), strides = pair(opts.strides, 1);
  const spatial = spatialOf(layout);
  const pads = paddingOf(opts.padding ?? 'VALID', spatial.map((d) => x.shape[d]), size, strides);
  return x.shape.map((_, d) => {
    const i = spatial.indexOf(d);
    return i < 0 ? windowDim({}) : windowDim({ size: size[i], stride: strides[i], padLow: pads[i][0], padHigh: pads[i][1] });
  });
}

/** The max over each window; padding never wins (it reads as -inf). */
export function maxPool(x: TensorLike, opts: PoolOptions): Tensor {
  const t = asTensor(x);
  return reduceWindow(t, poolWindow(t, opts), 'maximum', lowest(t));
}

export interface AvgPoolOptions extends PoolOptions {
  /**
   * Divide by the full window size, padding counted (default true: flax's avg_pool and
   * PyTorch's AvgPool2d); false divides by the number of real elements in each window.
   */
  countIncludePad?: boolean;
}

/** The mean over each window (see countIncludePad for windows that overlap padding). */
export function avgPool(x: TensorLike, opts: AvgPoolOptions): Tensor {
  let t = asTensor(x);
  if (!isFloat(t.dtype)) t = astype(t, 'f32');
  const window = poolWindow(t, opts);
  const sums = reduceWindow(t, window, 'add', 0);
  if (opts.countIncludePad !== false) return divide(sums, window.reduce((n, w) => n * w.size, 1));
  // Counting the ones of an all-ones image window by window: padding adds zeros.
  return divide(sums, reduceWindow(ones(t.shape, t.dtype), window, 'add', 0));
}
