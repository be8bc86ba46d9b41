// The GPU GEMM both gpu_dot.ts and gpu_conv.ts (implicit GEMM) are: one workgroup per
// tileM × tileN tile of C (grid x over N tiles, y over M tiles, z over the batch), K in
// steps of tileK staged through two workgroup arrays (an A tile, m-major, and a B tile,
// k-major) between barriers. Invocation (tx, ty) of a (tileN/RN) × (tileM/RM) workgroup
// keeps an RM × RN register block of scalar accumulators: rows ty + gy·r and columns
// tx + gx·c, strided so that neighbouring invocations read neighbouring workgroup words
// and store neighbouring outputs. Edges (sizes that are not multiples of the tile, and
// whatever the form says is outside, e.g. a convolution's padding) load zeros and skip
// the store; the fused epilogue (kOutput fusion) is computed from each accumulator before
// its store, as the CPU templates do (tiled_common.ts).
import * as k from '../../ir/kernel/build.js';
import type { Expr, Grid, Stmt } from '../../ir/kernel/kernel.js';
import type { GpuSchedule } from '../../ir/target.js';
import type { Idx } from './emitter.js';
import { barrier, cooperative, gridFits, guardedStore, lessThan, withGrid, workgroupArray } from './gpu_tile.js';
import type { LoweredKernel } from './loop_kernel.js';
import { ceilDiv, roundUp, type TiledKernel, when } from './tiled_common.js';

/** Register block per invocation: RM rows × RN columns. */
export const RM = 4, RN = 4;

/** One element a tile stages: loaded when `ok` (besides row < M and k < K), else zero. */
export interface Access {
  readonly ok: Expr;
  readonly at: Expr;
}

/** What one workgroup reads and writes, given the batch index `bl` (let-bound). */
export interface GemmAccess {
  a(row: Expr, kk: Expr): Access;
  b(kk: Expr, col: Expr): Access;
  /** The output's multi-index (for the epilogue) and buffer index of C[row][col]. */
  out(row: Expr, col: Expr): { index: Idx[]; at: Expr };
}

/** C[bl][m][n] = Σ_k A[bl][m][k] · B[bl][k][n], over buffer parameters A and B. */
export interface GemmForm {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly batch: number;
  readonly A: number;
  readonly B: number;
  /** Index maps; `bind` let-binds a value once per invocation (batch offsets). */
  access(bind: (hint: string, e: Expr) => Expr, bl: Expr): GemmAccess;
}

export interface GpuGemmTile {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileK: number;
}

/** The schedule's tile, shrunk to the matrix where it is smaller (a matrix-vector product keeps 4 rows, not 32). */
export function gpuGemmTile(f: Pick<GemmForm, 'M' | 'N' | 'K'>, s: GpuSchedule): GpuGemmTile {
  return {
    tileM: Math.min(s.dot.tileM, roundUp(f.M, RM)),
    tileN: Math.min(s.dot.tileN, roundUp(f.N, RN)),
    tileK: Math.min(s.dot.tileK, f.K),
  };
}

/** The GEMM's grid kernel, or undefined where the target's limits do not fit it. */
export function gpuGemm(tk: TiledKernel, f: GemmForm, s: GpuSchedule): LoweredKernel | undefined {
  if (f.K === 0 || f.M === 0 || f.N === 0) return undefined;
  const t = gpuGemmTile(f, s);
  if (t.tileM % RM !== 0 || t.tileN % RN !== 0) return undefined;
  const gx = t.tileN / RN, gy = t.tileM / RM;
  const grid: Grid = { size: [gx, gy, 1], workgroups: [ceilDiv(f.N, t.tileN), ceilDiv(f.M, t.tileM), f.batch] };
  if (!gridFits(tk.spec.target, grid, 4 * t.tileK * (t.tileM + t.tileN))) return undefined;
  const body = new GemmBody(tk, f, t, gx, gy).build();
  return withGrid(tk.finish(body, { ...t, rm: RM, rn: RN, gpu: 1 }), grid);
}

/** Builds one invocation's statements. */
class GemmBody {
  private readonly out: Stmt[] = [];
  private readonly as: string;
  private readonly bs: string;

  constructor(private readonly tk: TiledKernel, private readonly f: GemmForm, private readonly t: GpuGemmTile, private readonly gx: number, private readonly gy: number) {
    this.as = tk.kb.fresh('a_tile');
    this.bs = tk.kb.fresh('b_tile');
  }

  private bind = (hint: string, e: Expr): Expr => this.tk.bind(this.out, hint, e);

  build(): Stmt[] {
    const { f, t, gx } = this;
    this.out.push(workgroupArray(this.as, t.tileM * t.tileK), workgroupArray(this.bs, t.tileK * t.tileN));
    const tx = this.bind('tx', k.localId(0)), ty = this.bind('ty', k.localId(1));
    const lid = this.bind('lid', k.add(k.mul(ty, k.int(gx)), tx));
    const m0 = this.bind('m0', k.mul(k.workgroupId(1), k.int(t.tileM)));
    const n0 = this.bind('n0', k.mul(k.workgroupId(0), k.int(t.tileN)));
    const access = f.access(this.bind, this.bind('bl', k.workgroupId(2)));
    const acc = Array.from({ length: RM }, (_, r) => Array.from({ length: RN }, (_, c) => this.tk.kb.fresh(`acc${r}_${c}`)));
    for (const row of acc) for (const a of row) this.out.push(k.letStmt(a, k.constant('f32', 0)));

    const k0n = this.tk.kb.fresh('k0');
    const step: Stmt[] = [];
    this.stage(step, access, k.variable(k0n), lid, m0, n0);
    step.push(barrier);
    this.multiply(step, acc, tx, ty);
    // The next step's staging overwrites the tiles every invocation is still reading.
    step.push(barrier);
    this.out.push(k.loop(k0n, 0, f.K, step, 'serial', t.tileK));
    this.store(access, acc, tx, ty, m0, n0);
    return this.out;
  }

  /** Copies A[m0.., k0..] and B[k0.., n0..] into the workgroup tiles, zeros outside. */
  private stage(out: Stmt[], access: GemmAccess, k0: Expr, lid: Expr, m0: Expr, n0: Expr): void {
    const { f, t } = this;
    const threads = this.gx * this.gy;
    const inside = (i: Expr, n: number, tile: number): Expr => (n % tile === 0 ? k.constant('pred', 1) : lessThan(i, n));
    cooperative(out, lid, threads, t.tileM * t.tileK, this.tk.kb.fresh('ea'), (e, into) => {
      const row = k.add(m0, k.div(e, t.tileK)), kk = k.add(k0, k.mod(e, t.tileK));
      const a = access.a(row, kk);
      const ok = k.and(k.and(inside(row, f.M, t.tileM), inside(kk, f.K, t.tileK)), a.ok);
      into.push(...guardedStore(this.as, e, ok, () => k.load(f.A, a.at, 'f32')));
    });
    cooperative(out, lid, threads, t.tileK * t.tileN, this.tk.kb.fresh('eb'), (e, into) => {
      const kk = k.add(k0, k.div(e, t.tileN)), col = k.add(n0, k.mod(e, t.tileN));
      const b = access.b(kk, col);
      const ok = k.and(k.and(inside(col, f.N, t.tileN), inside(kk, f.K, t.tileK)), b.ok);
      into.push(...guardedStore(this.bs, e, ok, () => k.load(f.B, b.at, 'f32')));
    });
  }

  /** acc[r][c] += A_tile[ty + gy·r][kk] · B_tile[kk][tx + gx·c] over the tile's k, unrolled. */
  private multiply(out: Stmt[], acc: string[][], tx: Expr, ty: Expr): void {
    const { t, gx, gy } = this;
    const aRow = Array.from({ length: RM }, (_, r) => this.tk.bind(out, `a_row${r}`, k.mul(k.add(ty, k.int(gy * r)), k.int(t.tileK))));
    for (let kk = 0; kk < t.tileK; kk++) {
      const a = aRow.map((ar, r) => this.tk.bind(out, `a${r}`, k.local(this.as, k.add(ar, k.int(kk)), 'f32')));
      const b = Array.from({ length: RN }, (_, c) => this.tk.bind(out, `b${c}`, k.local(this.bs, k.add(tx, k.int(kk * t.tileN + gx * c)), 'f32')));
      for (let r = 0; r < RM; r++) for (let c = 0; c < RN; c++) out.push(k.assign(acc[r][c], k.muladd(a[r], b[c], k.variable(acc[r][c], k.F32))));
    }
  }

  /** The epilogue at each of the block's outputs inside C. */
  private store(access: GemmAccess, acc: string[][], tx: Expr, ty: Expr, m0: Expr, n0: Expr): void {
    const { f, t, gx, gy } = this;
    for (let r = 0; r < RM; r++) {
      const row = this.bind(`row${r}`, k.add(m0, k.add(ty, k.int(gy * r))));
      for (let c = 0; c < RN; c++) {
        const col = this.bind(`col${r}_${c}`, k.add(n0, k.add(tx, k.int(gx * c))));
        const ok = k.and(f.M % t.tileM === 0 ? k.constant('pred', 1) : lessThan(row, f.M), f.N % t.tileN === 0 ? k.constant('pred', 1) : lessThan(col, f.N));
        const st: Stmt[] = [];
        const o = access.out(row, col);
        this.tk.epilogue(st, k.variable(acc[r][c], k.F32), o.index, o.at);
        this.out.push(...when(ok, st));
      }
    }
  }
}
