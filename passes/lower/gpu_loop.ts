// The GPU loop schedule: a loop (elementwise) fusion, or any op a loop kernel computes,
// as a grid kernel with one invocation per output element, or per four along a
// contiguous minor dim (vec4 loads and stores), workgroups of the schedule's size over a
// 1-D or 2-D grid (grid-stride past 65535² workgroups). No loop is left in the shader
// but those inside an element (a reduce's or a window's accumulation), so lavapipe's
// cap of 65535 iterations per loop nest no longer bounds an elementwise kernel's size.
import * as k from '../../ir/kernel/build.js';
import type { Lanes } from '../../ir/kernel/kernel.js';
import { product } from '../../ir/shape.js';
import type { GpuSchedule } from '../../ir/target.js';
import { hoistInvariants } from '../kernel/hoist.js';
import { elementRule } from './elemental.js';
import { isRowReduction } from './elemental_compute.js';
import { Emitter, fixed, type Idx } from './emitter.js';
import { eachUnit, kernelParams, spread } from './gpu_grid.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { touchesWide } from './types.js';

const WORD = new Set(['f32', 's32', 'u32']);

export function gpuLoopKernel(spec: LoopKernelSpec, gpu: GpuSchedule): LoweredKernel {
  const { kb, outs, leaves } = kernelParams(spec);
  const dims = spec.outputs[0].shape.dims, r = dims.length;
  const inner = r === 0 ? 1 : dims[r - 1];
  const vectorsOk = spec.target.capabilities.vectorLanes === 4 && !touchesWide(spec.body ? spec.body.instructions : [spec.root]);
  // Four elements per invocation only where every row splits into whole vectors: an
  // invocation's lanes then never straddle two rows. A row reduction vectorises its own row.
  const lanes: Lanes = vectorsOk && r > 0 && inner % 4 === 0 && spec.outputs.every((o) => WORD.has(o.shape.dtype)) && !isRowReduction(spec.root) ? 4 : 1;
  const unitDims = lanes === 4 ? [...dims.slice(0, -1), inner / 4] : [...dims];
  const units = product(unitDims);
  const s = spread(units, gpu.workgroupSize);

  const em = new Emitter(kb, lanes, leaves, elementRule, vectorsOk);
  if (spec.body) em.noteUses(spec.body);
  const u = kb.fresh('u');
  const [body] = em.nested(() => {
    const uv = k.variable(u);
    const index: Idx[] = k.delinear(uv, unitDims).map((e, d) => {
      const at = em.bind(`i${d}`, e);
      return d === r - 1 && lanes === 4 ? { e: k.mul(at, k.int(4)), lane: true } : fixed(at);
    });
    const values = em.values(spec.root, index);
    const at = k.mul(uv, k.int(lanes));
    values.forEach((v, o) => em.out.push(k.store(outs[o], at, em.widen(v))));
  });
  const stmts = eachUnit(u, s.id, s.covered, units, body);
  const kernel = kb.finish(spec.name, stmts, spec.source.name, { gpu: 1, lanes }, s.grid);
  return { kernel: hoistInvariants(kernel), args: kb.args };
}
