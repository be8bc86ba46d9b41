// Data movement: iota, broadcast, reshape, transpose, slices, concatenate, pad,
// reverse. All but iota and pad are one strided copy with precomputed strides.
import type { ArrayLiteral, Literal } from '../literal.js';
import type { Instruction, InstructionOf } from '../module.js';
import { bitcastLiteral } from './elementwise.js';
import { alloc, arr, clampInt, fail, filled, indexAt, product, resultShape, stridedCopy, strides } from './util.js';
import { rounder } from '../scalar/value.js';

export function evalIota(instr: InstructionOf<'iota'>): Literal {
  const out = resultShape(instr);
  const d = instr.attrs.iota_dimension;
  if (d < 0 || d >= out.dims.length) fail(instr, `iota_dimension ${d} is out of range`);
  const n = product(out.dims), inner = strides(out.dims)[d], size = out.dims[d];
  const data = alloc(out.dtype, n);
  const round = rounder(out.dtype);
  for (let i = 0; i < n; i++) {
    const v = Math.floor(i / inner) % size;
    if (data instanceof Float64Array) data[i] = round(v);
    else data[i] = BigInt(v);
  }
  return { shape: out, data };
}

export function evalBroadcast(instr: InstructionOf<'broadcast'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr);
  const map = instr.attrs.dimensions ?? [];
  if (map.length !== x.shape.dims.length) fail(instr, `broadcast dimensions {${map}} do not match the operand rank`);
  const inStr = strides(x.shape.dims);
  const srcStr = out.dims.map(() => 0);
  map.forEach((od, k) => {
    if (od < 0 || od >= out.dims.length) fail(instr, `broadcast dimension ${od} is out of range`);
    if (x.shape.dims[k] !== out.dims[od] && x.shape.dims[k] !== 1)
      fail(instr, `operand dimension ${k} (${x.shape.dims[k]}) cannot broadcast to ${out.dims[od]}`);
    srcStr[od] = x.shape.dims[k] === 1 ? 0 : inStr[k];
  });
  const data = alloc(out.dtype, product(out.dims));
  stridedCopy(out.dims, x.data, 0, srcStr, data, 0, strides(out.dims));
  return { shape: out, data };
}

/** reshape and bitcast: the same row-major elements under new dims (layouts ignored). */
export function evalReshape(instr: Instruction, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr);
  if (out.dtype !== x.shape.dtype) return bitcastLiteral(instr, x, out);
  if (product(out.dims) !== product(x.shape.dims))
    fail(instr, `cannot reshape ${product(x.shape.dims)} elements into ${product(out.dims)}`);
  return { shape: out, data: x.data };
}

export function evalTranspose(instr: InstructionOf<'transpose'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr);
  const perm = instr.attrs.dimensions;
  const inStr = strides(x.shape.dims);
  if (perm.length !== x.shape.dims.length) fail(instr, `transpose permutation {${perm}} does not match the rank`);
  const data = alloc(out.dtype, product(out.dims));
  stridedCopy(out.dims, x.data, 0, perm.map((p) => inStr[p]), data, 0, strides(out.dims));
  return { shape: out, data };
}

export function evalSlice(instr: InstructionOf<'slice'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr);
  const inStr = strides(x.shape.dims);
  const sl = instr.attrs.slice;
  if (sl.length !== x.shape.dims.length) fail(instr, `slice has ${sl.length} dimensions, the operand ${x.shape.dims.length}`);
  let base = 0;
  sl.forEach((s, d) => { base += s.start * inStr[d]; });
  const dims = sl.map((s) => Math.max(0, Math.ceil((s.limit - s.start) / s.stride)));
  const data = alloc(out.dtype, product(dims));
  stridedCopy(dims, x.data, base, sl.map((s, d) => s.stride * inStr[d]), data, 0, strides(dims));
  return { shape: out, data };
}

/** Start indices as scalars operands, or (old form) one rank-1 operand; clamped in range. */
function startIndices(instr: Instruction, idx: Literal[], dims: readonly number[], sizes: readonly number[]): number[] {
  let starts: number[];
  if (idx.length === 1 && idx[0].shape.kind === 'array' && idx[0].shape.dims.length === 1) {
    const v = idx[0] as ArrayLiteral;
    starts = Array.from({ length: product(v.shape.dims) }, (_, i) => indexAt(v, i));
  } else {
    starts = idx.map((l) => indexAt(arr(instr, l, 'start index'), 0));
  }
  if (starts.length !== dims.length) fail(instr, `got ${starts.length} start indices for rank ${dims.length}`);
  return starts.map((s, d) => clampInt(s, 0, dims[d] - sizes[d]));
}

export function evalDynamicSlice(instr: InstructionOf<'dynamic-slice'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr);
  const sizes = instr.attrs.dynamic_slice_sizes;
  const starts = startIndices(instr, ops.slice(1), x.shape.dims, sizes);
  const inStr = strides(x.shape.dims);
  const base = starts.reduce((acc, s, d) => acc + s * inStr[d], 0);
  const data = alloc(out.dtype, product(sizes));
  stridedCopy(sizes, x.data, base, inStr, data, 0, strides(sizes));
  return { shape: out, data };
}

export function evalDynamicUpdateSlice(instr: InstructionOf<'dynamic-update-slice'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]), u = arr(instr, ops[1], 'update');
  const out = resultShape(instr);
  const starts = startIndices(instr, ops.slice(2), x.shape.dims, u.shape.dims);
  const inStr = strides(x.shape.dims);
  const base = starts.reduce((acc, s, d) => acc + s * inStr[d], 0);
  const data = x.data.slice();
  stridedCopy(u.shape.dims, u.data, 0, strides(u.shape.dims), data, base, inStr);
  return { shape: out, data };
}

export function evalConcatenate(instr: InstructionOf<'concatenate'>, ops: Literal[]): Literal {
  const out = resultShape(instr);
  const dim = instr.attrs.dimensions[0];
  const outStr = strides(out.dims);
  const data = alloc(out.dtype, product(out.dims));
  let offset = 0;
  for (const op of ops) {
    const x = arr(instr, op);
    stridedCopy(x.shape.dims, x.data, 0, strides(x.shape.dims), data, offset * outStr[dim], outStr);
    offset += x.shape.dims[dim];
  }
  if (offset !== out.dims[dim]) fail(instr, `operands sum to ${offset} along dimension ${dim}, result has ${out.dims[dim]}`);
  return { shape: out, data };
}

/** Interior padding first, then edge padding (negative edges crop the interior-padded array). */
export function evalPad(instr: InstructionOf<'pad'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]), v = arr(instr, ops[1], 'padding value');
  const out = resultShape(instr);
  const result = filled(out, v.data[0]);
  const pads = instr.attrs.padding;
  const inDims = x.shape.dims, inStr = strides(inDims), outStr = strides(out.dims);
  const box: number[] = [], dstStr: number[] = [];
  let sBase = 0, dBase = 0;
  for (let d = 0; d < inDims.length; d++) {
    const { low, interior } = pads[d], step = interior + 1;
    // Operand indices i whose target low + i*step lands inside [0, out).
    const first = Math.max(0, Math.ceil(-low / step));
    const last = Math.min(inDims[d] - 1, Math.floor((out.dims[d] - 1 - low) / step));
    if (last < first) return result;
    box.push(last - first + 1);
    sBase += first * inStr[d];
    dBase += (low + first * step) * outStr[d];
    dstStr.push(step * outStr[d]);
  }
  stridedCopy(box, x.data, sBase, inStr, result.data, dBase, dstStr);
  return result;
}

export function evalReverse(instr: InstructionOf<'reverse'>, ops: Literal[]): Literal {
  const x = arr(instr, ops[0]);
  const out = resultShape(instr);
  const inStr = strides(x.shape.dims);
  const srcStr = inStr.slice();
  let base = 0;
  for (const d of instr.attrs.dimensions) {
    base += (x.shape.dims[d] - 1) * inStr[d];
    srcStr[d] = -inStr[d];
  }
  const data = alloc(out.dtype, product(out.dims));
  stridedCopy(out.dims, x.data, base, srcStr, data, 0, strides(out.dims));
  return { shape: out, data };
}
