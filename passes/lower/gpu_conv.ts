// The GPU convolution as an implicit GEMM (gpu_gemm.ts): rows are output positions
// (batch × output spatial), columns output features, and the reduction runs over
// (window position, input feature), input feature minor so that an NHWC input stages
// contiguous runs. No im2col buffer: staging the A tile computes each element's input
// position on the fly, and a position in the padding, or between the dilated input's
// elements, stages a zero (WGSL_TARGET runs no conv-padding pass). Any dim order the
// dim labels give (NCHW, NHWC, ...). Grouped convolutions (feature or batch groups) and
// window reversal are left to the plain loop kernel.
import * as k from '../../ir/kernel/build.js';
import type { Expr } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import type { GpuSchedule } from '../../ir/target.js';
import { fullWindow } from '../../ir/interpret/window.js';
import { fixed } from './emitter.js';
import { gpuGemm, type GemmForm } from './gpu_gemm.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { TiledKernel } from './tiled_common.js';

/** The convolution's grid kernel, or undefined where it is grouped, reversed or past the target's limits. */
export function gpuConv(spec: LoopKernelSpec, conv: InstructionOf<'convolution'>, s: GpuSchedule): LoweredKernel | undefined {
  const a = conv.attrs, cd = a.dim_labels;
  if ((a.batch_group_count ?? 1) !== 1 || (a.feature_group_count ?? 1) !== 1) return undefined;
  const [input, kernel] = conv.operands;
  const id = (input.shape as ArrayShape).dims, kd = (kernel.shape as ArrayShape).dims, od = (conv.shape as ArrayShape).dims;
  const nsp = cd.inputSpatial.length;
  const win = fullWindow(a.window, nsp, (i) => kd[cd.kernelSpatial[i]]);
  if (win.some((w) => w.reversal)) return undefined;
  const outSp = cd.outputSpatial.map((d) => od[d]);
  const winSp = win.map((w) => w.size);
  const Cin = kd[cd.kernelInput];
  const tk = new TiledKernel(spec, conv);
  const IN = tk.param.get(input)!, W = tk.param.get(kernel)!;
  const form: GemmForm = {
    M: od[cd.outputBatch] * product(outSp), N: od[cd.outputFeature], K: Cin * product(winSp), batch: 1, A: IN, B: W,
    access: () => ({
      a: (row, kk) => {
        const [b, ...o] = k.delinear(row, [od[cd.outputBatch], ...outSp]);
        const wc = k.delinear(kk, [...winSp, Cin]);
        const idx: Expr[] = new Array(id.length);
        idx[cd.inputBatch] = b;
        idx[cd.inputFeature] = wc[nsp];
        let ok: Expr = k.constant('pred', 1);
        win.forEach((w, d) => {
          // Where the window element lands in the (lhs-dilated, padded) input.
          const raw = k.add(k.mul(o[d], k.int(w.stride)), k.sub(k.mul(wc[d], k.int(w.rhsDilate)), k.int(w.padLow)));
          const inD = id[cd.inputSpatial[d]];
          ok = k.and(ok, k.and(k.compare('GE', raw, k.int(0)), k.compare('LT', raw, k.int((inD - 1) * w.lhsDilate + 1))));
          if (w.lhsDilate !== 1) ok = k.and(ok, k.compare('EQ', k.mod(raw, w.lhsDilate), k.int(0)));
          idx[cd.inputSpatial[d]] = k.div(raw, w.lhsDilate);
        });
        return { ok, at: k.linear(idx, id) };
      },
      b: (kk, col) => {
        const wc = k.delinear(kk, [...winSp, Cin]);
        const idx: Expr[] = new Array(kd.length);
        idx[cd.kernelInput] = wc[nsp];
        idx[cd.kernelOutput] = col;
        cd.kernelSpatial.forEach((d, i) => { idx[d] = wc[i]; });
        return { ok: k.constant('pred', 1), at: k.linear(idx, kd) };
      },
      out: (row, col) => {
        const [b, ...o] = k.delinear(row, [od[cd.outputBatch], ...outSp]);
        const idx: Expr[] = new Array(od.length);
        idx[cd.outputBatch] = b;
        idx[cd.outputFeature] = col;
        cd.outputSpatial.forEach((d, i) => { idx[d] = o[i]; });
        return { index: idx.map(fixed), at: k.linear(idx, od) };
      },
    }),
  };
  return gpuGemm(tk, form, s);
}
