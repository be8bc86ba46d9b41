// The tiled dot (GotoBLAS/BLIS loop nest): a parallel loop over tasks (batch × blocks
// of mc rows × blocks of nc columns); in each, K is cut into blocks of kc, the kc × nc
// block of B is packed into a private panel array (nr columns per panel, k-major), and
// an mr × nr register tile walks the rows and panels: per k, nr/4 vector loads of B,
// mr splatted scalars of A, mr·nr/4 multiply-adds into accumulators. Row and column
// remainders get a narrower tile (fewer rows; fewer vectors and scalar tail columns), so
// nothing is read or written out of bounds. When K spans several blocks the partial
// sums go through the output buffer and the epilogue runs after the last block.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import { product, type ArrayShape } from '../../ir/shape.js';
import type { CpuSchedule, DotSchedule } from '../../ir/target.js';
import { fixed, type Idx } from './emitter.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { ceilDiv, RegisterTile, roundUp, TiledKernel, when, type TileShape } from './tiled_common.js';

/** A dot as strided matrices: C[b][m][n] = Σ_k A[b][m][k] · B[b][k][n]. */
export interface DotForm {
  /** Batch dim sizes (the output's leading dims). */
  readonly batch: readonly number[];
  /** Per batch dim, its element stride in A and in B. */
  readonly aBatch: readonly number[];
  readonly bBatch: readonly number[];
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly sAm: number;
  readonly sAk: number;
  readonly sBk: number;
  readonly sBn: number;
  /** The output has an M dim (the lhs has a free dim). */
  readonly hasM: boolean;
}

/** What a dot reads of a CPU schedule: the tile defaults and the K block of a streamed B. */
export type DotDefaults = Pick<CpuSchedule, 'dot' | 'gemvKc'>;

/**
 * The target's dot schedule (`cpu.dot`) fitted to one dot: cache blocks no larger than
 * the matrices, rounded to whole register tiles.
 *
 * When M fits one row tile (a matrix-vector product, batch-1 layers) B is read once, so
 * it is read in place: a packed panel pays off by serving every row tile, and with one it
 * only copies B before reading it again (LeNet batch 1's 3136 × 1024 layer: 4.2 -> 2.2
 * ms). With B's rows contiguous, short K blocks across all of N then read it as
 * `cpu.gemvKc` rows streaming in order, where kc = 256 down 8-column panels jumped a row
 * (4 KiB) per load (same layer: 2.2 -> 0.9 ms). The cost: one parallel task, so one
 * thread, for it.
 */
export function dotSchedule(f: DotForm, cpu: DotDefaults): DotSchedule {
  const d = cpu.dot;
  const oneRowTile = f.M <= d.mr;
  const streamRows = oneRowTile && f.sBn === 1;
  return {
    mr: d.mr, nr: d.nr,
    mc: Math.min(roundUp(d.mc, d.mr), roundUp(f.M, d.mr)),
    kc: Math.min(streamRows ? cpu.gemvKc : d.kc, f.K),
    nc: streamRows ? roundUp(f.N, d.nr) : Math.min(roundUp(d.nc, d.nr), roundUp(f.N, d.nr)),
    pack: oneRowTile ? 0 : d.pack,
  };
}

const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let d = dims.length - 1; d >= 0; d--) { s[d] = acc; acc *= dims[d]; }
  return s;
}

/** The strided form of a dot with one contracting dim, at most one free dim on the lhs and exactly one on the rhs. */
export function dotForm(dot: InstructionOf<'dot'>): DotForm | undefined {
  const [lhs, rhs] = dot.operands;
  const a = dot.attrs;
  const lb = a.lhs_batch_dims ?? [], lc = a.lhs_contracting_dims ?? [], rb = a.rhs_batch_dims ?? [], rc = a.rhs_contracting_dims ?? [];
  if (lc.length !== 1 || rc.length !== 1 || lb.length !== rb.length) return undefined;
  const ld = dimsOf(lhs), rd = dimsOf(rhs);
  const ls = strides(ld), rs = strides(rd);
  const lFree = ld.map((_, d) => d).filter((d) => !lb.includes(d) && !lc.includes(d));
  const rFree = rd.map((_, d) => d).filter((d) => !rb.includes(d) && !rc.includes(d));
  if (lFree.length > 1 || rFree.length !== 1) return undefined;
  const hasM = lFree.length === 1;
  return {
    batch: lb.map((d) => ld[d]),
    aBatch: lb.map((d) => ls[d]),
    bBatch: rb.map((d) => rs[d]),
    M: hasM ? ld[lFree[0]] : 1,
    N: rd[rFree[0]],
    K: ld[lc[0]],
    sAm: hasM ? ls[lFree[0]] : 0,
    sAk: ls[lc[0]],
    sBk: rs[rc[0]],
    sBn: rs[rFree[0]],
    hasM,
  };
}

/** Where a K block sits: continuing earlier partial sums, and/or the last one. */
interface BlockPlace {
  readonly reload: boolean;
  readonly final: boolean;
}

/** The dot's tiled kernel under the target's CPU schedule, or undefined where its form does not fit. */
export function tiledDot(spec: LoopKernelSpec, dot: InstructionOf<'dot'>, cpu: DotDefaults): LoweredKernel | undefined {
  const f = dotForm(dot);
  if (!f || f.K === 0 || f.M === 0 || f.N === 0) return undefined;
  const s = dotSchedule(f, cpu);
  if (s.nr % 4 !== 0 || s.mr < 1) return undefined;
  const tk = new TiledKernel(spec, dot);
  const A = tk.param.get(dot.operands[0])!, B = tk.param.get(dot.operands[1])!;
  const { M, N, K, mr, nr, mc, kc, nc } = { ...f, ...s };
  const nb = product(f.batch), nI = ceilDiv(M, mc), nJ = ceilDiv(N, nc);
  const Mfull = M - (M % mr), Nfull = N - (N % nr);
  const blocked = K > kc;
  const pack = s.pack !== 0;

  const body: Stmt[] = [];
  const tName = tk.kb.fresh('t');
  const t = k.variable(tName);
  if (blocked) tk.readsOutput();
  const bind = (hint: string, e: Expr): Expr => tk.bind(body, hint, e);
  const jb = bind('jb', k.mod(t, nJ));
  const ib = bind('ib', k.mod(k.div(t, nJ), nI));
  const bl = bind('bl', k.div(t, nJ * nI));
  const bIdx = k.delinear(bl, f.batch).map((e, d) => bind(`bi${d}`, e));
  const aBase = bind('a_base', bIdx.reduce((acc, e, d) => k.add(acc, k.mul(e, k.int(f.aBatch[d]))), k.int(0) as Expr));
  const bBase = bind('b_base', bIdx.reduce((acc, e, d) => k.add(acc, k.mul(e, k.int(f.bBatch[d]))), k.int(0) as Expr));
  const cBase = bind('c_base', k.mul(bl, k.int(M * N)));
  const i0 = bind('i0', k.mul(ib, k.int(mc)));
  const j0 = bind('j0', k.mul(jb, k.int(nc)));
  const iFullEnd = bind('i_end', k.min(k.add(i0, k.int(mc)), k.int(Mfull)));
  const panels = bind('panels', k.div(k.sub(k.min(k.add(j0, k.int(nc)), k.int(Nfull)), j0), nr));
  const bp = tk.kb.fresh('bp');
  if (pack) body.push({ k: 'array', name: bp, type: 'f32', size: kc * nc, scope: 'private' });

  const edgeCols = N - Nfull;
  const edgeShape = (rows: number): TileShape => ({ rows, groups: Math.floor(edgeCols / 4), tail: edgeCols % 4 });
  /** Panel index of the column remainder, in the last column block. */
  const edgePanel = (Nfull - (nJ - 1) * nc) / nr;

  /**
   * The k range of one block: pc (its first k, an expression) and its length (kLen,
   * an expression; a constant when there is one block), and where it sits among the
   * blocks: whether it continues partial sums (`reload`) and whether it is the last
   * (`final`, which runs the epilogue). Static, so that no branch sits in the tile loop.
   */
  const block = (pc: Expr, kLen: Expr, out: Stmt[], at: BlockPlace): void => {
    if (pack) packB(out, pc, kLen);
    const rowTiles = (rows: number, i: Expr, into: Stmt[]): void => {
      const aRow = Array.from({ length: rows }, (_, r) => tk.bind(into, `a_row${r}`, k.add(k.add(aBase, k.mul(k.add(i, k.int(r)), k.int(f.sAm))), k.mul(pc, k.int(f.sAk)))));
      const p = tk.kb.fresh('p');
      const pv = k.variable(p);
      const full: Stmt[] = [];
      tile(full, { rows, groups: nr / 4, tail: 0 }, i, aRow, pv, pc, kLen, at);
      into.push(k.loop(p, 0, panels, full));
      if (edgeCols > 0) {
        const edge: Stmt[] = [];
        tile(edge, edgeShape(rows), i, aRow, k.int(edgePanel), pc, kLen, at);
        into.push(...when(k.compare('EQ', jb, k.int(nJ - 1)), edge));
      }
    };
    const iv = tk.kb.fresh('i');
    const rowBody: Stmt[] = [];
    rowTiles(mr, k.variable(iv), rowBody);
    out.push(k.loop(iv, i0, iFullEnd, rowBody, 'serial', mr));
    if (M > Mfull) {
      const rem: Stmt[] = [];
      rowTiles(M - Mfull, k.int(Mfull), rem);
      out.push(...when(k.compare('EQ', ib, k.int(nI - 1)), rem));
    }
  };

  /** Copies B[pc..pc+kLen][j0..] into bp: panel p, row kk, column c at (p·kc + kk)·nr + c. */
  const packB = (out: Stmt[], pc: Expr, kLen: Expr): void => {
    const kk = tk.kb.fresh('kk');
    const kv = k.variable(kk);
    const rowStmts: Stmt[] = [];
    const src = tk.bind(rowStmts, 'src', k.add(k.add(bBase, k.mul(k.add(pc, kv), k.int(f.sBk))), k.mul(j0, k.int(f.sBn))));
    const copy = (into: Stmt[], panel: Expr, cols: number): void => {
      const dst = tk.bind(into, 'dst', k.add(k.mul(panel, k.int(kc * nr)), k.mul(kv, k.int(nr))));
      const from = tk.bind(into, 'from', k.add(src, k.mul(panel, k.int(nr * f.sBn))));
      const vecs = f.sBn === 1 ? Math.floor(cols / 4) : 0;
      for (let g = 0; g < vecs; g++)
        into.push({ k: 'localStore', array: bp, index: k.add(dst, k.int(4 * g)), value: k.load(B, k.add(from, k.int(4 * g)), 'f32', 4) });
      for (let c = 4 * vecs; c < cols; c++)
        into.push({ k: 'localStore', array: bp, index: k.add(dst, k.int(c)), value: k.load(B, k.add(from, k.int(c * f.sBn)), 'f32') });
    };
    const p = tk.kb.fresh('pp');
    const full: Stmt[] = [];
    copy(full, k.variable(p), nr);
    rowStmts.push(k.loop(p, 0, panels, full));
    if (edgeCols > 0) {
      const edge: Stmt[] = [];
      copy(edge, k.int(edgePanel), edgeCols);
      rowStmts.push(...when(k.compare('EQ', jb, k.int(nJ - 1)), edge));
    }
    out.push(k.loop(kk, 0, kLen, rowStmts));
  };

  /** One register tile at rows i.., panel p (columns j0 + p·nr ..), over the block's k range. */
  const tile = (out: Stmt[], shape: TileShape, i: Expr, aRow: Expr[], p: Expr, pc: Expr, kLen: Expr, at: BlockPlace): void => {
    const acc = new RegisterTile(tk, shape);
    const j = tk.bind(out, 'j', k.add(j0, k.mul(p, k.int(nr))));
    const cRow = Array.from({ length: shape.rows }, (_, r) => tk.bind(out, `c_row${r}`, k.add(k.add(cBase, k.mul(k.add(i, k.int(r)), k.int(N))), j)));
    acc.declare(out);
    // Later K blocks continue from the partial sums the earlier ones stored.
    if (at.reload) acc.each((r, c) => out.push(acc.set(r, c, k.load(tk.out, k.add(cRow[r], k.int(acc.colOffset(c))), 'f32', acc.isVector(c) ? 4 : 1))));
    const kk = tk.kb.fresh('k');
    const kv = k.variable(kk);
    const step: Stmt[] = [];
    const bCol = pack ? tk.bind(out, 'b_panel', k.mul(p, k.int(kc * nr))) : tk.bind(out, 'b_col', k.add(k.add(bBase, k.mul(pc, k.int(f.sBk))), k.mul(j, k.int(f.sBn))));
    const bAt = (c: number): Expr => {
      const off = acc.colOffset(c);
      const lanes = acc.isVector(c) ? 4 : 1;
      if (pack) return k.local(bp, k.add(k.add(bCol, k.mul(kv, k.int(nr))), k.int(off)), 'f32', lanes);
      const at = k.add(k.add(bCol, k.mul(kv, k.int(f.sBk))), k.int(off * f.sBn));
      if (lanes === 1 || f.sBn === 1) return k.load(B, at, 'f32', lanes);
      return k.vector([0, 1, 2, 3].map((l) => k.load(B, k.add(at, k.int(l * f.sBn)), 'f32')));
    };
    const cols = shape.groups + shape.tail;
    acc.step(step,
      aRow.map((ar) => k.load(A, k.add(ar, k.mul(kv, k.int(f.sAk))), 'f32')),
      Array.from({ length: cols }, (_, c) => bAt(c)));
    out.push(k.loop(kk, 0, kLen, step));

    const finish = (into: Stmt[]): void =>
      acc.each((r, c) => {
        const col = k.add(j, k.int(acc.colOffset(c)));
        const index: Idx[] = [...bIdx.map(fixed), ...(f.hasM ? [fixed(k.add(i, k.int(r)))] : []), { e: col, lane: acc.isVector(c) }];
        tk.epilogue(into, acc.get(r, c), index, k.add(cRow[r], k.int(acc.colOffset(c))));
      });
    if (at.final) finish(out);
    else acc.each((r, c) => out.push(k.store(tk.out, k.add(cRow[r], k.int(acc.colOffset(c))), acc.get(r, c))));
  };

  if (!blocked) block(k.int(0), k.int(K), body, { reload: false, final: true });
  else {
    // The first block starts the sums, the last runs the epilogue, and the ones between
    // (a loop, when there are any) carry partial sums through the output.
    const lastStart = Math.floor((K - 1) / kc) * kc;
    block(k.int(0), k.int(kc), body, { reload: false, final: false });
    if (lastStart > kc) {
      const pc = tk.kb.fresh('pc');
      const inner: Stmt[] = [];
      block(k.variable(pc), k.int(kc), inner, { reload: true, final: false });
      body.push(k.loop(pc, kc, lastStart, inner, 'serial', kc));
    }
    block(k.int(lastStart), k.int(K - lastStart), body, { reload: true, final: true });
  }
  return tk.finish([k.loop(tName, 0, nb * nI * nJ, body, 'parallel')], { ...s, mc, kc, nc });
}
