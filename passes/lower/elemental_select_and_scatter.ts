// select-and-scatter as a value per output element, where no two windows share an operand
// element (the max-pool gradient's non-overlapping windows): element I lies in at most
// one window, so it is the scatter of the init value and that window's source value if I
// is the window's selected position, else the init value. Each element walks its window's
// selection itself (window-size times the work of walking each window once), but the
// walk is a map over the output: parallel, vectorised along a dim the window does not
// span, with no fill pass and no scattered stores. Overlapping windows keep their own
// kernels (select_and_scatter.ts).
import * as k from '../../ir/kernel/build.js';
import type { Expr } from '../../ir/kernel/kernel.js';
import type { WindowDim } from '../../ir/attrs.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { fullWindow } from '../../ir/interpret/window.js';
import { fixed, type Emitter, type Idx } from './emitter.js';
import { windowPosition } from './elemental_compute.js';
import { dtypeOf } from './elemental_math.js';
import { NotCompiled } from './errors.js';
import { computeType } from './types.js';

const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;

/** Windows of consecutive positions never share an operand element. */
export const disjointWindow = (w: WindowDim): boolean => w.stride >= (w.size - 1) * w.rhsDilate + 1;

/** A window dim the elemental form takes: disjoint, no low padding below 0, no base dilation. */
const elementalDim = (w: WindowDim): boolean => disjointWindow(w) && w.padLow >= 0 && w.lhsDilate === 1 && !w.reversal;

/** Whether select-and-scatter with this window is computed per output element (selectAndScatterRule). */
export const elementalSelectAndScatter = (instr: InstructionOf<'select-and-scatter'>): boolean =>
  fullWindow(instr.attrs.window, dimsOf(instr.operands[0]).length).every(elementalDim);

/** Window positions walked in straight-line code up to this many; more run as loops. */
const UNROLL = 16;

/**
 * The selection is the interpreter's (ir/interpret/reduce.ts): positions inside the
 * operand in row-major window order, the first taken, a later one replacing it whenever
 * select(selected, candidate) is false. `sel` holds the selected position's window offset
 * (−1 before any), compared at the end with I's own offset in its window.
 */
export function selectAndScatterRule(em: Emitter, instr: InstructionOf<'select-and-scatter'>, index: readonly Idx[]): Expr[] {
  const [x, source, init] = instr.operands;
  const inDims = dimsOf(x), srcDims = dimsOf(source);
  const win = fullWindow(instr.attrs.window, inDims.length);
  if (!win.every(elementalDim)) throw new NotCompiled(instr, 'overlapping windows (computed by select-and-scatter kernels of its own)');
  const trivial = (w: WindowDim): boolean => w.size === 1 && w.stride === 1 && w.padLow === 0 && w.padHigh === 0;
  if (index.some((i, d) => i.lane && !trivial(win[d]))) return em.perLane(index, (s, idx) => selectAndScatterRule(s, instr, idx));
  const windowed = win.map((w, d) => (trivial(w) ? -1 : d)).filter((d) => d >= 0);
  const lanes = em.lanes;

  // Per windowed dim: I's window (clamped, for reads) and I's offset in it.
  const srcIdx: Idx[] = [...index];
  const winAt: Expr[] = [];
  let own: Expr = k.int(0);
  let held: Expr = k.constant('pred', 1);
  for (const d of windowed) {
    const w = win[d];
    const q = em.bind('q', k.add(index[d].e, k.int(w.padLow)));
    const o = em.bind('o', k.div(q, w.stride));
    const r = em.bind('r', k.sub(q, k.mul(o, k.int(w.stride))));
    held = k.and(held, k.and(k.compare('LT', o, k.int(srcDims[d])), k.compare('LT', r, k.int((w.size - 1) * w.rhsDilate + 1))));
    if (w.rhsDilate > 1) held = k.and(held, k.compare('EQ', k.mod(r, w.rhsDilate), k.int(0)));
    own = k.add(k.mul(own, k.int(w.size)), k.div(r, w.rhsDilate));
    const at = em.bind('o', k.min(o, k.int(srcDims[d] - 1)));
    winAt.push(at);
    srcIdx[d] = fixed(at);
  }

  /** Operand position of window offset w along windowed dim j; a constant offset that every window has inside the operand needs no test. */
  const position = (j: number, w: Expr): { pos: Expr; ok: Expr } => {
    const d = windowed[j], wd = win[d];
    if (w.k === 'const' && typeof w.value === 'number') {
      const off = w.value * wd.rhsDilate - wd.padLow;
      if (off >= 0 && (srcDims[d] - 1) * wd.stride + off < inDims[d]) return { pos: k.add(k.mul(winAt[j], k.int(wd.stride)), k.int(off)), ok: k.constant('pred', 1) };
    }
    return windowPosition(winAt[j], w, wd, inDims[d]);
  };
  const xs = computeType(dtypeOf(x));
  const sel = em.kb.fresh('sel'), selv = em.kb.fresh('selv');
  em.out.push(k.letStmt(sel, k.constant('s32', -1, lanes)), k.letStmt(selv, k.constant(xs, 0, lanes)));
  const selE = k.variable(sel, { scalar: 's32', lanes }), selvE = k.variable(selv, { scalar: xs, lanes });
  const sizes = windowed.map((d) => win[d].size);
  // In straight-line code: whether no position came before, and whether `sel` holds one for
  // certain (after a first position that is inside the operand in every window).
  let none = true, started = false;
  const visit = (ws: readonly Expr[], offset: Expr, straight: boolean): void => {
    const inIdx: Idx[] = [...index];
    let inside: Expr = k.constant('pred', 1);
    windowed.forEach((d, j) => {
      const { pos, ok } = position(j, ws[j]);
      inIdx[d] = fixed(pos);
      inside = k.and(inside, ok);
    });
    const always = inside.k === 'const' && inside.value === 1;
    const first = straight && none && always;
    none = false;
    const [body] = em.nested(() => {
      const v = em.bind('v', em.value(x, inIdx));
      const at = em.widen(offset);
      if (started) {
        const keep = em.bind('keep', em.inline(instr.attrs.select, [selvE, v])[0]);
        em.out.push(k.assign(sel, k.select(keep, selE, at)), k.assign(selv, k.select(keep, selvE, v)));
      } else if (first) {
        em.out.push(k.assign(sel, at), k.assign(selv, v));
      } else {
        const some = k.compare('GE', selE, k.constant('s32', 0, lanes));
        const keep = em.bind('keep', k.and(some, em.inline(instr.attrs.select, [selvE, v])[0]));
        em.out.push(k.assign(sel, k.select(keep, selE, at)), k.assign(selv, k.select(keep, selvE, v)));
      }
    });
    em.out.push(...(always ? body : [k.ifStmt(inside, body)]));
    started ||= first;
  };
  const count = sizes.reduce((a, b) => a * b, 1);
  if (count <= UNROLL) {
    for (let q = 0; q < count; q++) visit(k.delinear(k.int(q), sizes), k.int(q), true);
  } else {
    const vars = sizes.map(() => em.kb.fresh('w'));
    const ws = vars.map((v) => k.variable(v));
    const [inner] = em.nested(() => visit(ws, k.linear(ws, sizes), false));
    let stmts = inner;
    for (let j = sizes.length - 1; j >= 0; j--) stmts = [k.loop(vars[j], 0, sizes[j], stmts)];
    em.out.push(...stmts);
  }

  const z = em.value(init, []);
  const picked = em.inline(instr.attrs.scatter, [z, em.value(source, srcIdx)])[0];
  const mine = em.widen(em.bind('own', k.select(held, own, k.int(-2))));
  return [k.select(k.compare('EQ', selE, mine), picked, z)];
}
