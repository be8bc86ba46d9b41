// The GPU dot (alone, batched, or the root side of a kOutput fusion): its strided form
// (tiled_dot.ts's dotForm: any batch dims, one contracting dim, at most one free dim on
// the lhs) as a GEMM of gpu_gemm.ts, batch over grid z.
import * as k from '../../ir/kernel/build.js';
import type { Expr } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import { product } from '../../ir/shape.js';
import type { GpuSchedule } from '../../ir/target.js';
import { fixed } from './emitter.js';
import { gpuGemm, type GemmForm } from './gpu_gemm.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { TiledKernel } from './tiled_common.js';
import { dotForm } from './tiled_dot.js';

/** The dot's grid kernel, or undefined where its form or the target's limits do not fit. */
export function gpuDot(spec: LoopKernelSpec, dot: InstructionOf<'dot'>, s: GpuSchedule): LoweredKernel | undefined {
  const f = dotForm(dot);
  if (!f) return undefined;
  const tk = new TiledKernel(spec, dot);
  const form: GemmForm = {
    M: f.M, N: f.N, K: f.K, batch: product(f.batch),
    A: tk.param.get(dot.operands[0])!, B: tk.param.get(dot.operands[1])!,
    access: (bind, bl) => {
      const bIdx = k.delinear(bl, f.batch).map((e, d) => bind(`bi${d}`, e));
      const base = (strides: readonly number[]): Expr => bIdx.reduce((acc, e, d) => k.add(acc, k.mul(e, k.int(strides[d]))), k.int(0) as Expr);
      const aBase = bind('a_base', base(f.aBatch)), bBase = bind('b_base', base(f.bBatch));
      const cBase = bind('c_base', k.mul(bl, k.int(f.M * f.N)));
      const yes = k.constant('pred', 1);
      return {
        a: (row, kk) => ({ ok: yes, at: k.add(k.add(aBase, k.mul(row, k.int(f.sAm))), k.mul(kk, k.int(f.sAk))) }),
        b: (kk, col) => ({ ok: yes, at: k.add(k.add(bBase, k.mul(kk, k.int(f.sBk))), k.mul(col, k.int(f.sBn))) }),
        out: (row, col) => ({
          index: [...bIdx.map(fixed), ...(f.hasM ? [fixed(row)] : []), fixed(col)],
          at: k.add(k.add(cBase, k.mul(row, k.int(f.N))), col),
        }),
      };
    },
  };
  return gpuGemm(tk, form, s);
}
