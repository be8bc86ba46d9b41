// gather and scatter, with XLA's full dimension numbers (batching dims included).
// gather clamps each start index so its slice stays in bounds; scatter skips an update
// window entirely when any part of it would fall outside the operand.
import { tupleLiteral, type ArrayLiteral, type Literal } from '../literal.js';
import type { InstructionOf } from '../module.js';
import { leaves } from '../shape.js';
import { combiner } from './apply.js';
import { alloc, arr, clampInt, fail, indexAt, otherDims, product, put, stridedCopy, strides, type Ctx } from './util.js';
import { decode } from './window.js';
import type { Scalar } from '../scalar/value.js';

/** How batch coordinates G (over indices dims other than index_vector_dim) find start vectors. */
interface IndexReader {
  /** Dims of `indices` that are batch dims, in order (index_vector_dim removed). */
  batchDims: number[];
  /** Offset of the start vector for batch coordinates G. */
  base(G: Int32Array): number;
  /** Stride between components of a start vector (0 when the vector dim is implicit). */
  step: number;
  /** Number of components. */
  length: number;
}

function indexReader(indices: ArrayLiteral, ivd: number): IndexReader {
  const dims = indices.shape.dims, st = strides(dims);
  const batchDims = otherDims(dims.length, [ivd]);
  return {
    batchDims,
    base: (G) => batchDims.reduce((acc, d, k) => acc + G[k] * st[d], 0),
    step: ivd < dims.length ? st[ivd] : 0,
    length: ivd < dims.length ? dims[ivd] : 1,
  };
}

/**
 * Full operand start index for batch coordinates G: components mapped by indexMap (exact
 * values in a Float64Array: an s64 or u32 index beyond 2^31 is out of range, not wrapped), and
 * each operand batching dim taken from G at the matching indices batching dim.
 */
function startOf(
  indices: ArrayLiteral, rd: IndexReader, G: Int32Array, indexMap: readonly number[],
  operandBatching: readonly number[], indicesBatching: readonly number[], out: Float64Array,
): void {
  out.fill(0);
  const base = rd.base(G);
  for (let k = 0; k < indexMap.length; k++) out[indexMap[k]] = indexAt(indices, base + k * rd.step);
  for (let i = 0; i < operandBatching.length; i++) out[operandBatching[i]] = G[rd.batchDims.indexOf(indicesBatching[i])];
}

export function evalGather(instr: InstructionOf<'gather'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]), indices = arr(instr, ops[1], 'start indices');
  const out = leaves(instr.shape)[0];
  const a = instr.attrs;
  const collapsed = a.collapsed_slice_dims ?? [], obd = a.operand_batching_dims ?? [], sbd = a.start_indices_batching_dims ?? [];
  const D = x.shape.dims, r = D.length, sizes = a.slice_sizes;
  const rd = indexReader(indices, a.index_vector_dim);
  if (rd.length !== a.start_index_map.length) fail(instr, `index vectors have ${rd.length} components, start_index_map ${a.start_index_map.length}`);
  const outStr = strides(out.dims), xStr = strides(D);
  const batchDims = otherDims(out.dims.length, a.offset_dims);
  const offsetOperandDims = otherDims(r, [...collapsed, ...obd]);
  if (offsetOperandDims.length !== a.offset_dims.length) fail(instr, 'offset_dims do not match the uncollapsed operand dims');
  // Destination stride of each operand dim in the slice (collapsed and batching dims have size 1).
  const dstStr = D.map((_, d) => {
    const k = offsetOperandDims.indexOf(d);
    return k < 0 ? 0 : outStr[a.offset_dims[k]];
  });
  if (batchDims.length !== rd.batchDims.length) fail(instr, `result has ${batchDims.length} batch dims, indices ${rd.batchDims.length}`);
  const batchSizes = batchDims.map((d) => out.dims[d]);
  const G = new Int32Array(batchSizes.length), start = new Float64Array(r);
  const data = alloc(out.dtype, product(out.dims));
  const nB = product(batchSizes);
  for (let b = 0; b < nB; b++) {
    decode(b, batchSizes, G);
    startOf(indices, rd, G, a.start_index_map, obd, sbd, start);
    let src = 0, dst = 0;
    for (let d = 0; d < r; d++) src += clampInt(start[d], 0, D[d] - sizes[d]) * xStr[d];
    for (let k = 0; k < batchDims.length; k++) dst += G[k] * outStr[batchDims[k]];
    stridedCopy(sizes, x.data, src, xStr, data, dst, dstStr);
  }
  return { shape: out, data };
}

/**
 * Updates are applied in order: scatter indices row-major, then each window row-major,
 * out[j][I] ← to_apply(out_0[I]..out_{N-1}[I], upd_0[U]..upd_{N-1}[U]).
 */
export function evalScatter(instr: InstructionOf<'scatter'>, ops: Literal[], ctx: Ctx): Literal {
  if (ops.length % 2 !== 1) fail(instr, `scatter takes N operands, indices and N updates; got ${ops.length} operands`);
  const n = (ops.length - 1) / 2;
  const xs = ops.slice(0, n).map((o) => arr(instr, o));
  const indices = arr(instr, ops[n], 'scatter indices');
  const ups = ops.slice(n + 1).map((o) => arr(instr, o, 'updates'));
  const a = instr.attrs;
  const iwd = a.inserted_window_dims ?? [], ibd = a.input_batching_dims ?? [], sibd = a.scatter_indices_batching_dims ?? [];
  const D = xs[0].shape.dims, r = D.length, U = ups[0].shape.dims;
  const rd = indexReader(indices, a.index_vector_dim);
  if (rd.length !== a.scatter_dims_to_operand_dims.length)
    fail(instr, `index vectors have ${rd.length} components, scatter_dims_to_operand_dims ${a.scatter_dims_to_operand_dims.length}`);
  const uwd = a.update_window_dims;
  const usd = otherDims(U.length, uwd);
  const windowOperandDims = otherDims(r, [...iwd, ...ibd]);
  if (windowOperandDims.length !== uwd.length) fail(instr, 'update_window_dims do not match the operand dims not inserted');
  const uStr = strides(U), xStr = strides(D);
  const winSizes = D.map((_, d) => {
    const k = windowOperandDims.indexOf(d);
    return k < 0 ? 1 : U[uwd[k]];
  });
  // Update offset per operand-dim step inside a window.
  const winUStr = D.map((_, d) => {
    const k = windowOperandDims.indexOf(d);
    return k < 0 ? 0 : uStr[uwd[k]];
  });
  const outs = xs.map((x) => x.data.slice());
  const shapes = leaves(instr.shape);
  const step = combiner(a.to_apply, xs.map((x) => x.shape.dtype), ups.map((u) => u.shape.dtype), ctx);
  if (usd.length !== rd.batchDims.length) fail(instr, `updates have ${usd.length} scatter dims, indices ${rd.batchDims.length}`);
  const scatterSizes = usd.map((d) => U[d]);
  const G = new Int32Array(usd.length), start = new Float64Array(r), w = new Int32Array(r);
  const nW = product(winSizes);
  const acc: Scalar[] = new Array(n), vals: Scalar[] = new Array(n);
  const nS = product(scatterSizes);
  for (let s = 0; s < nS; s++) {
    decode(s, scatterSizes, G);
    startOf(indices, rd, G, a.scatter_dims_to_operand_dims, ibd, sibd, start);
    let inBounds = true, xBase = 0, uBase = 0;
    for (let d = 0; d < r; d++) {
      if (start[d] < 0 || start[d] > D[d] - winSizes[d]) inBounds = false;
      xBase += start[d] * xStr[d];
    }
    if (!inBounds) continue;
    for (let k = 0; k < usd.length; k++) uBase += G[k] * uStr[usd[k]];
    for (let q = 0; q < nW; q++) {
      decode(q, winSizes, w);
      let xo = xBase, uo = uBase;
      for (let d = 0; d < r; d++) { xo += w[d] * xStr[d]; uo += w[d] * winUStr[d]; }
      for (let j = 0; j < n; j++) { acc[j] = outs[j][xo]; vals[j] = ups[j].data[uo]; }
      step(acc, vals);
      for (let j = 0; j < n; j++) put(outs[j], xo, acc[j]);
    }
  }
  const lits = shapes.map((shape, j) => ({ shape, data: outs[j] }));
  return instr.shape.kind === 'tuple' ? tupleLiteral(lits) : lits[0];
}
