// ONNX ops: shape family. Ops that compute shapes (Shape, Size) or move data without
// arithmetic (Reshape, Slice, Gather, Pad, ...). Shape arguments (Reshape's shape, Slice's
// starts, Pad's pads...) must be known at compile time: the importer folds shape
// computations into constants, so they are, for every exportable model kiln supports.
import type { DType } from '../../../../ir/dtype.js';
import { arrayLiteral, type ArrayLiteral } from '../../../../ir/literal.js';
import type { Computation, Instruction } from '../../../../ir/module.js';
import { MAX_INTERPRETER_ELEMENTS } from '../../../../ir/limits.js';
import { array, scalar } from '../../../../ir/shape.js';
import { dynamicStartSlice } from './dynamic_slice.js';
import type { LowerCtx } from './types.js';
import { float, floats, int, ints, op, string, tensor } from './types.js';
import { broadcastDims, broadcastTo, dimsOf, normAxis, shapeOf } from './util.js';

// --- Helpers -------------------------------------------------------------------------

/** A known tensor's values as plain numbers (int64 extremes lose precision, which clamping absorbs). */
const numbers = (lit: ArrayLiteral): number[] => Array.from(lit.data as ArrayLike<number | bigint>, Number);

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

const dtypeOf = (ctx: LowerCtx, x: Instruction): DType => shapeOf(ctx, x).dtype;

/** A 1-D s64 constant: the type ONNX gives shapes and sizes. */
const int64s = (ctx: LowerCtx, values: readonly number[]): Instruction =>
  ctx.b.constantArray('s64', [values.length], values.map((v) => BigInt(v)));

/** A scalar constant of x's dtype, broadcast to dims. */
function filled(ctx: LowerCtx, dtype: DType, value: number | bigint, dims: readonly number[]): Instruction {
  const v = dtype === 's64' || dtype === 'u64' ? BigInt(value) : Number(value);
  return ctx.b.broadcast(ctx.b.constantScalar(dtype, v), dims);
}

/** Axes given as an attribute (older opsets) or as input i (newer ones); undefined when neither. */
function axesOf(ctx: LowerCtx, attr: number[] | undefined, inputFrom: number, i: number): number[] | undefined {
  if (ctx.opset < inputFrom) return attr;
  return ctx.optional(i) ? numbers(ctx.constant(i, 'axes')) : undefined;
}

/**
 * Negative indices count from the end of a dim. Known indices are normalised now; runtime
 * ones get select(idx < 0, idx + dim, idx), where `dim` broadcasts against idx.
 */
function wrapIndices(ctx: LowerCtx, i: number, dim: number | readonly number[]): Instruction {
  const idx = ctx.input(i);
  const dims = dimsOf(ctx, idx);
  const dtype = dtypeOf(ctx, idx);
  const bound = (k: number) => (typeof dim === 'number' ? dim : dim[k % dim.length]);
  const lit = ctx.known(i);
  if (lit) {
    const vals = numbers(lit).map((v, k) => (v < 0 ? v + bound(k) : v));
    return ctx.b.constant(arrayLiteral(array(dtype, dims), dtype === 's64' || dtype === 'u64' ? vals.map(BigInt) : vals));
  }
  const bounds = typeof dim === 'number'
    ? filled(ctx, dtype, dim, dims)
    : ctx.b.broadcast(ctx.b.constantArray(dtype, [dim.length], dim.map((d) => (dtype === 's64' ? BigInt(d) : d))), dims, [dims.length - 1]);
  const negative = ctx.b.compare(idx, filled(ctx, dtype, 0, dims), 'LT');
  return ctx.b.select(negative, ctx.b.add(idx, bounds), idx);
}

/**
 * Full coordinates for GatherElements / ScatterElements: shape idx.dims + [rank], where
 * component `axis` is idx and every other component d is the element's own position on d.
 */
function elementCoords(ctx: LowerCtx, idx: Instruction, axis: number): Instruction {
  const dims = dimsOf(ctx, idx);
  const dtype = dtypeOf(ctx, idx);
  const col = [...dims, 1];
  const parts = dims.map((_, d) =>
    d === axis ? ctx.b.reshape(idx, col) : ctx.b.iota(array(dtype, col), d));
  return parts.length === 1 ? parts[0] : ctx.b.concatenate(parts, dims.length);
}

/** A scatter combiner: `replace` keeps the update, the others combine old and new. */
function combinerFor(ctx: LowerCtx, reduction: string, dtype: DType): Computation {
  switch (reduction) {
    case 'none':
      return ctx.mb.computation(`replace_${dtype}`, (c) => {
        c.parameter(scalar(dtype), 'old');
        return c.parameter(scalar(dtype), 'new');
      });
    case 'add': return ctx.reducer('add', dtype);
    case 'mul': return ctx.reducer('multiply', dtype);
    case 'max': return ctx.reducer('maximum', dtype);
    case 'min': return ctx.reducer('minimum', dtype);
    default: return ctx.fail(`reduction '${reduction}' is not supported`);
  }
}

/** Numpy-style slice of one axis: first index, step and element count, clamped to the dim. */
function sliceRange(start: number, end: number, step: number, dim: number): { first: number; count: number } {
  const norm = (v: number) => (v < 0 ? v + dim : v);
  if (step > 0) {
    const s = Math.min(Math.max(norm(start), 0), dim);
    const e = Math.min(Math.max(norm(end), 0), dim);
    return { first: s, count: Math.max(0, Math.ceil((e - s) / step)) };
  }
  const s = Math.min(Math.max(norm(start), -1), dim - 1);
  const e = Math.min(Math.max(norm(end), -1), dim - 1);
  return { first: s, count: Math.max(0, Math.ceil((s - e) / -step)) };
}

/**
 * x sliced on `axes` (numpy semantics). A negative step reverses the axis first, so every
 * XLA slice has a positive stride.
 */
function sliceAxes(ctx: LowerCtx, x: Instruction, starts: number[], ends: number[], axes: number[], steps: number[]): Instruction {
  const dims = dimsOf(ctx, x);
  const lo = dims.map(() => 0), hi = [...dims], stride = dims.map(() => 1);
  const reversed: number[] = [];
  axes.forEach((a0, k) => {
    const a = normAxis(ctx, a0, dims.length);
    const step = steps[k];
    if (step === 0) ctx.fail('slice step cannot be 0');
    const { first, count } = sliceRange(starts[k], ends[k], step, dims[a]);
    // With the axis reversed, source index i sits at d-1-i.
    const from = step > 0 ? first : dims[a] - 1 - first;
    if (step < 0) reversed.push(a);
    lo[a] = count === 0 ? 0 : from;
    hi[a] = count === 0 ? 0 : from + (count - 1) * Math.abs(step) + 1;
    stride[a] = Math.abs(step);
  });
  const src = reversed.length ? ctx.b.reverse(x, reversed) : x;
  return ctx.b.slice(src, lo, hi, stride);
}

/** One axis of Pad in reflect or edge mode: concatenate mirrored or repeated edges. */
function padAxisEdges(ctx: LowerCtx, x: Instruction, axis: number, low: number, high: number, mode: string): Instruction {
  if (low === 0 && high === 0) return x;
  const dims = dimsOf(ctx, x);
  const d = dims[axis];
  const take = (from: number, to: number) => {
    const lo = dims.map(() => 0), hi = [...dims];
    lo[axis] = from;
    hi[axis] = to;
    return ctx.b.slice(x, lo, hi);
  };
  const repeat = (edge: Instruction, n: number) => {
    const out = [...dims];
    out[axis] = n;
    return broadcastTo(ctx, edge, out);
  };
  const parts: Instruction[] = [];
  if (mode === 'edge') {
    if (d === 0) ctx.fail('edge padding needs a non-empty axis');
    if (low > 0) parts.push(repeat(take(0, 1), low));
    parts.push(x);
    if (high > 0) parts.push(repeat(take(d - 1, d), high));
  } else {
    // reflect mirrors without repeating the edge element, so each side needs pad < dim.
    if (low >= d || high >= d) ctx.fail(`reflect padding of ${Math.max(low, high)} needs an axis longer than ${d}`);
    if (low > 0) parts.push(ctx.b.reverse(take(1, low + 1), [axis]));
    parts.push(x);
    if (high > 0) parts.push(ctx.b.reverse(take(d - 1 - high, d - 1), [axis]));
  }
  return ctx.b.concatenate(parts, axis);
}

/** Pad with pads = [begin_0.., end_0..]; negative pads crop. */
function padLower(ctx: LowerCtx, x: Instruction, pads: number[], mode: string, value: Instruction | undefined): Instruction {
  const dims = dimsOf(ctx, x);
  const r = dims.length;
  if (pads.length !== 2 * r) ctx.fail(`pads has ${pads.length} values, rank ${r} needs ${2 * r}`);
  const low = pads.slice(0, r), high = pads.slice(r);
  // Crop first so the padding itself is non-negative.
  const cropped = low.some((p) => p < 0) || high.some((p) => p < 0)
    ? ctx.b.slice(x, low.map((p) => Math.max(-p, 0)), dims.map((d, i) => d - Math.max(-high[i], 0)))
    : x;
  const lo = low.map((p) => Math.max(p, 0)), hi = high.map((p) => Math.max(p, 0));
  if (mode === 'constant') {
    const dtype = dtypeOf(ctx, x);
    const pv = value ?? ctx.b.constantScalar(dtype, dtype === 's64' || dtype === 'u64' ? 0n : 0);
    return ctx.b.pad(cropped, pv, lo.map((l, i) => [l, hi[i], 0] as const));
  }
  if (mode !== 'reflect' && mode !== 'edge') ctx.fail(`pad mode '${mode}' is not supported`);
  return lo.reduce((acc, l, i) => padAxisEdges(ctx, acc, i, l, hi[i], mode), cropped);
}

/** Reshape's target dims: 0 copies the input dim (unless allowzero), -1 takes what is left. */
function reshapeDims(ctx: LowerCtx, inDims: readonly number[], shape: readonly number[], allowzero: boolean): number[] {
  const out = shape.map((s, i) => {
    if (s === 0 && !allowzero) {
      if (i >= inDims.length) ctx.fail(`shape copies dim ${i}, but the input has rank ${inDims.length}`);
      return inDims[i];
    }
    return s;
  });
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    if (out.indexOf(-1, unknown + 1) >= 0) ctx.fail('shape has more than one -1');
    const known = product(out.filter((_, i) => i !== unknown));
    if (known === 0 || product(inDims) % known !== 0) ctx.fail(`cannot infer -1 in [${shape.join(',')}] from [${inDims.join(',')}]`);
    out[unknown] = product(inDims) / known;
  }
  if (out.some((d) => d < 0)) ctx.fail(`shape [${shape.join(',')}] has a negative dim`);
  if (product(out) !== product(inDims)) ctx.fail(`cannot reshape [${inDims.join(',')}] to [${out.join(',')}]`);
  return out;
}

/** A scalar tensor attribute or input value, reshaped to a scalar constant. */
function scalarConstant(ctx: LowerCtx, lit: ArrayLiteral): Instruction {
  if (lit.data.length !== 1) ctx.fail(`expected a one-element tensor, got ${lit.data.length} elements`);
  return ctx.b.constant({ shape: scalar(lit.shape.dtype), data: lit.data });
}

// --- The table -----------------------------------------------------------------------

export const SHAPE_OPS = {
  Constant: op({
    opsets: [1, 17],
    attrs: { value: tensor(), value_float: float(), value_floats: floats(), value_int: int(), value_ints: ints() },
    lower: (ctx, a) => {
      if (a.value) return [ctx.b.constant(a.value)];
      if (a.value_float !== undefined) return [ctx.b.constantScalar('f32', a.value_float)];
      if (a.value_floats) return [ctx.b.constantArray('f32', [a.value_floats.length], a.value_floats)];
      if (a.value_int !== undefined) return [ctx.b.constantScalar('s64', BigInt(a.value_int))];
      if (a.value_ints) return [int64s(ctx, a.value_ints)];
      return ctx.fail('has no value attribute kiln supports');
    },
  }),

  Shape: op({
    opsets: [1, 17],
    attrs: { start: int(0), end: int() },
    lower: (ctx, a) => {
      const dims = dimsOf(ctx, ctx.input(0));
      // start and end clamp to [0, rank] after counting negatives from the end (opset 15).
      const clampIndex = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
      return [int64s(ctx, dims.slice(clampIndex(a.start), clampIndex(a.end ?? dims.length)))];
    },
  }),

  Size: op({
    opsets: [1, 17],
    attrs: {},
    lower: (ctx) => [ctx.b.constantScalar('s64', BigInt(product(dimsOf(ctx, ctx.input(0)))))],
  }),

  Reshape: op({
    opsets: [1, 17],
    attrs: { shape: ints(), allowzero: int(0), consumed_inputs: ints() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      // Before opset 5 the target shape was an attribute.
      const shape = ctx.opset < 5 ? a.shape ?? ctx.fail('needs the shape attribute') : numbers(ctx.constant(1, 'shape'));
      return [ctx.b.reshape(x, reshapeDims(ctx, dimsOf(ctx, x), shape, a.allowzero === 1))];
    },
  }),

  Flatten: op({
    opsets: [1, 17],
    attrs: { axis: int(1) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      // axis may equal rank (everything in the outer dim).
      const axis = a.axis < 0 ? a.axis + dims.length : a.axis;
      if (axis < 0 || axis > dims.length) ctx.fail(`axis ${a.axis} is out of range for rank ${dims.length}`);
      return [ctx.b.reshape(x, [product(dims.slice(0, axis)), product(dims.slice(axis))])];
    },
  }),

  Squeeze: op({
    opsets: [1, 17],
    attrs: { axes: ints() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const given = axesOf(ctx, a.axes, 13, 1);
      const axes = given
        ? given.map((g) => normAxis(ctx, g, dims.length))
        : dims.flatMap((d, i) => (d === 1 ? [i] : []));
      axes.forEach((ax) => dims[ax] !== 1 && ctx.fail(`cannot squeeze axis ${ax} of size ${dims[ax]}`));
      return [ctx.b.reshape(x, dims.filter((_, i) => !axes.includes(i)))];
    },
  }),

  Unsqueeze: op({
    opsets: [1, 17],
    attrs: { axes: ints() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const given = axesOf(ctx, a.axes, 13, 1) ?? ctx.fail('needs axes');
      // Axes index the output, whose rank counts the new dims.
      const rank = dims.length + given.length;
      const axes = new Set(given.map((g) => normAxis(ctx, g, rank)));
      if (axes.size !== given.length) ctx.fail('axes has duplicates');
      const out: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : dims[k++]);
      return [ctx.b.reshape(x, out)];
    },
  }),

  Transpose: op({
    opsets: [1, 17],
    attrs: { perm: ints() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const rank = dimsOf(ctx, x).length;
      const perm = a.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      return [ctx.b.transpose(x, perm.map((p) => normAxis(ctx, p, rank, 'perm entry')))];
    },
  }),

  Concat: op({
    opsets: [1, 17],
    attrs: { axis: int() },
    lower: (ctx, a) => {
      const xs = Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i));
      // Opsets 1-3 defaulted axis to 1; later ones require it.
      const axis = normAxis(ctx, a.axis ?? (ctx.opset < 4 ? 1 : ctx.fail('needs axis')), dimsOf(ctx, xs[0]).length);
      return [xs.length === 1 ? xs[0] : ctx.b.concatenate(xs, axis)];
    },
  }),

  Split: op({
    opsets: [1, 17],
    attrs: { axis: int(0), split: ints() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const axis = normAxis(ctx, a.axis, dims.length);
      // split: an attribute before opset 13 (opset 1 also took it as input 1), an input from 13.
      const fromInput = ctx.optional(1) ? numbers(ctx.constant(1, 'split')) : undefined;
      const split = (ctx.opset >= 13 ? fromInput : a.split ?? fromInput) ?? equalSplit(ctx, dims[axis], ctx.outputCount);
      if (split.reduce((s, v) => s + v, 0) !== dims[axis]) ctx.fail(`split [${split.join(',')}] does not sum to ${dims[axis]}`);
      let at = 0;
      return split.map((len) => {
        const lo = dims.map(() => 0), hi = [...dims];
        lo[axis] = at;
        hi[axis] = at += len;
        return ctx.b.slice(x, lo, hi);
      });
    },
  }),

  Slice: op({
    opsets: [1, 17],
    attrs: { starts: ints(), ends: ints(), axes: ints() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const rank = dimsOf(ctx, x).length;
      // Opset 10 moved starts/ends/axes into inputs and added steps.
      const old = ctx.opset < 10;
      if (!old && !ctx.known(1) && ctx.optional(1)) return [dynamicStartSlice(ctx)];
      const starts = old ? a.starts ?? ctx.fail('needs starts') : numbers(ctx.constant(1, 'starts'));
      const ends = old ? a.ends ?? ctx.fail('needs ends') : numbers(ctx.constant(2, 'ends'));
      const axes = (old ? a.axes : ctx.optional(3) && numbers(ctx.constant(3, 'axes'))) || starts.map((_, i) => i);
      const steps = (!old && ctx.optional(4) && numbers(ctx.constant(4, 'steps'))) || starts.map(() => 1);
      if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length)
        ctx.fail('starts, ends, axes and steps differ in length');
      if (new Set(axes.map((ax) => normAxis(ctx, ax, rank))).size !== axes.length) ctx.fail('axes has duplicates');
      return [sliceAxes(ctx, x, starts, ends, axes, steps)];
    },
  }),

  Gather: op({
    opsets: [1, 17],
    attrs: { axis: int(0) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const axis = normAxis(ctx, a.axis, dims.length);
      const idx = wrapIndices(ctx, 1, dims[axis]);
      const q = dimsOf(ctx, idx).length;
      // Output: dims[:axis] + indices dims + dims[axis+1:]; the operand's other dims are offset dims.
      const offsetDims = dims.flatMap((_, d) => (d === axis ? [] : [d < axis ? d : d - 1 + q]));
      const sizes = dims.map((d, i) => (i === axis ? 1 : d));
      return [ctx.b.op('gather', [x, idx], {
        offset_dims: offsetDims, collapsed_slice_dims: [axis], start_index_map: [axis], index_vector_dim: q, slice_sizes: sizes,
      })];
    },
  }),

  GatherElements: op({
    opsets: [11, 17],
    attrs: { axis: int(0) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const axis = normAxis(ctx, a.axis, dims.length);
      const idx = wrapIndices(ctx, 1, dims[axis]);
      const r = dims.length;
      const all = dims.map((_, d) => d);
      return [ctx.b.op('gather', [x, elementCoords(ctx, idx, axis)], {
        offset_dims: [], collapsed_slice_dims: all, start_index_map: all, index_vector_dim: r, slice_sizes: dims.map(() => 1),
      })];
    },
  }),

  GatherND: op({
    opsets: [11, 17],
    attrs: { batch_dims: int(0) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const idxDims = dimsOf(ctx, ctx.input(1));
      const k = idxDims[idxDims.length - 1];
      const b = a.batch_dims;
      if (k + b > dims.length) ctx.fail(`index vectors of length ${k} exceed rank ${dims.length} after ${b} batch dims`);
      const idx = wrapIndices(ctx, 1, dims.slice(b, b + k));
      const q = idxDims.length;
      const batch = Array.from({ length: b }, (_, i) => i);
      const mapped = Array.from({ length: k }, (_, i) => b + i);
      // Output: indices dims[:-1] + dims[b+k:]; the batch dims pair operand dim i with indices dim i.
      const tail = dims.length - b - k;
      return [ctx.b.op('gather', [x, idx], {
        offset_dims: Array.from({ length: tail }, (_, i) => q - 1 + i),
        collapsed_slice_dims: mapped,
        start_index_map: mapped,
        operand_batching_dims: batch,
        start_indices_batching_dims: batch,
        index_vector_dim: q - 1,
        slice_sizes: dims.map((d, i) => (i < b + k ? 1 : d)),
      })];
    },
  }),

  Expand: op({
    opsets: [8, 17],
    attrs: {},
    lower: (ctx) => {
      const x = ctx.input(0);
      // Bidirectional: the result is the broadcast of x's dims with the requested shape.
      const dims = broadcastDims(ctx, [dimsOf(ctx, x), numbers(ctx.constant(1, 'shape'))]);
      return [broadcastTo(ctx, x, dims)];
    },
  }),

  Tile: op({
    opsets: [6, 17],
    attrs: {},
    lower: (ctx) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const reps = numbers(ctx.constant(1, 'repeats'));
      if (reps.length !== dims.length) ctx.fail(`repeats has ${reps.length} values, rank is ${dims.length}`);
      // Broadcast to [r0, d0, r1, d1, ...] (x's dim i at 2i+1), then merge each pair.
      const wide = ctx.b.broadcast(x, dims.flatMap((d, i) => [reps[i], d]), dims.map((_, i) => 2 * i + 1));
      return [ctx.b.reshape(wide, dims.map((d, i) => d * reps[i]))];
    },
  }),

  Pad: op({
    opsets: [1, 17],
    attrs: { mode: string('constant'), pads: ints(), paddings: ints(), value: float(0) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dtype = dtypeOf(ctx, x);
      if (ctx.opset < 11) {
        // Pad-1 called the attribute `paddings`; Pad-2 renamed it `pads`.
        const pads = a.pads ?? a.paddings ?? ctx.fail('needs pads');
        return [padLower(ctx, x, pads, a.mode, ctx.b.constantScalar(dtype, dtype === 's64' ? BigInt(Math.trunc(a.value)) : a.value))];
      }
      if (ctx.optional(3)) ctx.fail('the axes input (opset 18) is not supported');
      const pads = numbers(ctx.constant(1, 'pads'));
      const v = ctx.optional(2);
      const value = v && (dimsOf(ctx, v).length === 0 ? v : ctx.b.reshape(v, []));
      return [padLower(ctx, x, pads, a.mode, value)];
    },
  }),

  ConstantOfShape: op({
    opsets: [9, 17],
    attrs: { value: tensor() },
    lower: (ctx, a) => {
      const dims = numbers(ctx.constant(0, 'shape'));
      const v = a.value ? scalarConstant(ctx, a.value) : ctx.b.constantScalar('f32', 0);
      return [ctx.b.broadcast(v, dims)];
    },
  }),

  Range: op({
    opsets: [11, 17],
    attrs: {},
    lower: (ctx) => {
      const [start, limit, delta] = [0, 1, 2].map((i) => numbers(ctx.constant(i, ['start', 'limit', 'delta'][i]))[0]);
      if (delta === 0) ctx.fail('delta cannot be 0');
      const dtype = ctx.constant(0, 'start').shape.dtype;
      const n = Math.max(Math.ceil((limit - start) / delta), 0);
      // The values are materialised here, at import: bound them like any constant kiln holds.
      if (!Number.isSafeInteger(n) || n > MAX_INTERPRETER_ELEMENTS)
        ctx.fail(`start ${start}, limit ${limit}, delta ${delta} make ${n} values; kiln materialises constants of at most 2^28 elements`);
      const vals = Array.from({ length: n }, (_, i) => start + i * delta);
      return [ctx.b.constantArray(dtype, [n], dtype === 's64' || dtype === 'u64' ? vals.map(BigInt) : vals)];
    },
  }),

  Dropout: op({
    opsets: [1, 17],
    attrs: { ratio: float(0.5), is_test: int(0), seed: int(), consumed_inputs: ints() },
    lower: (ctx) => {
      const x = ctx.input(0);
      // Inference only: training_mode (opset 12+) must be absent or known false.
      const training = ctx.opset >= 12 && ctx.optional(2) ? numbers(ctx.constant(2, 'training_mode'))[0] : 0;
      if (training) ctx.fail('training mode is not supported');
      if (ctx.outputCount < 2) return [x];
      // The mask was of x's type before opset 10, bool after; in inference every element is kept.
      const dims = dimsOf(ctx, x);
      const mask = ctx.opset < 10 ? filled(ctx, dtypeOf(ctx, x), 1, dims) : filled(ctx, 'pred', 1, dims);
      return [x, mask];
    },
  }),

  DepthToSpace: op({
    opsets: [1, 17],
    attrs: { blocksize: int(), mode: string('DCR') },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const [n, c, h, w] = rank4(ctx, x);
      const bs = a.blocksize ?? ctx.fail('needs blocksize');
      if (!(bs > 0)) ctx.fail(`blocksize ${bs} must be positive`);
      if (c % (bs * bs) !== 0) ctx.fail(`channels ${c} are not divisible by blocksize² ${bs * bs}`);
      const oc = c / (bs * bs);
      // DCR splits channels as (block row, block col, channel); CRD as (channel, block row, block col).
      const [split, perm] = a.mode === 'CRD'
        ? [[n, oc, bs, bs, h, w], [0, 1, 4, 2, 5, 3]]
        : a.mode === 'DCR' ? [[n, bs, bs, oc, h, w], [0, 3, 4, 1, 5, 2]] : ctx.fail(`mode '${a.mode}' is not supported`);
      const moved = ctx.b.transpose(ctx.b.reshape(x, split), perm);
      return [ctx.b.reshape(moved, [n, oc, h * bs, w * bs])];
    },
  }),

  SpaceToDepth: op({
    opsets: [1, 17],
    attrs: { blocksize: int() },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const [n, c, h, w] = rank4(ctx, x);
      const bs = a.blocksize ?? ctx.fail('needs blocksize');
      if (!(bs > 0)) ctx.fail(`blocksize ${bs} must be positive`);
      if (h % bs !== 0 || w % bs !== 0) ctx.fail(`spatial dims ${h}x${w} are not divisible by blocksize ${bs}`);
      const split = ctx.b.reshape(x, [n, c, h / bs, bs, w / bs, bs]);
      const moved = ctx.b.transpose(split, [0, 3, 5, 1, 2, 4]);
      return [ctx.b.reshape(moved, [n, c * bs * bs, h / bs, w / bs])];
    },
  }),

  Trilu: op({
    opsets: [14, 17],
    attrs: { upper: int(1) },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const r = dims.length;
      if (r < 2) ctx.fail('needs rank >= 2');
      const k = ctx.optional(1) ? ctx.b.reshape(ctx.b.convert(ctx.input(1), 's64'), []) : ctx.b.constantScalar('s64', 0n);
      // Keep element (i, j) when j - i >= k (upper) or j - i <= k (lower).
      const shape = array('s64', dims);
      const diag = ctx.b.subtract(ctx.b.iota(shape, r - 1), ctx.b.iota(shape, r - 2));
      const keep = ctx.b.compare(diag, ctx.b.broadcast(k, dims), a.upper ? 'GE' : 'LE');
      return [ctx.b.select(keep, x, filled(ctx, dtypeOf(ctx, x), 0, dims))];
    },
  }),

  OneHot: op({
    opsets: [9, 17],
    attrs: { axis: int(-1) },
    lower: (ctx, a) => {
      const idxIn = ctx.input(0);
      const depth = numbers(ctx.constant(1, 'depth'))[0];
      const values = ctx.input(2);
      const dims = dimsOf(ctx, idxIn);
      const outRank = dims.length + 1;
      const axis = normAxis(ctx, a.axis, outRank);
      const out = [...dims.slice(0, axis), Math.trunc(depth), ...dims.slice(axis)];
      // Indices of any numeric type; negatives count back from depth.
      const idx = ctx.b.convert(idxIn, 's64');
      const wrapped = ctx.b.select(
        ctx.b.compare(idx, filled(ctx, 's64', 0, dims), 'LT'), ctx.b.add(idx, filled(ctx, 's64', Math.trunc(depth), dims)), idx);
      const spread = ctx.b.broadcast(wrapped, out, dims.map((_, i) => (i < axis ? i : i + 1)));
      const hot = ctx.b.compare(ctx.b.iota(array('s64', out), axis), spread, 'EQ');
      const pick = (i: number) => ctx.b.broadcast(ctx.b.reshape(ctx.b.slice(values, [i], [i + 1]), []), out);
      return [ctx.b.select(hot, pick(1), pick(0))];
    },
  }),

  ScatterElements: scatterElements([11, 17]),
  Scatter: scatterElements([9, 10]),

  ScatterND: op({
    opsets: [11, 17],
    attrs: { reduction: string('none') },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const idxDims = dimsOf(ctx, ctx.input(1));
      const q = idxDims.length;
      const k = idxDims[q - 1];
      const idx = wrapIndices(ctx, 1, dims.slice(0, k));
      const mapped = Array.from({ length: k }, (_, i) => i);
      // updates: indices dims[:-1] + dims[k:]; the trailing dims are the window.
      return [ctx.b.op('scatter', [x, idx, ctx.input(2)], {
        update_window_dims: Array.from({ length: dims.length - k }, (_, i) => q - 1 + i),
        inserted_window_dims: mapped,
        scatter_dims_to_operand_dims: mapped,
        index_vector_dim: q - 1,
        to_apply: combinerFor(ctx, a.reduction, dtypeOf(ctx, x)),
      })];
    },
  }),
};

/** ScatterElements (and its deprecated twin Scatter): data with updates written at per-element indices. */
function scatterElements(opsets: readonly [number, number]) {
  return op({
    opsets,
    attrs: { axis: int(0), reduction: string('none') },
    lower: (ctx, a) => {
      const x = ctx.input(0);
      const dims = dimsOf(ctx, x);
      const axis = normAxis(ctx, a.axis, dims.length);
      const coords = elementCoords(ctx, wrapIndices(ctx, 1, dims[axis]), axis);
      const all = dims.map((_, d) => d);
      return [ctx.b.op('scatter', [x, coords, ctx.input(2)], {
        update_window_dims: [], inserted_window_dims: all, scatter_dims_to_operand_dims: all, index_vector_dim: dims.length,
        to_apply: combinerFor(ctx, a.reduction, dtypeOf(ctx, x)),
      })];
    },
  });
}

/** Split `n` into `parts` equal pieces (uneven splits need num_outputs, opset 18). */
function equalSplit(ctx: LowerCtx, n: number, parts: number): number[] {
  if (parts < 1) ctx.fail('has no outputs');
  if (n % parts !== 0) ctx.fail(`axis of length ${n} does not split into ${parts} equal parts`);
  return Array.from({ length: parts }, () => n / parts);
}

function rank4(ctx: LowerCtx, x: Instruction): [number, number, number, number] {
  const d = dimsOf(ctx, x);
  if (d.length !== 4) ctx.fail(`expects a rank-4 NCHW input, got rank ${d.length}`);
  return [d[0], d[1], d[2], d[3]];
}
