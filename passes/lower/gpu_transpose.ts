// The GPU transpose: a kernel whose root transposes its input's minor dim away (a copy or
// transpose fusion) goes through a workgroup tile, so that both its reads and its writes
// are contiguous runs across neighbouring invocations. Output dim q is the input's minor
// dim; the output's minor dim is another input dim. A workgroup moves a T × T block of
// (q, minor): 32 × 8 invocations read it along the input's minor dim into a T × (T + 1)
// tile (the padding column puts a column's words in different banks) and write it along
// the output's. The other output dims run over grid z.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Grid, Stmt } from '../../ir/kernel/kernel.js';
import type { InstructionOf } from '../../ir/module.js';
import { product } from '../../ir/shape.js';
import { barrier, gridFits, withGrid, workgroupArray } from './gpu_tile.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { ceilDiv, TiledKernel, when } from './tiled_common.js';
import { computeType } from './types.js';

/** Tile side, and invocation rows per workgroup (each moves T / ROWS elements). */
const T = 32, ROWS = 8;
const WORD_TYPES = new Set(['f32', 's32', 'u32']);

/** The transpose's grid kernel, or undefined where the kernel is not a minor-dim transpose of an input. */
export function gpuTranspose(spec: LoopKernelSpec): LoweredKernel | undefined {
  if (spec.root.opcode !== 'transpose') return undefined;
  const tr = spec.root as InstructionOf<'transpose'>;
  const src = tr.operands[0];
  const od = spec.outputs[0].shape.dims, n = od.length;
  const perm = tr.attrs.dimensions;
  if (!spec.inputs.has(src) || src.shape.kind !== 'array' || n < 2 || perm[n - 1] === n - 1) return undefined;
  const dtype = spec.outputs[0].shape.dtype;
  if (!WORD_TYPES.has(dtype) || src.shape.dtype !== dtype) return undefined;
  const q = perm.indexOf(n - 1);
  const others = od.map((_, d) => d).filter((d) => d !== q && d !== n - 1);
  const grid: Grid = { size: [T, ROWS, 1], workgroups: [ceilDiv(od[n - 1], T), ceilDiv(od[q], T), product(others.map((d) => od[d]))] };
  if (!gridFits(spec.target, grid, 4 * T * (T + 1))) return undefined;
  const tk = new TiledKernel(spec, tr);
  return withGrid(tk.finish(body(tk, tk.param.get(src)!, src.shape.dims, od, perm, q, others), { tile: T, gpu: 1 }), grid);
}

function body(tk: TiledKernel, inBuf: number, id: readonly number[], od: readonly number[], perm: readonly number[], q: number, others: number[]): Stmt[] {
  const out: Stmt[] = [];
  const n = od.length;
  const bind = (hint: string, e: Expr): Expr => tk.bind(out, hint, e);
  const scalar = computeType(tk.spec.outputs[0].shape.dtype);
  const tile = tk.kb.fresh('tile');
  out.push(workgroupArray(tile, T * (T + 1), scalar));
  const tx = bind('tx', k.localId(0)), ty = bind('ty', k.localId(1));
  const n0 = bind('n0', k.mul(k.workgroupId(0), k.int(T)));
  const q0 = bind('q0', k.mul(k.workgroupId(1), k.int(T)));
  const rest = k.delinear(k.workgroupId(2), others.map((d) => od[d])).map((e, i) => bind(`o${i}`, e));
  /** The output multi-index with (q, minor) = (qi, ni). */
  const outIndex = (qi: Expr, ni: Expr): Expr[] => od.map((_, d) => (d === q ? qi : d === n - 1 ? ni : rest[others.indexOf(d)]));
  const inBounds = (qi: Expr, ni: Expr): Expr => k.and(k.compare('LT', qi, k.int(od[q])), k.compare('LT', ni, k.int(od[n - 1])));
  for (let j = 0; j < T; j += ROWS) {
    // Read: invocations along x take neighbouring elements of the input's minor dim (output dim q).
    const qi = k.add(q0, tx), ni = k.add(n0, k.add(ty, k.int(j)));
    const o = outIndex(qi, ni);
    const at = k.linear(id.map((_, d) => o[perm.indexOf(d)]), id);
    out.push(...when(inBounds(qi, ni), [{ k: 'localStore', array: tile, index: k.add(k.mul(k.add(ty, k.int(j)), k.int(T + 1)), tx), value: k.load(inBuf, at, scalar) }]));
  }
  out.push(barrier);
  for (let j = 0; j < T; j += ROWS) {
    // Write: invocations along x take neighbouring elements of the output's minor dim.
    const qi = k.add(q0, k.add(ty, k.int(j))), ni = k.add(n0, tx);
    const value = k.local(tile, k.add(k.mul(tx, k.int(T + 1)), k.add(ty, k.int(j))), scalar);
    out.push(...when(inBounds(qi, ni), [k.store(tk.out, k.linear(outIndex(qi, ni), od), value)]));
  }
  return out;
}
