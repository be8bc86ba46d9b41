// Shape rules for the ops that move data (broadcast, reshape, transpose, slices, pad,
// concatenate, ...) and for those whose result has to be written (reshape, broadcast,
// convert, iota, rng): these check the written shape against the operands.
import { DTYPES } from './dtype.js';
import { ArrayShape, Shape, array, elementCount, tuple } from './shape.js';
import {
  ShapeRule, arrayAt, checkDims, checkIntegerIndices, checkPermutation, fail, fmt, higherPrecision, isComplex,
  isUnbounded, list, sameTypeIgnoringFp, scalarAt, written, writtenArray,
} from './shape_check.js';

export const broadcast: ShapeRule<'broadcast'> = (operands, a, extra) => {
  const x = arrayAt(operands, 0, 'operand'), w = writtenArray(extra);
  const dims = a.dimensions ?? [];
  if (dims.length !== x.dims.length)
    fail(`dimensions ${list(dims)} has ${dims.length} entries but operand ${fmt(x)} has rank ${x.dims.length}`);
  checkDims(dims, w.dims.length, 'dimensions', `the result ${fmt(w)}`);
  dims.forEach((d, i) => {
    if (x.dims[i] !== w.dims[d]) fail(`operand dim ${i} has size ${x.dims[i]} but result dim ${d} has size ${w.dims[d]}`);
  });
  return array(x.dtype, w.dims);
};

export const reshape: ShapeRule<'reshape'> = (operands, _a, extra) => {
  const x = arrayAt(operands, 0, 'operand'), w = writtenArray(extra);
  if (!isUnbounded(x) && !isUnbounded(w) && elementCount(x) !== elementCount(w))
    fail(`operand ${fmt(x)} has ${elementCount(x)} elements but the result ${fmt(w)} has ${elementCount(w)}`);
  return array(x.dtype, w.dims);
};

// XLA checks a bitcast's byte size only once layouts are assigned (and tiles may pad), so
// the written shape stands as it is.
export const bitcast: ShapeRule<'bitcast'> = (_operands, _a, extra) => written(extra);

export const bitcastConvert: ShapeRule<'bitcast-convert'> = (operands, _a, extra) => {
  const x = arrayAt(operands, 0, 'operand'), to = writtenArray(extra).dtype;
  if (isComplex(x.dtype) !== isComplex(to)) fail(`cannot bitcast between complex and real types (${x.dtype} to ${to})`);
  const from = DTYPES[x.dtype].bits, bits = DTYPES[to].bits;
  if (from === 0 || bits === 0 || Math.max(from, bits) % Math.min(from, bits) !== 0)
    fail(`cannot bitcast ${x.dtype} (${from} bits) to ${to} (${bits} bits): the widths do not divide`);
  if (from === bits) return array(to, x.dims);
  if (from > bits) return array(to, [...x.dims, from / bits]);
  const last = x.dims[x.dims.length - 1];
  if (last !== bits / from)
    fail(`operand ${fmt(x)} must end in a dimension of size ${bits / from} to bitcast ${x.dtype} to ${to}`);
  return array(to, x.dims.slice(0, -1));
};

export const transpose: ShapeRule<'transpose'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  checkPermutation(a.dimensions, x.dims.length, 'dimensions');
  return array(x.dtype, a.dimensions.map((d) => x.dims[d]));
};

export const slice: ShapeRule<'slice'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  if (a.slice.length !== x.dims.length)
    fail(`slice has ${a.slice.length} dimensions but operand ${fmt(x)} has rank ${x.dims.length}`);
  return array(x.dtype, a.slice.map((s, i) => {
    const d = x.dims[i];
    if (!(s.stride > 0)) fail(`slice dimension ${i} has stride ${s.stride}, must be positive`);
    if (s.start < 0 || s.start > s.limit || s.limit > d)
      fail(`slice dimension ${i} [${s.start}:${s.limit}] is out of bounds for size ${d} (need 0 <= start <= limit <= ${d})`);
    return Math.ceil((s.limit - s.start) / s.stride);
  }));
};

/** Start indices: one integer scalar per operand dim (or XLA's legacy single index vector). */
function checkStartIndices(operands: readonly Shape[], first: number, x: ArrayShape): void {
  const idx = operands.slice(first), r = x.dims.length;
  const s0 = idx[0];
  if (s0?.kind === 'array' && s0.dims.length === 1) {
    if (idx.length !== 1) fail(`a rank-1 start index vector must be the only index operand, got ${idx.length}`);
    checkIntegerIndices(s0, 'start indices');
    if (s0.dims[0] !== r) fail(`start index vector ${fmt(s0)} has ${s0.dims[0]} entries but operand ${fmt(x)} has rank ${r}`);
    return;
  }
  if (idx.length !== r) fail(`has ${idx.length} start indices but operand ${fmt(x)} has rank ${r}`);
  idx.forEach((_, i) => {
    const s = scalarAt(operands, first + i, `start index ${i} (operand ${first + i})`);
    checkIntegerIndices(s, `start index ${i} (operand ${first + i})`);
    if (s.dtype !== (s0 as ArrayShape).dtype) fail(`start indices must share one type: operand ${first + i} is ${s.dtype}, operand ${first} is ${(s0 as ArrayShape).dtype}`);
  });
}

export const dynamicSlice: ShapeRule<'dynamic-slice'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  checkStartIndices(operands, 1, x);
  const sizes = a.dynamic_slice_sizes;
  if (sizes.length !== x.dims.length)
    fail(`dynamic_slice_sizes ${list(sizes)} has ${sizes.length} entries but operand ${fmt(x)} has rank ${x.dims.length}`);
  sizes.forEach((s, i) => {
    if (s < 0 || s > x.dims[i]) fail(`dynamic_slice_sizes[${i}] = ${s} is out of range for operand dim ${i} of size ${x.dims[i]}`);
  });
  return array(x.dtype, sizes);
};

export const dynamicUpdateSlice: ShapeRule<'dynamic-update-slice'> = (operands) => {
  const x = arrayAt(operands, 0, 'operand'), u = arrayAt(operands, 1, 'update');
  checkStartIndices(operands, 2, x);
  if (!sameTypeIgnoringFp(u.dtype, x.dtype)) fail(`update has element type ${u.dtype}, expected ${x.dtype}`);
  if (u.dims.length !== x.dims.length) fail(`update ${fmt(u)} has rank ${u.dims.length} but operand ${fmt(x)} has rank ${x.dims.length}`);
  u.dims.forEach((d, i) => {
    if (d > x.dims[i]) fail(`update dim ${i} has size ${d}, larger than operand dim ${i} of size ${x.dims[i]}`);
  });
  return x;
};

export const concatenate: ShapeRule<'concatenate'> = (operands, a) => {
  const x0 = arrayAt(operands, 0);
  if (a.dimensions.length !== 1) fail(`dimensions ${list(a.dimensions)} must name exactly one dimension`);
  checkDims(a.dimensions, x0.dims.length, 'dimensions', `operand 0 ${fmt(x0)}`);
  const d = a.dimensions[0], dims = [...x0.dims];
  let dtype = x0.dtype;
  for (let i = 1; i < operands.length; i++) {
    const x = arrayAt(operands, i);
    if (!sameTypeIgnoringFp(x.dtype, x0.dtype)) fail(`operand ${i} has element type ${x.dtype}, expected ${x0.dtype}`);
    dtype = higherPrecision(dtype, x.dtype);
    if (x.dims.length !== x0.dims.length) fail(`operand ${i} ${fmt(x)} has rank ${x.dims.length} but operand 0 ${fmt(x0)} has rank ${x0.dims.length}`);
    x.dims.forEach((n, k) => {
      if (k !== d && n !== x0.dims[k]) fail(`operand ${i} ${fmt(x)} differs from operand 0 ${fmt(x0)} in dim ${k}, which is not the concatenated dim ${d}`);
    });
    dims[d] += x.dims[d];
  }
  return array(dtype, dims);
};

export const pad: ShapeRule<'pad'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand'), v = scalarAt(operands, 1, 'padding value');
  if (!sameTypeIgnoringFp(v.dtype, x.dtype)) fail(`padding value has element type ${v.dtype}, expected ${x.dtype}`);
  if (a.padding.length !== x.dims.length)
    fail(`padding has ${a.padding.length} dimensions but operand ${fmt(x)} has rank ${x.dims.length}`);
  return array(higherPrecision(x.dtype, v.dtype), a.padding.map((p, i) => {
    const d = x.dims[i];
    if (p.interior < 0) fail(`padding dimension ${i} has interior padding ${p.interior}, must not be negative`);
    const size = p.low + p.high + d + Math.max(d - 1, 0) * p.interior;
    if (size < 0) fail(`padding ${p.low}_${p.high}_${p.interior} on dimension ${i} of size ${d} gives negative size ${size}`);
    return size;
  }));
};

export const reverse: ShapeRule<'reverse'> = (operands, a) => {
  const x = arrayAt(operands, 0, 'operand');
  checkDims(a.dimensions, x.dims.length, 'dimensions', `operand ${fmt(x)}`);
  return x;
};

export const iota: ShapeRule<'iota'> = (_operands, a, extra) => {
  const w = writtenArray(extra);
  if (w.dims.length === 0) fail('the result must have rank at least 1, got a scalar');
  checkDims([a.iota_dimension], w.dims.length, 'iota_dimension', `the result ${fmt(w)}`);
  return w;
};

export const getTupleElement: ShapeRule<'get-tuple-element'> = (operands, a) => {
  const t = operands[0];
  if (t.kind !== 'tuple') return fail(`operand must be a tuple, got ${fmt(t)}`);
  if (!Number.isInteger(a.index) || a.index < 0 || a.index >= t.elements.length)
    fail(`index ${a.index} is out of range for tuple ${fmt(t)} of ${t.elements.length} elements`);
  return t.elements[a.index];
};

export const rng: ShapeRule<'rng'> = (operands, a, extra) => {
  const lo = scalarAt(operands, 0, 'operand 0'), hi = scalarAt(operands, 1, 'operand 1');
  if (hi.dtype !== lo.dtype) fail(`operand 1 has element type ${hi.dtype}, expected ${lo.dtype}`);
  if (a.distribution !== 'rng_uniform' && a.distribution !== 'rng_normal')
    fail(`distribution ${a.distribution} is neither rng_uniform nor rng_normal`);
  return array(lo.dtype, writtenArray(extra).dims);
};

export const rngBitGenerator: ShapeRule<'rng-bit-generator'> = (operands, _a, extra) => {
  const state = arrayAt(operands, 0, 'state'), w = written(extra);
  if (w.kind !== 'tuple' || w.elements.length !== 2) return fail(`the result must be a (state, values) tuple, got ${fmt(w)}`);
  return tuple([state, w.elements[1]]);
};
