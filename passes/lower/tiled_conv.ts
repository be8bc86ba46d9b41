// The tiled direct convolution: the dot's register tile over a convolution, without
// im2col. Three modes, by layout:
//   spatial  (NCHW, bf01_oi01->bf01): columns are 4·g consecutive output x positions
//            (contiguous input rows when the stride is 1), rows are output features
//            whose weights are splatted;
//   feature  (NHWC, b01f_01io->b01f): columns are output features (contiguous weights),
//            rows are output x positions whose inputs are splatted;
//   planar   (NCHW output, kernel with output features minor, as conv-layout leaves it:
//            bf01_01io->bf01): columns are output features (contiguous weights), rows are
//            positions of the flattened output plane (y·X + x), each with its own input
//            pointer; the register tile is transposed at the store, so 4 positions of
//            one feature go out as one vector. No width is wasted on a narrow image
//            (LeNet's 14-wide rows are 3.5 vectors in spatial mode).
// Feature groups (depthwise, grouped) run in spatial mode, each row tile within one group.
// The other output dims (batch, the other spatial dims) and the row tiles are the
// parallel loop; the reduction runs over input features and the window. Padding never
// reads out of bounds: window rows over padding on the outer spatial dims are skipped,
// and tiles along x whose window may leave the input (border tiles, known statically)
// clamp every address and select zero; interior tiles load directly. Planar mode only
// runs where no window leaves the input (conv-padding makes padding explicit).
// A width that is not a multiple of 4 (or of the tile) ends in a tile shifted back to
// overlap the one before it: vectors only, the overlapped outputs computed twice.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import { product, strides, type ArrayShape } from '../../ir/shape.js';
import type { WindowDim } from '../../ir/attrs.js';
import type { ConvSchedule } from '../../ir/target.js';
import { fixed, type Idx } from './emitter.js';
import { fullWindow } from '../../ir/interpret/window.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { tiledDepthwiseNhwc } from './tiled_depthwise.js';
import { ceilDiv, everyOther, RegisterTile, TiledKernel, when, type TileShape } from './tiled_common.js';

/** Output positions [lo, hi) whose whole window lies inside the input along one spatial dim. */
function interior(w: WindowDim, inSize: number, outSize: number): [number, number] {
  const lo = Math.ceil(w.padLow / w.stride);
  const hi = Math.floor((inSize - 1 - (w.size - 1) * w.rhsDilate + w.padLow) / w.stride) + 1;
  return [Math.min(Math.max(lo, 0), outSize), Math.min(Math.max(hi, 0), outSize)];
}

/** The convolution's tiled kernel under `sched` (the target's CPU schedule), or undefined where no mode applies. */
export function tiledConv(spec: LoopKernelSpec, conv: InstructionOf<'convolution'>, sched: ConvSchedule): LoweredKernel | undefined {
  const a = conv.attrs, cd = a.dim_labels;
  const groups = a.feature_group_count ?? 1;
  if ((a.batch_group_count ?? 1) !== 1 || sched.nr % 4 !== 0 || sched.pnr % 4 !== 0 || sched.pmr < 1) return undefined;
  const [input, kernel] = conv.operands;
  const id = (input.shape as ArrayShape).dims, kd = (kernel.shape as ArrayShape).dims, od = (conv.shape as ArrayShape).dims;
  const nsp = cd.inputSpatial.length;
  const win = fullWindow(a.window, nsp, (i) => kd[cd.kernelSpatial[i]]);
  if (nsp === 0 || win.some((w) => w.reversal || w.lhsDilate !== 1)) return undefined;
  if (product(od) === 0 || product(id) === 0) return undefined;
  const is = strides(id), ks = strides(kd), os = strides(od);
  const minor = od.length - 1;
  const featureMode = cd.outputFeature === minor;
  // Feature groups run in spatial mode, a row tile within one group (its rows share the
  // input); with the features minor, only depthwise, vectorised along the channels.
  if (groups > 1 && featureMode) return tiledDepthwiseNhwc(spec, conv, sched);
  const { mr, nr } = groups > 1 ? groupedTile(od[cd.outputFeature] / groups, sched) : sched;
  // The tiled spatial dim (x): the output's minor dim, or in feature mode its innermost spatial dim.
  const xs = featureMode ? cd.outputSpatial.indexOf(Math.max(...cd.outputSpatial)) : cd.outputSpatial.indexOf(minor);
  if (xs < 0) return undefined;
  const xDim = cd.outputSpatial[xs], X = od[xDim], O = od[cd.outputFeature], Cin = kd[cd.kernelInput];
  const wx = win[xs], inX = id[cd.inputSpatial[xs]];
  const [xLo, xHi] = interior(wx, inX, X);
  if (!featureMode && sched.planar > 0 && groups === 1) {
    const g: Geometry = { conv, cd, id, kd, od, is, ks, os, win, nsp };
    if (planarApplies(g) && (sched.planar === 2 || colUse(O) * rowUse(product(cd.outputSpatial.map((d) => od[d])), sched.pmr) > colUse(X)))
      return planarConv(spec, g, sched.pmr, sched.pnr);
  }

  const tk = new TiledKernel(spec, conv);
  const IN = tk.param.get(input)!, W = tk.param.get(kernel)!;
  // Rows and columns: sizes, and what one step along each adds to the input, weight and output offsets.
  const rowsN = featureMode ? X : O, colsN = featureMode ? O : X;
  const xIn = wx.stride * is[cd.inputSpatial[xs]];
  const row = featureMode ? { inp: xIn, wt: 0, out: os[xDim] } : { inp: 0, wt: ks[cd.kernelOutput], out: os[cd.outputFeature] };
  const col = featureMode ? { inp: 0, wt: ks[cd.kernelOutput], out: 1 } : { inp: xIn, wt: 0, out: 1 };

  // Outer output dims: everything but the row and column dims.
  const outer = od.map((_, d) => d).filter((d) => d !== xDim && d !== cd.outputFeature);
  const nRowTiles = ceilDiv(rowsN, mr);
  const tasks = product(outer.map((d) => od[d])) * nRowTiles;

  const body: Stmt[] = [];
  const tName = tk.kb.fresh('t');
  const t = k.variable(tName);
  const bind = (hint: string, e: Expr): Expr => tk.bind(body, hint, e);
  const rt = bind('rt', k.mod(t, nRowTiles));
  const outerIdx = k.delinear(k.div(t, nRowTiles), outer.map((d) => od[d])).map((e, j) => bind(`o${outer[j]}`, e));
  const pos = new Map<number, Expr>(outer.map((d, j) => [d, outerIdx[j]]));
  const row0 = bind('r0', k.mul(rt, k.int(mr)));
  const batch = pos.get(cd.outputBatch)!;
  const outBase = bind('out_base', outer.reduce((acc, d) => k.add(acc, k.mul(pos.get(d)!, k.int(os[d]))), k.int(0) as Expr));
  // A grouped convolution's row tile reads its group's input features (the kernel's input dim is the group's).
  const groupBase = groups === 1 ? k.int(0) : k.mul(k.div(row0, O / groups), k.int(Cin * is[cd.inputFeature]));
  const inBase = bind('in_base', k.add(k.mul(batch, k.int(is[cd.inputBatch])), groupBase));

  // Reduction dims, outermost first: input features and each window dim, by input stride.
  type Red = { kind: 'c' } | { kind: 'w'; s: number };
  const reds: Red[] = [{ kind: 'c' }, ...win.map((_, s): Red => ({ kind: 'w', s }))];
  const redStride = (r: Red): number => (r.kind === 'c' ? is[cd.inputFeature] : is[cd.inputSpatial[r.s]] * win[r.s].rhsDilate);
  reds.sort((p, q) => redStride(q) - redStride(p));
  const redSize = (r: Red): number => (r.kind === 'c' ? Cin : win[r.s].size);

  /**
   * One register tile at rows r0.., columns c0..: the reduction loop nest around the
   * multiply-adds, then the epilogue. `border` clamps and selects along x.
   */
  const tile = (out: Stmt[], shape: TileShape, r0: Expr, c0: Expr, border: boolean): void => {
    const acc = new RegisterTile(tk, shape);
    acc.declare(out);
    const x0 = featureMode ? r0 : c0;
    const o0 = featureMode ? c0 : r0;
    const vars = new Map<Red, Expr>();
    const names = reds.map((r) => tk.kb.fresh(r.kind === 'c' ? 'ci' : `w${r.s}`));
    // A reduction dim of one position (one input feature, a 1-wide window) is no loop.
    reds.forEach((r, j) => vars.set(r, redSize(r) === 1 ? k.int(0) : k.variable(names[j])));
    const cVar = vars.get(reds.find((r) => r.kind === 'c')!)!;
    const wVar = (s: number): Expr => vars.get(reds.find((r) => r.kind === 'w' && r.s === s)!)!;
    // Input offset at the tile origin (x position x0), without x's window term when bordered.
    const inAt = (x: Expr): Expr => {
      let e = k.add(inBase, k.mul(cVar, k.int(is[cd.inputFeature])));
      for (let s = 0; s < nsp; s++) {
        const w = win[s];
        const o = s === xs ? x : pos.get(cd.outputSpatial[s])!;
        e = k.add(e, k.mul(k.sub(k.add(k.mul(o, k.int(w.stride)), k.mul(wVar(s), k.int(w.rhsDilate))), k.int(w.padLow)), k.int(is[cd.inputSpatial[s]])));
      }
      return e;
    };
    const wAt = (o: Expr): Expr => {
      let e = k.add(k.mul(o, k.int(ks[cd.kernelOutput])), k.mul(cVar, k.int(ks[cd.kernelInput])));
      for (let s = 0; s < nsp; s++) e = k.add(e, k.mul(wVar(s), k.int(ks[cd.kernelSpatial[s]])));
      return e;
    };
    /** The input at output x position `x` (scalar), zero over padding when bordered. */
    const inputAt = (x: Expr): Expr => {
      if (!border) return k.load(IN, inAt(x), 'f32');
      const p = k.sub(k.add(k.mul(x, k.int(wx.stride)), k.mul(wVar(xs), k.int(wx.rhsDilate))), k.int(wx.padLow));
      const clamped = k.min(k.max(p, k.int(0)), k.int(inX - 1));
      const at = k.add(inAt(x), k.mul(k.sub(clamped, p), k.int(is[cd.inputSpatial[xs]])));
      return k.select(k.inRange(p, inX), k.load(IN, at, 'f32'), k.constant('f32', 0));
    };
    const aRow = (r: number): Expr => (featureMode ? inputAt(k.add(x0, k.int(r))) : k.load(W, wAt(k.add(o0, k.int(r))), 'f32'));
    const bCol = (c: number): Expr => {
      const off = acc.colOffset(c);
      if (!acc.isVector(c)) return featureMode ? k.load(W, wAt(k.add(o0, k.int(off))), 'f32') : inputAt(k.add(x0, k.int(off)));
      if (featureMode) {
        const at = wAt(k.add(o0, k.int(off)));
        return ks[cd.kernelOutput] === 1 ? k.load(W, at, 'f32', 4) : k.vector([0, 1, 2, 3].map((l) => k.load(W, k.add(at, k.int(l * ks[cd.kernelOutput])), 'f32')));
      }
      if (!border && col.inp === 1) return k.load(IN, inAt(k.add(x0, k.int(off))), 'f32', 4);
      if (!border && col.inp === 2) return everyOther(IN, inAt(k.add(x0, k.int(off))));
      return k.vector([0, 1, 2, 3].map((l) => inputAt(k.add(x0, k.int(off + l)))));
    };
    const step: Stmt[] = [];
    acc.step(step, Array.from({ length: shape.rows }, (_, r) => aRow(r)), Array.from({ length: shape.groups + shape.tail }, (_, c) => bCol(c)));
    // Loops, innermost first; a window dim over an outer spatial dim skips positions in the padding.
    let stmts = step;
    for (let j = reds.length - 1; j >= 0; j--) {
      const r = reds[j];
      let inner = stmts;
      if (r.kind === 'w' && r.s !== xs) {
        const w = win[r.s], inS = id[cd.inputSpatial[r.s]];
        const p = k.sub(k.add(k.mul(pos.get(cd.outputSpatial[r.s])!, k.int(w.stride)), k.mul(wVar(r.s), k.int(w.rhsDilate))), k.int(w.padLow));
        const [lo, hi] = interior(w, inS, od[cd.outputSpatial[r.s]]);
        if (!(lo === 0 && hi === od[cd.outputSpatial[r.s]])) inner = [k.ifStmt(k.inRange(p, inS), inner)];
      }
      stmts = redSize(r) === 1 ? inner : [k.loop(names[j], 0, redSize(r), inner)];
    }
    out.push(...stmts);
    acc.each((r, c) => {
      const off = acc.colOffset(c);
      const rowPos = k.add(r0, k.int(r)), colPos = k.add(c0, k.int(off));
      const index: Idx[] = od.map((_, d) => fixed(pos.get(d) ?? k.int(0)));
      index[featureMode ? xDim : cd.outputFeature] = fixed(rowPos);
      index[featureMode ? cd.outputFeature : xDim] = { e: colPos, lane: acc.isVector(c) };
      const at = k.add(k.add(outBase, k.mul(rowPos, k.int(row.out))), k.mul(colPos, k.int(col.out)));
      tk.epilogue(out, acc.get(r, c), index, at);
    });
  };

  /** Column tiles of a row tile: full nr tiles (interior ones without checks), then the remainder. */
  const colTiles = (out: Stmt[], rows: number, r0: Expr, rowBorder: boolean): void => {
    const full = Math.floor(colsN / nr), rem = colsN - full * nr;
    const loopOver = (from: number, to: number, border: boolean): void => {
      if (to <= from) return;
      const c = tk.kb.fresh('ct');
      const inner: Stmt[] = [];
      tile(inner, { rows, groups: nr / 4, tail: 0 }, r0, tk.bind(inner, 'c0', k.mul(k.variable(c), k.int(nr))), border);
      out.push(k.loop(c, from, to, inner));
    };
    if (featureMode) loopOver(0, full, rowBorder);
    else {
      // Tiles [tLo, tHi) have every window inside the input along x.
      const tLo = Math.min(full, ceilDiv(xLo, nr)), tHi = Math.max(tLo, Math.min(full, Math.floor(xHi / nr)));
      loopOver(0, tLo, true);
      loopOver(tLo, tHi, false);
      loopOver(tHi, full, true);
    }
    if (rem > 0) {
      // The remainder in vectors, the last one shifted back over the columns before it
      // when rem is not a multiple of 4 (scalars only when all columns are fewer than 4).
      const c0 = full * nr;
      const shape: TileShape = rem % 4 === 0 || colsN < 4 ? { rows, groups: Math.floor(rem / 4), tail: rem % 4 }
        : { rows, groups: Math.ceil(rem / 4), tail: 0, lastAt: rem - 4 };
      const first = shape.lastAt !== undefined ? Math.min(c0, c0 + shape.lastAt) : c0;
      const border = featureMode ? rowBorder : !(first >= xLo && colsN <= xHi);
      tile(out, shape, r0, k.int(c0), border);
    }
  };

  const fullRows: Stmt[] = [];
  if (featureMode && !(xLo === 0 && xHi === X)) {
    // Row tiles along x: interior ones load without checks.
    const inside: Stmt[] = [], edge: Stmt[] = [];
    colTiles(inside, mr, row0, false);
    colTiles(edge, mr, row0, true);
    fullRows.push(k.ifStmt(k.and(k.compare('GE', row0, k.int(xLo)), k.compare('LE', k.add(row0, k.int(mr)), k.int(xHi))), inside, edge));
  } else colTiles(fullRows, mr, row0, false);
  const remRows = rowsN % mr;
  if (remRows === 0) body.push(...fullRows);
  else {
    const last: Stmt[] = [];
    const r0 = k.int(rowsN - remRows);
    colTiles(last, remRows, r0, featureMode && !(rowsN - remRows >= xLo && rowsN <= xHi));
    body.push(...when(k.compare('EQ', rt, k.int(nRowTiles - 1)), last, fullRows));
  }
  return tk.finish([k.loop(tName, 0, tasks, body, 'parallel')], { mr, nr, conv: featureMode ? 2 : 1 });
}

/**
 * A grouped convolution's register tile: the most rows (output features) up to the
 * schedule's that divide a group's features, so no tile straddles two groups, and columns
 * widened to keep the tile's accumulators (depthwise: one row of 4·mr·nr/4 x positions).
 */
function groupedTile(perGroup: number, sched: ConvSchedule): { mr: number; nr: number } {
  let mr = Math.min(sched.mr, perGroup);
  while (perGroup % mr !== 0) mr--;
  return { mr, nr: Math.max(sched.nr, Math.min(MAX_GROUPED_NR, Math.floor((sched.mr * sched.nr) / mr / 4) * 4)) };
}
/** Widest column tile of a grouped convolution's narrow row tiles (x positions). */
const MAX_GROUPED_NR = 16;

/** What the modes need to know about a convolution's dims. */
interface Geometry {
  readonly conv: InstructionOf<'convolution'>;
  readonly cd: InstructionOf<'convolution'>['attrs']['dim_labels'];
  /** Input, kernel and output dims, and their row-major strides. */
  readonly id: readonly number[];
  readonly kd: readonly number[];
  readonly od: readonly number[];
  readonly is: readonly number[];
  readonly ks: readonly number[];
  readonly os: readonly number[];
  readonly win: readonly WindowDim[];
  readonly nsp: number;
}

/** Useful share of the lanes computed along a column dim of n (vectors, the last one overlapping; scalars below 4). */
const colUse = (n: number): number => (n < 4 ? n / 4 : n / (4 * ceilDiv(n, 4)));
/** Useful share of the rows computed for n rows in tiles of t, the last tile overlapping. */
const rowUse = (n: number, t: number): number => (n <= t ? 1 : n / (t * ceilDiv(n, t)));

/**
 * Planar mode needs the output's spatial dims minor and in order (the plane is contiguous),
 * the kernel's output features contiguous, at least one vector of them, and every window
 * inside the input.
 */
function planarApplies(g: Geometry): boolean {
  const { cd, id, od, ks, win, nsp } = g;
  if (cd.outputSpatial.some((d, s) => d !== od.length - nsp + s)) return false;
  if (ks[cd.kernelOutput] !== 1 || od[cd.outputFeature] < 4) return false;
  return win.every((w, s) => {
    const n = od[cd.outputSpatial[s]];
    const [lo, hi] = interior(w, id[cd.inputSpatial[s]], n);
    return lo === 0 && hi === n;
  });
}

/**
 * Planar mode: tasks are (batch, feature tile, position tile), position tiles innermost so
 * that a thread's consecutive tiles reuse one feature tile's weights from cache. A tile is
 * mr positions p0.. of the flattened output plane (each row's input pointer computed from
 * its (y, x)) × nr output features o0..; the last tile of each shifts back to overlap the
 * one before when the size is not a multiple of the tile.
 */
function planarConv(spec: LoopKernelSpec, g: Geometry, mrWanted: number, nrWanted: number): LoweredKernel {
  const { conv, cd, id, kd, od, is, ks, os, win, nsp } = g;
  const [input, kernel] = conv.operands;
  const tk = new TiledKernel(spec, conv);
  const IN = tk.param.get(input)!, W = tk.param.get(kernel)!;
  const spatialOut = cd.outputSpatial.map((d) => od[d]);
  const P = product(spatialOut), O = od[cd.outputFeature], B = od[cd.outputBatch];
  const mr = Math.min(mrWanted, P);
  // Columns: nr features in vectors; fewer features than that in all: the vectors that
  // cover them, the last one overlapping when their count is not a multiple of 4.
  const width = Math.min(nrWanted, O);
  const shape: TileShape = { rows: mr, groups: ceilDiv(width, 4), tail: 0, lastAt: width % 4 === 0 ? undefined : width - 4 };
  const nPT = ceilDiv(P, mr), nFT = ceilDiv(O, width);

  const body: Stmt[] = [];
  const tName = tk.kb.fresh('t');
  const t = k.variable(tName);
  const bind = (hint: string, e: Expr): Expr => tk.bind(body, hint, e);
  const pt = bind('pt', k.mod(t, nPT));
  const ft = bind('ft', k.mod(k.div(t, nPT), nFT));
  const b = bind('b', k.div(t, nPT * nFT));
  const p0 = bind('p0', P % mr === 0 ? k.mul(pt, k.int(mr)) : k.min(k.mul(pt, k.int(mr)), k.int(P - mr)));
  const o0 = bind('o0', O % width === 0 ? k.mul(ft, k.int(width)) : k.min(k.mul(ft, k.int(width)), k.int(O - width)));
  const inBase = bind('in_base', k.mul(b, k.int(is[cd.inputBatch])));
  const outBase = bind('out_base', k.add(k.mul(b, k.int(os[cd.outputBatch])), k.mul(o0, k.int(os[cd.outputFeature]))));
  // Reduction dims, outermost first: fewest trips outermost (ties: larger input stride
  // outer), so the innermost loop is the longest.
  type Red = { kind: 'c' } | { kind: 'w'; s: number };
  const reds: Red[] = [{ kind: 'c' }, ...win.map((_, s): Red => ({ kind: 'w', s }))];
  const size = (r: Red): number => (r.kind === 'c' ? kd[cd.kernelInput] : win[r.s].size);
  const inStride = (r: Red): number => (r.kind === 'c' ? is[cd.inputFeature] : is[cd.inputSpatial[r.s]] * win[r.s].rhsDilate);
  const wStride = (r: Red): number => (r.kind === 'c' ? ks[cd.kernelInput] : ks[cd.kernelSpatial[r.s]]);
  reds.sort((p, q) => size(p) - size(q) || inStride(q) - inStride(p));
  const inputAt = (c: readonly Expr[]): Expr => {
    let e: Expr = inBase;
    for (let s = 0; s < nsp; s++) e = k.add(e, k.mul(k.sub(k.mul(c[s], k.int(win[s].stride)), k.int(win[s].padLow)), k.int(is[cd.inputSpatial[s]])));
    return e;
  };
  const last = nsp - 1, X = spatialOut[last];
  const xStep = win[last].stride * is[cd.inputSpatial[last]];
  const fStride = os[cd.outputFeature];
  const lane = (v: Expr, l: number): Expr => (v.type.lanes === 4 ? k.extract(v, l) : v);
  const blocks = mr < 4 ? [] : Array.from({ length: ceilDiv(mr, 4) }, (_, q) => Math.min(4 * q, mr - 4));

  /** One tile: rows at output coordinates coords[r], reading the input from inRow[r] at window offset 0. */
  const tile = (out: Stmt[], coords: readonly (readonly Expr[])[], inRow: readonly Expr[]): void => {
    const acc = new RegisterTile(tk, shape);
    acc.declare(out);
    const names = reds.map((r) => tk.kb.fresh(r.kind === 'c' ? 'ci' : `w${r.s}`));
    const v = (j: number): Expr => (size(reds[j]) === 1 ? k.int(0) : k.variable(names[j]));
    const inOff = reds.reduce((e, r, j) => k.add(e, k.mul(v(j), k.int(inStride(r)))), k.int(0) as Expr);
    const wOff = reds.reduce((e, r, j) => k.add(e, k.mul(v(j), k.int(wStride(r)))), o0);
    const step: Stmt[] = [];
    acc.step(step,
      inRow.map((row) => k.load(IN, k.add(row, inOff), 'f32')),
      Array.from({ length: shape.groups + shape.tail }, (_, c) => k.load(W, k.add(wOff, k.int(acc.colOffset(c))), 'f32', acc.isVector(c) ? 4 : 1)));
    let stmts = step;
    for (let j = reds.length - 1; j >= 0; j--) if (size(reds[j]) > 1) stmts = [k.loop(names[j], 0, size(reds[j]), stmts)];
    out.push(...stmts);
    // Epilogue per accumulator (lanes along the output features), then the transposed
    // store: per feature, each block of 4 rows (the last block shifted back to overlap) as
    // one vector at 4 consecutive positions; fewer than 4 rows go out one by one.
    const values: Expr[][] = Array.from({ length: mr }, () => []);
    acc.each((r, c) => {
      const index: Idx[] = od.map(() => fixed(k.int(0)));
      index[cd.outputBatch] = fixed(b);
      index[cd.outputFeature] = { e: k.add(o0, k.int(acc.colOffset(c))), lane: acc.isVector(c) };
      cd.outputSpatial.forEach((d, s) => { index[d] = fixed(coords[r][s]); });
      values[r][c] = tk.bind(out, `v${r}_${c}`, tk.result(out, acc.get(r, c), index));
    });
    for (let c = 0; c < shape.groups + shape.tail; c++) {
      for (let l = 0; l < (acc.isVector(c) ? 4 : 1); l++) {
        const at = (r: number): Expr => k.add(k.add(outBase, k.int((acc.colOffset(c) + l) * fStride + r)), p0);
        if (mr < 4) for (let r = 0; r < mr; r++) out.push(k.store(tk.out, at(r), lane(values[r][c], l)));
        else for (const q of blocks) out.push(k.store(tk.out, at(q), k.vector([0, 1, 2, 3].map((i) => lane(values[q + i][c], l)))));
      }
    }
  };

  // Rows within one output row (x0 + mr <= X) read the input at constant distances from the
  // first row's pointer (immediate load offsets); a tile that wraps to the next output row
  // gets a pointer per row. Tiles never wrap when X is a multiple of mr or the plane is one row.
  const c0 = k.delinear(p0, spatialOut).map((e, s) => bind(`pos${s}`, e));
  const straight: Stmt[] = [];
  const in0 = tk.bind(straight, 'in_row', inputAt(c0));
  tile(straight,
    Array.from({ length: mr }, (_, r) => c0.map((e, s) => (s === last ? k.add(e, k.int(r)) : e))),
    Array.from({ length: mr }, (_, r) => k.add(in0, k.int(r * xStep))));
  if (X % mr === 0 || nsp === 1) body.push(...straight);
  else {
    const wrapped: Stmt[] = [];
    const coords = Array.from({ length: mr }, (_, r) => k.delinear(k.add(p0, k.int(r)), spatialOut).map((e, s) => tk.bind(wrapped, `y${r}_${s}`, e)));
    const inRow = coords.map((c, r) => tk.bind(wrapped, `in_row${r}`, inputAt(c)));
    tile(wrapped, coords, inRow);
    body.push(k.ifStmt(k.compare('LE', k.add(c0[last], k.int(mr)), k.int(X)), straight, wrapped));
  }
  return tk.finish([k.loop(tName, 0, B * nFT * nPT, body, 'parallel')], { mr, nr: width, conv: 3 });
}
