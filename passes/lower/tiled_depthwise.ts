// Depthwise convolution with the features minor (NHWC: TensorFlow's layout, and JAX's):
// output feature o reads only input feature o, so a vector of 4 output features multiplies
// the input's 4 features at the same position by the kernel's 4 weights, lane by lane —
// vectorised along the channels, which NHWC keeps contiguous (XNNPACK's dwconv shape). The
// register tile is `mr` output x positions × `nr` features; each window position loads the
// tile's weight vectors once and one input vector per accumulator. The other output dims
// (batch, the outer spatial dims) and the x tiles are the parallel loop. Taken where the
// window never leaves the input (conv-padding pads first), with one input feature per group
// (no channel multiplier) and at least 4 features; the NCHW form is spatial mode's
// (tiled_conv.ts, vectorised along x). A width or a feature count that is not a multiple of
// the tile ends in a tile shifted back over the one before (outputs computed twice, alike).
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import { product, strides, type ArrayShape } from '../../ir/shape.js';
import type { ConvSchedule } from '../../ir/target.js';
import { fullWindow } from '../../ir/interpret/window.js';
import { fixed, type Idx } from './emitter.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { ceilDiv, RegisterTile, TiledKernel } from './tiled_common.js';

/** The NHWC depthwise kernel, or undefined where the convolution is not one it takes. */
export function tiledDepthwiseNhwc(spec: LoopKernelSpec, conv: InstructionOf<'convolution'>, sched: ConvSchedule): LoweredKernel | undefined {
  const a = conv.attrs, cd = a.dim_labels;
  const [input, kernel] = conv.operands;
  const id = (input.shape as ArrayShape).dims, kd = (kernel.shape as ArrayShape).dims, od = (conv.shape as ArrayShape).dims;
  const nsp = cd.inputSpatial.length, O = od[cd.outputFeature];
  if (nsp === 0 || (a.feature_group_count ?? 1) !== O || id[cd.inputFeature] !== O || kd[cd.kernelInput] !== 1 || O < 4) return undefined;
  const is = strides(id), ks = strides(kd), os = strides(od);
  if (cd.outputFeature !== od.length - 1 || is[cd.inputFeature] !== 1 || ks[cd.kernelOutput] !== 1) return undefined;
  const win = fullWindow(a.window, nsp, (i) => kd[cd.kernelSpatial[i]]);
  if (win.some((w, s) => w.lhsDilate !== 1 || w.reversal || w.padLow !== 0 || w.padHigh !== 0 || (od[cd.outputSpatial[s]] - 1) * w.stride + (w.size - 1) * w.rhsDilate >= id[cd.inputSpatial[s]])) return undefined;

  const tk = new TiledKernel(spec, conv);
  const IN = tk.param.get(input)!, W = tk.param.get(kernel)!;
  // x: the innermost output spatial dim; mr positions along it per tile, nr features per vector group.
  const xs = cd.outputSpatial.indexOf(Math.max(...cd.outputSpatial));
  const X = od[cd.outputSpatial[xs]], mr = Math.min(sched.mr, X), nr = Math.min(sched.nr, 4 * Math.floor(O / 4));
  const outer = od.map((_, d) => d).filter((d) => d !== cd.outputSpatial[xs] && d !== cd.outputFeature);
  const nXT = ceilDiv(X, mr);
  const body: Stmt[] = [];
  const tName = tk.kb.fresh('t');
  const t = k.variable(tName);
  const bind = (hint: string, e: Expr): Expr => tk.bind(body, hint, e);
  const xt = bind('xt', k.mod(t, nXT));
  const x0 = bind('x0', X % mr === 0 ? k.mul(xt, k.int(mr)) : k.min(k.mul(xt, k.int(mr)), k.int(X - mr)));
  const pos = new Map<number, Expr>(k.delinear(k.div(t, nXT), outer.map((d) => od[d])).map((e, j) => [outer[j], bind(`o${outer[j]}`, e)]));
  pos.set(cd.outputSpatial[xs], x0);
  // Input offset of output position (·, x0) at window offset 0, and the output's.
  const inBase = bind('in_base', cd.outputSpatial.reduce((e, d, s) => k.add(e, k.mul(pos.get(d)!, k.int(win[s].stride * is[cd.inputSpatial[s]]))),
    k.mul(pos.get(cd.outputBatch)!, k.int(is[cd.inputBatch])) as Expr));
  const outBase = bind('out_base', outer.reduce((e, d) => k.add(e, k.mul(pos.get(d)!, k.int(os[d]))), k.mul(x0, k.int(os[cd.outputSpatial[xs]])) as Expr));
  const xStepIn = win[xs].stride * is[cd.inputSpatial[xs]], xStepOut = os[cd.outputSpatial[xs]];

  /** One tile: mr positions × `width` features from f0, in vectors (the last shifted back when width is not a multiple of 4). */
  const tile = (out: Stmt[], f0: Expr, width: number): void => {
    const acc = new RegisterTile(tk, { rows: mr, groups: ceilDiv(width, 4), tail: 0, lastAt: width % 4 === 0 ? undefined : width - 4 });
    acc.declare(out);
    const wNames = win.map((_, s) => tk.kb.fresh(`w${s}`));
    const step: Stmt[] = [];
    const wOff = win.reduce((e, _, s) => k.add(e, k.mul(k.variable(wNames[s]), k.int(ks[cd.kernelSpatial[s]]))), f0 as Expr);
    const inOff = win.reduce((e, w, s) => k.add(e, k.mul(k.variable(wNames[s]), k.int(w.rhsDilate * is[cd.inputSpatial[s]]))), k.add(inBase, f0));
    for (let c = 0; c < acc.shape.groups; c++) {
      const off = acc.colOffset(c);
      const wv = tk.bind(step, `wv${c}`, k.load(W, k.add(wOff, k.int(off)), 'f32', 4));
      for (let r = 0; r < mr; r++) step.push(acc.set(r, c, k.muladd(k.load(IN, k.add(inOff, k.int(r * xStepIn + off)), 'f32', 4), wv, acc.get(r, c))));
    }
    let loops = step;
    for (let s = win.length - 1; s >= 0; s--) loops = win[s].size === 1 ? [k.letStmt(wNames[s], k.int(0)), ...loops] : [k.loop(wNames[s], 0, win[s].size, loops)];
    out.push(...loops);
    acc.each((r, c) => {
      const f = k.add(f0, k.int(acc.colOffset(c)));
      const index: Idx[] = od.map((_, d) => fixed(pos.get(d) ?? k.int(0)));
      index[cd.outputSpatial[xs]] = fixed(k.add(x0, k.int(r)));
      index[cd.outputFeature] = { e: f, lane: true };
      tk.epilogue(out, acc.get(r, c), index, k.add(k.add(outBase, k.int(r * xStepOut)), f));
    });
  };
  // Full feature tiles, then the rest (at least one vector, overlapping the tile before).
  const full = Math.floor(O / nr), rest = O - full * nr;
  if (full > 0) {
    const ft = tk.kb.fresh('ft');
    const inner: Stmt[] = [];
    tile(inner, tk.bind(inner, 'f0', k.mul(k.variable(ft), k.int(nr))), nr);
    body.push(k.loop(ft, 0, full, inner));
  }
  if (rest > 0) tile(body, k.int(O - Math.max(rest, 4)), Math.max(rest, 4));
  return tk.finish([k.loop(tName, 0, product(outer.map((d) => od[d])) * nXT, body, 'parallel')], { mr, nr, conv: 4 });
}
