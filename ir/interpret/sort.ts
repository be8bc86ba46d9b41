// sort: variadic operands sorted together along one dimension by a comparator
// computation. Always a stable merge sort, so is_stable=false gets a valid (stable)
// order too and results never depend on the sort algorithm.
import { tupleLiteral, type Literal } from '../literal.js';
import type { InstructionOf } from '../module.js';
import { leaves } from '../shape.js';
import { predicate } from './apply.js';
import { alloc, arr, fail, product, strides, type Ctx } from './util.js';
import type { Scalar } from '../scalar/value.js';

/** Stable bottom-up merge sort of perm by less(a, b) (a strictly before b). */
function mergeSort(perm: Int32Array, tmp: Int32Array, less: (a: number, b: number) => boolean): Int32Array {
  const n = perm.length;
  let src = perm, dst = tmp;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
      let i = lo, j = mid, k = lo;
      // Take from the right run only when it is strictly less: equal elements keep their order.
      while (i < mid && j < hi) dst[k++] = less(src[j], src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    [src, dst] = [dst, src];
  }
  return src;
}

export function evalSort(instr: InstructionOf<'sort'>, ops: Literal[], ctx: Ctx): Literal {
  const xs = ops.map((o) => arr(instr, o));
  const dims = xs[0].shape.dims;
  const dim = instr.attrs.dimensions[0] ?? dims.length - 1;
  if (dim < 0 || dim >= dims.length) fail(instr, `sort dimension ${dim} is out of range`);
  xs.forEach((x) => { if (product(x.shape.dims) !== product(dims)) fail(instr, 'sort operands differ in size'); });
  const n = dims[dim], st = strides(dims)[dim], total = product(dims);
  const lt = predicate(instr.attrs.to_apply, xs.flatMap((x) => [x.shape.dtype, x.shape.dtype]), ctx);
  const args: Scalar[] = new Array(2 * xs.length);
  let base = 0;
  const less = (i: number, j: number): boolean => {
    for (let k = 0; k < xs.length; k++) {
      args[2 * k] = xs[k].data[base + i * st];
      args[2 * k + 1] = xs[k].data[base + j * st];
    }
    return lt(args);
  };
  const outs = xs.map((x) => alloc(x.shape.dtype, total));
  const perm = new Int32Array(n), tmp = new Int32Array(n);
  for (let f = 0; f < total; f++) {
    if (Math.floor(f / st) % n !== 0) continue; // f starts a line along dim
    base = f;
    for (let i = 0; i < n; i++) perm[i] = i;
    const sorted = mergeSort(perm, tmp, less);
    for (let k = 0; k < xs.length; k++) {
      const src = xs[k].data as Float64Array, dst = outs[k] as Float64Array; // same storage kind
      for (let i = 0; i < n; i++) dst[base + i * st] = src[base + sorted[i] * st];
    }
  }
  const shapes = leaves(instr.shape);
  const lits = shapes.map((shape, k) => ({ shape, data: outs[k] }));
  return instr.shape.kind === 'tuple' ? tupleLiteral(lits) : lits[0];
}
