// convolution: bilinear like dot. The input's cotangent is a convolution of the output
// cotangent with the spatially reversed kernel, the kernel's a convolution of the input
// with the output cotangent; strides and dilations trade places. This follows JAX's
// _conv_general_dilated_transpose_lhs/rhs, in kiln's ConvDims. A spec lists a
// convolution's dimension numbers as JAX does: [batch, feature, ...spatial] for the
// input and output, [out feature, in feature, ...spatial] for the kernel.
import type { ConvDims, WindowDim } from '../../ir/attrs.js';
import type { Instruction } from '../../ir/module.js';
import type { OpAttrs } from '../../ir/opcodes.js';
import { type Emitter, dimsOf, dtypeOf, range } from './emitter.js';
import { NotDifferentiableError } from './errors.js';
import { replay } from './rules_structural.js';
import { type Rule, arr } from './types.js';

type Spec = number[];
const specs = (d: ConvDims): [Spec, Spec, Spec] => [
  [d.inputBatch, d.inputFeature, ...d.inputSpatial],
  [d.kernelOutput, d.kernelInput, ...d.kernelSpatial],
  [d.outputBatch, d.outputFeature, ...d.outputSpatial],
];
const convDims = (l: Spec, k: Spec, o: Spec): ConvDims => ({
  inputBatch: l[0], inputFeature: l[1], inputSpatial: l.slice(2),
  kernelOutput: k[0], kernelInput: k[1], kernelSpatial: k.slice(2),
  outputBatch: o[0], outputFeature: o[1], outputSpatial: o.slice(2),
});
const swap01 = (s: Spec): Spec => [s[1], s[0], ...s.slice(2)];
const dilate = (n: number, d: number) => (n === 0 ? 0 : 1 + d * (n - 1));
const pick = (xs: readonly number[], at: readonly number[]) => at.map((i) => xs[i]);

/** Splits dim `src` of x into (size1, rest). */
function axisOutOf(e: Emitter, src: number, size1: number, x: Instruction): Instruction {
  const d = [...dimsOf(x)];
  d.splice(src, 1, size1, d[src] / size1);
  return e.reshape(x, d);
}
/** Merges dim `src` into dim `dst` (numbered without src) as its major part. */
function axisInto(e: Emitter, src: number, dst: number, x: Instruction): Instruction {
  const d = dimsOf(x);
  const perm = range(d.length).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  const shape = d.filter((_, i) => i !== src);
  shape[dst] *= d[src];
  return e.reshape(e.transpose(x, perm), shape);
}

interface Geometry { inS: number[]; kS: number[]; outS: number[]; win: readonly WindowDim[] }

function geometry(lhs: Instruction, rhs: Instruction, g: Instruction, dims: ConvDims, win: readonly WindowDim[]): Geometry {
  return { inS: pick(dimsOf(lhs), dims.inputSpatial), kS: pick(dimsOf(rhs), dims.kernelSpatial), outS: pick(dimsOf(g), dims.outputSpatial), win };
}

function conv(e: Emitter, a: Instruction, b: Instruction, dims: ConvDims, window: Partial<WindowDim>[], groups: { f: number; b: number }, dtype: Instruction): Instruction {
  const opts = { dimLabels: dims, window, featureGroupCount: groups.f, batchGroupCount: groups.b };
  return e.c.convolution(a, b, opts, dtypeOf(a) === dtypeOf(dtype) ? undefined : dtypeOf(dtype));
}

function transposeLhs(e: Emitter, g: Instruction, lhs: Instruction, rhs: Instruction, a: OpAttrs<'convolution'>): Instruction {
  const [ls, rs, os] = specs(a.dim_labels);
  let f = a.feature_group_count ?? 1;
  const bg = a.batch_group_count ?? 1;
  let k = rhs;
  if (f > 1 || bg > 1) k = axisInto(e, rs[0], rs[1], axisOutOf(e, rs[0], Math.max(f, bg), k));
  if (bg > 1) f = bg;
  const geo = geometry(lhs, k, g, a.dim_labels, a.window ?? []);
  const window = geo.win.map((w, i) => {
    const before = dilate(geo.kS[i], w.rhsDilate) - w.padLow - 1;
    const after = dilate(geo.inS[i], w.lhsDilate) + dilate(geo.kS[i], w.rhsDilate) - 1 - dilate(geo.outS[i], w.stride) - before;
    return { stride: w.lhsDilate, padLow: before, padHigh: after, lhsDilate: w.stride, rhsDilate: w.rhsDilate };
  });
  const reversed = e.c.reverse(k, a.dim_labels.kernelSpatial);
  let out = conv(e, g, reversed, convDims(os, swap01(rs), ls), window, { f, b: 1 }, lhs);
  if (bg > 1) out = axisInto(e, ls[1], ls[0], axisOutOf(e, ls[1], bg, out));
  return out;
}

function transposeRhs(e: Emitter, g: Instruction, lhs: Instruction, rhs: Instruction, a: OpAttrs<'convolution'>): Instruction {
  const [ls, rs, os] = specs(a.dim_labels);
  const f = a.feature_group_count ?? 1, bg = a.batch_group_count ?? 1;
  const groups = bg > 1 ? { f: bg, b: 1 } : { f: 1, b: f };
  const geo = geometry(lhs, rhs, g, a.dim_labels, a.window ?? []);
  const window = geo.win.map((w, i) => {
    const fromLhs = dilate(geo.outS[i], w.stride) - dilate(geo.inS[i], w.lhsDilate);
    const fromRhs = dilate(geo.kS[i], w.rhsDilate) - w.padLow - 1;
    return { stride: w.rhsDilate, padLow: w.padLow, padHigh: fromLhs + fromRhs, lhsDilate: w.lhsDilate, rhsDilate: w.stride };
  });
  return conv(e, lhs, g, convDims(swap01(ls), swap01(os), swap01(rs)), window, groups, rhs);
}

function refuseUnsupported(x: Instruction, a: OpAttrs<'convolution'>): void {
  if ((a.window ?? []).some((w) => w.reversal)) throw NotDifferentiableError.of(x, 'window reversal is not differentiated yet');
  if ((a.feature_group_count ?? 1) > 1 && (a.batch_group_count ?? 1) > 1)
    throw NotDifferentiableError.of(x, 'feature_group_count and batch_group_count both above 1');
}

export const convolution: Rule<'convolution'> = {
  jvp: (c) => {
    const [a, b] = c.ops;
    return c.e.acc(c.t[0] && replay(c, [arr(c.t[0]), b]), c.t[1] && replay(c, [a, arr(c.t[1])]));
  },
  vjp: ({ e, x, ct, wants, ops: [lhs, rhs], attrs }) => {
    refuseUnsupported(x, attrs);
    const g = arr(ct);
    return [wants[0] ? transposeLhs(e, g, lhs, rhs, attrs) : undefined, wants[1] ? transposeRhs(e, g, lhs, rhs, attrs) : undefined];
  },
};
