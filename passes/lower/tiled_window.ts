// Pooling without bounds checks: a reduce-window whose window never leaves its input (no
// padding, no base dilation, no reversal) over f32, vectorised along the output's minor
// dim. The elemental rule (elemental_compute.ts) has to clamp every address and test
// every window position, and with a strided window along x it runs lane by lane; here a
// row of output vectors reads the input directly: one vector load per window position
// when the x stride is 1, else four scalar loads packed into a vector. The window is
// walked in the interpreter's order (row-major over the window dims), acc = f(acc, x), so
// sums round as the reference's do. A minor dim that is not a multiple of 4 ends with a
// vector shifted back over the one before (the overlapped outputs computed twice).
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import { product, strides, type ArrayShape } from '../../ir/shape.js';
import { cpuSchedule } from '../../ir/target.js';
import { fullWindow } from '../../ir/interpret/window.js';
import { Emitter } from './emitter.js';
import { elementRule } from './elemental.js';
import { KernelBuilder } from './kernel_builder.js';
import { everyOther } from './tiled_common.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';

/** A CPU template (its schedule says how much to unroll); other targets get the elemental form. */
export function tiledWindow(spec: LoopKernelSpec): LoweredKernel | undefined {
  const cpu = cpuSchedule(spec.target);
  if (!cpu || spec.body || spec.root.opcode !== 'reduce-window' || spec.outputs.length !== 1 || spec.target.capabilities.vectorLanes === 1) return undefined;
  const rw = spec.root as InstructionOf<'reduce-window'>;
  if (rw.operands.length !== 2) return undefined;
  const [input, init] = rw.operands;
  if (!spec.inputs.has(input) || !spec.inputs.has(init)) return undefined;
  if (rw.shape.kind !== 'array' || rw.shape.dtype !== 'f32' || input.shape.kind !== 'array' || input.shape.dtype !== 'f32') return undefined;
  if (init.shape.kind !== 'array' || init.shape.dtype !== 'f32' || init.shape.dims.length !== 0) return undefined;
  const reducer = rw.attrs.to_apply;
  if (reducer.params.length !== 2 || reducer.instructions.some((i) => i.shape.kind !== 'array' || i.shape.dtype !== 'f32')) return undefined;
  const od = rw.shape.dims, id = (input.shape as ArrayShape).dims;
  const rank = od.length;
  const win = fullWindow(rw.attrs.window, rank);
  if (rank === 0 || od[rank - 1] < 4 || od.some((n) => n === 0)) return undefined;
  if (win.some((w) => w.padLow !== 0 || w.padHigh !== 0 || w.lhsDilate !== 1 || w.reversal)) return undefined;

  const kb = new KernelBuilder(spec.constants);
  const o = spec.outputs[0];
  const OUT = kb.param(o.id, o.name, 'f32', product(o.shape.dims), 'write');
  const ref = (i: typeof input) => spec.inputs.get(i)!;
  const IN = kb.param(ref(input).id, ref(input).name, 'f32', product(id), 'read');
  const INIT = kb.param(ref(init).id, ref(init).name, 'f32', 1, 'read');
  const is = strides(id);
  const minor = rank - 1, X = od[minor], sx = win[minor].stride;
  const rowDims = od.slice(0, minor);

  const body: Stmt[] = [];
  const bind = (out: Stmt[], hint: string, e: Expr): Expr => {
    if (e.k === 'const' || e.k === 'var') return e;
    const name = kb.fresh(hint);
    out.push(k.letStmt(name, e));
    return k.variable(name, e.type);
  };
  const rName = kb.fresh('r');
  const row = k.variable(rName);
  const coords = k.delinear(row, rowDims).map((e, d) => bind(body, `i${d}`, e));
  const inBase = bind(body, 'in_base', coords.reduce((acc, c, d) => k.add(acc, k.mul(c, k.int(win[d].stride * is[d]))), k.int(0) as Expr));
  const outBase = bind(body, 'out_base', k.mul(row, k.int(X)));
  const initV = bind(body, 'init', k.splat(k.load(INIT, k.int(0), 'f32')));
  const windowed = win.map((w, d) => d).filter((d) => win[d].size > 1);
  const positions = windowed.reduce((n, d) => n * win[d].size, 1);

  /** The output vector at x0..x0+3 of this row. */
  const vectorAt = (out: Stmt[], x0: Expr): void => {
    const acc = kb.fresh('acc');
    out.push(k.letStmt(acc, initV));
    const accV = k.variable(acc, initV.type);
    const combine = (into: Stmt[], off: Expr): void => {
      const at = bind(into, 'at', k.add(k.add(inBase, k.mul(x0, k.int(sx))), off));
      const x = sx === 1 ? k.load(IN, at, 'f32', 4) : sx === 2 ? everyOther(IN, at) : k.vector([0, 1, 2, 3].map((l) => k.load(IN, k.add(at, k.int(l * sx)), 'f32')));
      const em = new Emitter(kb, 4, new Map(), elementRule);
      em.out = into;
      const [next] = em.inline(reducer, [accV, x]);
      into.push(k.assign(acc, next));
    };
    const offset = (w: readonly Expr[]): Expr =>
      windowed.reduce((e, d, j) => k.add(e, k.mul(w[j], k.int(win[d].rhsDilate * is[d]))), k.int(0) as Expr);
    if (positions <= cpu.windowUnroll) {
      for (let q = 0; q < positions; q++) combine(out, offset(k.delinear(k.int(q), windowed.map((d) => win[d].size))));
    } else {
      const names = windowed.map((d) => kb.fresh(`w${d}`));
      const inner: Stmt[] = [];
      combine(inner, offset(names.map((n) => k.variable(n))));
      let stmts = inner;
      for (let j = windowed.length - 1; j >= 0; j--) stmts = [k.loop(names[j], 0, win[windowed[j]].size, stmts)];
      out.push(...stmts);
    }
    out.push(k.store(OUT, k.add(outBase, x0), accV));
  };

  const xName = kb.fresh('x');
  const full = X - (X % 4);
  const vecBody: Stmt[] = [];
  vectorAt(vecBody, k.variable(xName));
  body.push(k.loop(xName, 0, full, vecBody, 'serial', 4));
  if (full < X) vectorAt(body, k.int(X - 4));
  const kernel = kb.finish(spec.name, [k.loop(rName, 0, product(rowDims), body, 'parallel')], spec.source.name, { window: 1 });
  return { kernel, args: kb.args };
}

