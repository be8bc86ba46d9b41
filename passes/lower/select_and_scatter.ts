// select-and-scatter whose windows may share operand elements (disjoint windows are a map
// over the output: elemental_select_and_scatter.ts, run as a loop kernel). Here the
// output is filled with the init value, then for each source
// element the window over the operand is walked row-major as the interpreter walks it
// (ir/interpret/reduce.ts): the first position inside the operand is selected, and each
// later one replaces it whenever select(selected, candidate) is false; the source value
// is then combined into the output at the selected position with the scatter
// computation. Both computations are inlined. Windows that overlap could select one
// position twice, so the loop over the source is serial unless the stride keeps them apart.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import { fullWindow } from '../../ir/interpret/window.js';
import type { WindowDim } from '../../ir/attrs.js';
import { Emitter } from './emitter.js';
import { elementRule } from './elemental.js';
import { windowPosition } from './elemental_compute.js';
import { disjointWindow, elementalSelectAndScatter } from './elemental_select_and_scatter.js';
import { NotCompiled } from './errors.js';
import { KernelBuilder } from './kernel_builder.js';
import { loopKernel, type BufferRef, type LoweredKernel } from './loop_kernel.js';
import type { OwnKernelSpec } from './own_kernels.js';
import { computeType, storageType } from './types.js';

const shapeOf = (i: Instruction): ArrayShape => i.shape as ArrayShape;

export function selectAndScatterKernels(instr: InstructionOf<'select-and-scatter'>, spec: OwnKernelSpec): LoweredKernel[] {
  const [x, , init] = instr.operands;
  const win = fullWindow(instr.attrs.window, shapeOf(x).dims.length);
  if (win.some((w) => w.reversal)) throw new NotCompiled(instr, 'window reversal');
  if (product(shapeOf(x).dims) === 0) return [];
  if (elementalSelectAndScatter(instr)) return [loopKernel(spec)];
  return [fillKernel(spec, spec.inputs.get(init)!, spec.outputs[0]), scatterKernel(instr, spec, win)];
}

/** out[i] = init for every i, in a parallel loop. */
function fillKernel(spec: OwnKernelSpec, init: BufferRef, out: BufferRef): LoweredKernel {
  const kb = new KernelBuilder(spec.constants);
  const total = product(out.shape.dims);
  const o = kb.param(out.id, out.name, storageType(out.shape.dtype), total, 'write');
  const v = kb.param(init.id, init.name, storageType(init.shape.dtype), 1, 'read');
  const i = kb.fresh('i');
  const body = [k.store(o, k.variable(i), k.load(v, k.int(0), computeType(init.shape.dtype)))];
  return { kernel: kb.finish(`${spec.name}_init`, [k.loop(i, 0, total, body, 'parallel')], spec.source.name), args: kb.args };
}

function scatterKernel(instr: InstructionOf<'select-and-scatter'>, spec: OwnKernelSpec, win: readonly WindowDim[]): LoweredKernel {
  const [x, source] = instr.operands;
  const inDims = shapeOf(x).dims, srcDims = shapeOf(source).dims;
  const kb = new KernelBuilder(spec.constants);
  const out = spec.outputs[0];
  const o = kb.param(out.id, out.name, storageType(out.shape.dtype), product(out.shape.dims), 'readwrite');
  const param = (i: Instruction) => {
    const ref = spec.inputs.get(i)!;
    return { buf: kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), 'read'), scalar: computeType(ref.shape.dtype) };
  };
  const xp = param(x), sp = param(source);
  const em = new Emitter(kb, 1, new Map(), elementRule);
  const p = kb.fresh('p');
  const [body] = em.nested(() => {
    const at = k.delinear(k.variable(p), srcDims).map((e) => em.bind('o', e));
    const sel = kb.fresh('sel'), selv = kb.fresh('selv');
    em.out.push(k.letStmt(sel, k.int(-1)), k.letStmt(selv, k.constant(xp.scalar, 0)));
    const selE = k.variable(sel), selvE = k.variable(selv, { scalar: xp.scalar, lanes: 1 });
    const ws = win.map(() => kb.fresh('w'));
    const [inner] = em.nested(() => {
      let inside: Expr = k.constant('pred', 1);
      const pos = win.map((w, d) => {
        const wp = windowPosition(at[d], k.variable(ws[d]), w, inDims[d]);
        inside = k.and(inside, wp.ok);
        return wp.pos;
      });
      const off = em.bind('off', k.linear(pos, inDims));
      const v = em.bind('v', k.load(xp.buf, off, xp.scalar));
      const take = [k.assign(sel, off), k.assign(selv, v)];
      const [test, keep] = em.nested(() => em.inline(instr.attrs.select, [selvE, v])[0]);
      const choose = k.ifStmt(k.compare('LT', selE, k.int(0)), take, [...test, k.ifStmt(keep, [], take)]);
      // em.out holds the position's lets; the window test guards the rest.
      const guarded = inside.k === 'const' && inside.value === 1 ? [choose] : [k.ifStmt(inside, [choose])];
      em.out.push(...guarded);
    });
    let stmts: Stmt[] = inner;
    for (let d = win.length - 1; d >= 0; d--) stmts = [k.loop(ws[d], 0, win[d].size, stmts)];
    em.out.push(...stmts);
    const [combine] = em.nested(() => {
      const next = em.inline(instr.attrs.scatter, [k.load(o, selE, computeType(out.shape.dtype)), k.load(sp.buf, k.variable(p), sp.scalar)])[0];
      em.out.push(k.store(o, selE, next));
    });
    em.out.push(k.ifStmt(k.compare('GE', selE, k.int(0)), combine));
  });
  const parallel = win.every(disjointWindow);
  const n = product(srcDims);
  const kernel = kb.finish(spec.name, [k.loop(p, 0, n, body, parallel ? 'parallel' : 'serial')], instr.name, { parallel: parallel ? 1 : 0 });
  return { kernel, args: kb.args };
}
