// Shape rules for the ops that compute (dot, convolution, reductions, windows, gather,
// scatter, sort, map) and for control flow (call, fusion, while, conditional). The
// semantics are XLA's ShapeInference; called computations are checked here too, since a
// reducer's signature decides the result type.
import type { Computation } from './module.js';
import { ArrayShape, Shape, array, sameDims, sameShape, scalar, tuple } from './shape.js';
import {
  ShapeRule, arrayAt, checkDims, checkIntegerIndices, checkParam, checkParamCount, checkPermutation,
  checkPredicate, checkReducer, checkSignature, checkSorted, fail, fmt, list, sameTypeIgnoringFp, scalarAt, windowOutputDims,
} from './shape_check.js';

const rankOf = (s: ArrayShape) => s.dims.length;

// --- dot and convolution -------------------------------------------------------------

function checkDotDims(batch: number[], contracting: number[], s: ArrayShape, side: string): void {
  checkDims(batch, rankOf(s), `${side}_batch_dims`, `${side} ${fmt(s)}`);
  checkDims(contracting, rankOf(s), `${side}_contracting_dims`, `${side} ${fmt(s)}`);
  for (const d of contracting) if (batch.includes(d)) fail(`${side} dim ${d} is both a batch and a contracting dim`);
}

export const dot: ShapeRule<'dot'> = (operands, a) => {
  const lhs = arrayAt(operands, 0, 'lhs'), rhs = arrayAt(operands, 1, 'rhs');
  const lb = a.lhs_batch_dims ?? [], rb = a.rhs_batch_dims ?? [];
  const lc = a.lhs_contracting_dims ?? [], rc = a.rhs_contracting_dims ?? [];
  checkDotDims(lb, lc, lhs, 'lhs');
  checkDotDims(rb, rc, rhs, 'rhs');
  if (lb.length !== rb.length) fail(`lhs_batch_dims ${list(lb)} and rhs_batch_dims ${list(rb)} differ in length`);
  if (lc.length !== rc.length) fail(`lhs_contracting_dims ${list(lc)} and rhs_contracting_dims ${list(rc)} differ in length`);
  lb.forEach((l, i) => {
    if (lhs.dims[l] !== rhs.dims[rb[i]])
      fail(`lhs batch dim ${l} has size ${lhs.dims[l]} but rhs batch dim ${rb[i]} has size ${rhs.dims[rb[i]]}`);
  });
  lc.forEach((l, i) => {
    if (lhs.dims[l] !== rhs.dims[rc[i]])
      fail(`lhs contracting dim ${l} has size ${lhs.dims[l]} but rhs contracting dim ${rc[i]} has size ${rhs.dims[rc[i]]}`);
  });
  const free = (s: ArrayShape, used: readonly number[]) => s.dims.filter((_, i) => !used.includes(i));
  // The written type may differ (a preferred element type); the verifier allows that.
  return array(lhs.dtype, [...lb.map((l) => lhs.dims[l]), ...free(lhs, [...lb, ...lc]), ...free(rhs, [...rb, ...rc])]);
};

export const convolution: ShapeRule<'convolution'> = (operands, a) => {
  const lhs = arrayAt(operands, 0, 'lhs'), rhs = arrayAt(operands, 1, 'rhs');
  const d = a.dim_labels;
  const groups = a.feature_group_count ?? 1, batchGroups = a.batch_group_count ?? 1;
  if (!(groups >= 1)) fail(`feature_group_count is ${groups}, must be positive`);
  if (!(batchGroups >= 1)) fail(`batch_group_count is ${batchGroups}, must be positive`);
  if (groups > 1 && batchGroups > 1)
    fail(`feature_group_count ${groups} and batch_group_count ${batchGroups} cannot both exceed 1`);
  const n = d.inputSpatial.length;
  if (d.kernelSpatial.length !== n || d.outputSpatial.length !== n)
    fail(`dim_labels have ${n} input, ${d.kernelSpatial.length} kernel and ${d.outputSpatial.length} output spatial dims; they must agree`);
  const r = n + 2;
  if (rankOf(lhs) !== r) fail(`lhs ${fmt(lhs)} has rank ${rankOf(lhs)}, but dim_labels with ${n} spatial dims need rank ${r}`);
  if (rankOf(rhs) !== r) fail(`rhs ${fmt(rhs)} has rank ${rankOf(rhs)}, but dim_labels with ${n} spatial dims need rank ${r}`);
  checkPermutation([d.inputBatch, d.inputFeature, ...d.inputSpatial], r, 'dim_labels input dims');
  checkPermutation([d.kernelInput, d.kernelOutput, ...d.kernelSpatial], r, 'dim_labels kernel dims');
  checkPermutation([d.outputBatch, d.outputFeature, ...d.outputSpatial], r, 'dim_labels output dims');
  const window = a.window ?? [];
  if (window.length !== n) fail(`window has ${window.length} dimensions but the convolution has ${n} spatial dims`);

  const batch = lhs.dims[d.inputBatch], features = lhs.dims[d.inputFeature];
  const kIn = rhs.dims[d.kernelInput], kOut = rhs.dims[d.kernelOutput];
  if (features % groups !== 0)
    fail(`lhs feature dim ${d.inputFeature} has size ${features}, not a multiple of feature_group_count ${groups}`);
  if (features / groups !== kIn)
    fail(`lhs feature size ${features} / feature_group_count ${groups} is ${features / groups} but rhs input feature dim ${d.kernelInput} has size ${kIn}`);
  if (kOut % groups !== 0)
    fail(`rhs output feature dim ${d.kernelOutput} has size ${kOut}, not a multiple of feature_group_count ${groups}`);
  if (kOut % batchGroups !== 0)
    fail(`rhs output feature dim ${d.kernelOutput} has size ${kOut}, not a multiple of batch_group_count ${batchGroups}`);
  if (batch % batchGroups !== 0)
    fail(`lhs batch dim ${d.inputBatch} has size ${batch}, not a multiple of batch_group_count ${batchGroups}`);
  window.forEach((w, i) => {
    const k = rhs.dims[d.kernelSpatial[i]];
    if (w.size !== k) fail(`window dimension ${i} has size ${w.size} but rhs spatial dim ${d.kernelSpatial[i]} has size ${k}`);
  });
  const spatial = windowOutputDims(d.inputSpatial.map((i) => lhs.dims[i]), window, 'the lhs spatial dims');
  const out = new Array<number>(r);
  out[d.outputBatch] = batch / batchGroups;
  out[d.outputFeature] = kOut;
  d.outputSpatial.forEach((o, i) => (out[o] = spatial[i]));
  return array(lhs.dtype, out);
};

// --- reductions and windows ------------------------------------------------------------

/** Splits [inputs..., inits...] and checks the inputs share dims and the inits are scalars. */
function inputsAndInits(operands: readonly Shape[]): { inputs: ArrayShape[]; inits: ArrayShape[] } {
  if (operands.length % 2 !== 0)
    fail(`expects N inputs then N init values, got an odd number of operands (${operands.length})`);
  const n = operands.length / 2;
  const inputs = operands.slice(0, n).map((_, i) => arrayAt(operands, i, `input ${i}`));
  const inits = operands.slice(n).map((_, i) => scalarAt(operands, n + i, `init value ${i} (operand ${n + i})`));
  inputs.forEach((x, i) => {
    if (!sameDims(x.dims, inputs[0].dims)) fail(`input ${i} has shape ${fmt(x)} but input 0 has ${fmt(inputs[0])}; dims must match`);
  });
  return { inputs, inits };
}

const oneOrTuple = (shapes: Shape[], tupled = false): Shape => (shapes.length === 1 && !tupled ? shapes[0] : tuple(shapes));

export const reduce: ShapeRule<'reduce'> = (operands, a) => {
  const { inputs, inits } = inputsAndInits(operands);
  checkDims(a.dimensions, rankOf(inputs[0]), 'dimensions', `input ${fmt(inputs[0])}`);
  const { types, tupled } = checkReducer(a.to_apply, inits.map((s) => s.dtype), inputs.map((s) => s.dtype), 'to_apply');
  const kept = inputs[0].dims.filter((_, i) => !a.dimensions.includes(i));
  return oneOrTuple(types.map((t) => array(t, kept)), tupled);
};

export const reduceWindow: ShapeRule<'reduce-window'> = (operands, a) => {
  const { inputs, inits } = inputsAndInits(operands);
  const { types, tupled } = checkReducer(a.to_apply, inits.map((s) => s.dtype), inputs.map((s) => s.dtype), 'to_apply');
  const dims = windowOutputDims(inputs[0].dims, a.window ?? [], `input ${fmt(inputs[0])}`);
  return oneOrTuple(types.map((t) => array(t, dims)), tupled);
};

export const selectAndScatter: ShapeRule<'select-and-scatter'> = (operands, a) => {
  const operand = arrayAt(operands, 0, 'operand'), source = arrayAt(operands, 1, 'source');
  const init = scalarAt(operands, 2, 'init value');
  checkPredicate(a.select, [operand.dtype, operand.dtype], 'select');
  checkReducer(a.scatter, [init.dtype], [source.dtype], 'scatter');
  const windowed = windowOutputDims(operand.dims, a.window ?? [], `operand ${fmt(operand)}`);
  if (!sameDims(source.dims, windowed))
    fail(`source has shape ${fmt(source)} but the window over operand ${fmt(operand)} gives ${list(windowed)}`);
  return operand;
};

// --- gather and scatter ------------------------------------------------------------------

/** Indices with the implicit trailing 1 added when index_vector_dim equals their rank. */
function expandIndices(indices: ArrayShape, indexVectorDim: number, what: string): number[] {
  checkIntegerIndices(indices, what);
  if (!Number.isInteger(indexVectorDim) || indexVectorDim < 0 || indexVectorDim > rankOf(indices))
    fail(`index_vector_dim ${indexVectorDim} is out of range for ${what} ${fmt(indices)} (0..${rankOf(indices)})`);
  return indexVectorDim === rankOf(indices) ? [...indices.dims, 1] : [...indices.dims];
}

/** Operand and index batching dims pair up with equal sizes. */
function checkBatching(operand: ArrayShape, indices: number[], ivd: number, opDims: number[], idxDims: number[], names: [string, string]): void {
  checkSorted(opDims, names[0]);
  checkDims(opDims, rankOf(operand), names[0], `operand ${fmt(operand)}`);
  checkDims(idxDims, indices.length, names[1], `the indices`);
  if (opDims.length !== idxDims.length) fail(`${names[0]} ${list(opDims)} and ${names[1]} ${list(idxDims)} differ in length`);
  idxDims.forEach((d, i) => {
    if (d === ivd) fail(`${names[1]} names index_vector_dim ${ivd}`);
    if (operand.dims[opDims[i]] !== indices[d])
      fail(`operand batching dim ${opDims[i]} has size ${operand.dims[opDims[i]]} but indices batching dim ${d} has size ${indices[d]}`);
  });
}

export const gather: ShapeRule<'gather'> = (operands, a) => {
  const operand = arrayAt(operands, 0, 'operand'), indicesShape = arrayAt(operands, 1, 'start_indices');
  const ivd = a.index_vector_dim;
  const indices = expandIndices(indicesShape, ivd, 'start_indices');
  const offset = a.offset_dims, collapsed = a.collapsed_slice_dims ?? [], batching = a.operand_batching_dims ?? [];
  const sizes = a.slice_sizes, r = rankOf(operand);
  const outRank = offset.length + indices.length - 1;
  checkSorted(offset, 'offset_dims');
  checkDims(offset, outRank, 'offset_dims', `the result rank ${outRank}`);
  if (a.start_index_map.length !== indices[ivd])
    fail(`start_index_map ${list(a.start_index_map)} has ${a.start_index_map.length} entries but start_indices dim ${ivd} (index_vector_dim) has size ${indices[ivd]}`);
  checkDims(a.start_index_map, r, 'start_index_map', `operand ${fmt(operand)}`);
  checkSorted(collapsed, 'collapsed_slice_dims');
  checkDims(collapsed, r, 'collapsed_slice_dims', `operand ${fmt(operand)}`);
  checkBatching(operand, indices, ivd, batching, a.start_indices_batching_dims ?? [], ['operand_batching_dims', 'start_indices_batching_dims']);
  for (const c of collapsed) if (batching.includes(c)) fail(`dimension ${c} is in both collapsed_slice_dims and operand_batching_dims`);
  if (sizes.length !== r) fail(`slice_sizes ${list(sizes)} has ${sizes.length} entries but operand ${fmt(operand)} has rank ${r}`);
  if (offset.length + collapsed.length + batching.length !== r)
    fail(`offset_dims (${offset.length}) + collapsed_slice_dims (${collapsed.length}) + operand_batching_dims (${batching.length}) must add up to the operand rank ${r}`);
  sizes.forEach((s, i) => {
    if (s < 0 || s > operand.dims[i]) fail(`slice_sizes[${i}] = ${s} is out of range for operand dim ${i} of size ${operand.dims[i]}`);
  });
  for (const c of [...collapsed, ...batching])
    if (sizes[c] > 1) fail(`slice_sizes[${c}] = ${sizes[c]}, but collapsed and batching dims must have slice size 0 or 1`);
  const windowSizes = sizes.filter((_, i) => !collapsed.includes(i) && !batching.includes(i));
  const batchSizes = indices.filter((_, i) => i !== ivd);
  const out: number[] = [];
  for (let i = 0, w = 0, b = 0; i < outRank; i++) out.push(offset.includes(i) ? windowSizes[w++] : batchSizes[b++]);
  return array(operand.dtype, out);
};

export const scatter: ShapeRule<'scatter'> = (operands, a) => {
  if (operands.length % 2 !== 1)
    fail(`expects N inputs, the indices and N updates (an odd count), got ${operands.length} operands`);
  const n = (operands.length - 1) / 2;
  const inputs = operands.slice(0, n).map((_, i) => arrayAt(operands, i, `input ${i}`));
  const updates = operands.slice(n + 1).map((_, i) => arrayAt(operands, n + 1 + i, `updates ${i} (operand ${n + 1 + i})`));
  const ivd = a.index_vector_dim;
  const indices = expandIndices(arrayAt(operands, n, `scatter_indices (operand ${n})`), ivd, 'scatter_indices');
  const operand = inputs[0], r = rankOf(operand);
  inputs.forEach((x, i) => {
    if (!sameDims(x.dims, operand.dims)) fail(`input ${i} has shape ${fmt(x)} but input 0 has ${fmt(operand)}; dims must match`);
    if (!sameTypeIgnoringFp(updates[i].dtype, x.dtype)) fail(`updates ${i} has element type ${updates[i].dtype}, expected ${x.dtype} (that of input ${i})`);
    if (!sameDims(updates[i].dims, updates[0].dims)) fail(`updates ${i} has shape ${fmt(updates[i])} but updates 0 has ${fmt(updates[0])}; dims must match`);
  });
  const upd = updates[0];
  const uwd = a.update_window_dims, inserted = a.inserted_window_dims ?? [], batching = a.input_batching_dims ?? [];
  const expectedRank = indices.length - 1 + uwd.length;
  if (rankOf(upd) !== expectedRank)
    fail(`updates ${fmt(upd)} have rank ${rankOf(upd)}, expected ${expectedRank} (${indices.length - 1} scatter dims + ${uwd.length} update_window_dims)`);
  checkDims(uwd, rankOf(upd), 'update_window_dims', `updates ${fmt(upd)}`);
  checkSorted(inserted, 'inserted_window_dims');
  checkDims(inserted, r, 'inserted_window_dims', `input ${fmt(operand)}`);
  checkBatching(operand, indices, ivd, batching, a.scatter_indices_batching_dims ?? [], ['input_batching_dims', 'scatter_indices_batching_dims']);
  for (const d of inserted) if (batching.includes(d)) fail(`dimension ${d} is in both inserted_window_dims and input_batching_dims`);
  if (uwd.length + inserted.length + batching.length !== r)
    fail(`update_window_dims (${uwd.length}) + inserted_window_dims (${inserted.length}) + input_batching_dims (${batching.length}) must add up to the input rank ${r}`);
  const sdod = a.scatter_dims_to_operand_dims;
  if (sdod.length !== indices[ivd])
    fail(`scatter_dims_to_operand_dims ${list(sdod)} has ${sdod.length} entries but scatter_indices dim ${ivd} (index_vector_dim) has size ${indices[ivd]}`);
  checkDims(sdod, r, 'scatter_dims_to_operand_dims', `input ${fmt(operand)}`);
  const windowBounds = operand.dims.filter((_, i) => !inserted.includes(i) && !batching.includes(i));
  uwd.forEach((u, i) => {
    if (upd.dims[u] > windowBounds[i])
      fail(`updates window dim ${u} has size ${upd.dims[u]}, larger than the input's window bound ${windowBounds[i]}`);
  });
  const scatterSizes = indices.filter((_, i) => i !== ivd);
  for (let i = 0, s = 0; i < rankOf(upd); i++) {
    if (uwd.includes(i)) continue;
    if (upd.dims[i] !== scatterSizes[s])
      fail(`updates scatter dim ${i} has size ${upd.dims[i]} but the matching scatter_indices dim has size ${scatterSizes[s]}`);
    s++;
  }
  checkReducer(a.to_apply, inputs.map((s) => s.dtype), updates.map((s) => s.dtype), 'to_apply');
  return oneOrTuple(inputs);
};

// --- sort and map --------------------------------------------------------------------

export const sort: ShapeRule<'sort'> = (operands, a) => {
  const xs = operands.map((_, i) => arrayAt(operands, i));
  xs.forEach((x, i) => {
    if (!sameDims(x.dims, xs[0].dims)) fail(`operand ${i} has shape ${fmt(x)} but operand 0 has ${fmt(xs[0])}; dims must match`);
  });
  if (a.dimensions.length !== 1) fail(`dimensions ${list(a.dimensions)} must name exactly one dimension`);
  checkDims(a.dimensions, rankOf(xs[0]), 'dimensions', `operand 0 ${fmt(xs[0])}`);
  checkPredicate(a.to_apply, xs.flatMap((x) => [x.dtype, x.dtype]), 'comparator');
  return oneOrTuple(xs);
};

export const map: ShapeRule<'map'> = (operands, a) => {
  const xs = operands.map((_, i) => arrayAt(operands, i));
  xs.forEach((x, i) => {
    if (!sameDims(x.dims, xs[0].dims)) fail(`operand ${i} has shape ${fmt(x)} but operand 0 has ${fmt(xs[0])}; dims must match`);
  });
  const r = rankOf(xs[0]);
  if (a.dimensions && (a.dimensions.length !== r || a.dimensions.some((d, i) => d !== i)))
    fail(`dimensions ${list(a.dimensions)} must be all of 0..${r - 1} in order (map applies to every element)`);
  checkParamCount(a.to_apply, xs.length, 'to_apply', ' (one per operand)');
  xs.forEach((x, i) => checkParam(a.to_apply, i, scalar(x.dtype), 'to_apply', ` (the element type of operand ${i})`));
  const root = a.to_apply.root.shape;
  if (root.kind !== 'array' || root.dims.length !== 0) fail(`to_apply %${a.to_apply.name} returns ${fmt(root)}, expected a scalar`);
  return array((root as ArrayShape).dtype, xs[0].dims);
};

// --- control flow ----------------------------------------------------------------------

export const call: ShapeRule<'call'> = (operands, a) => {
  checkSignature(a.to_apply, operands, 'to_apply');
  return a.to_apply.root.shape;
};

export const fusion: ShapeRule<'fusion'> = (operands, a) => {
  checkSignature(a.calls, operands, 'calls');
  return a.calls.root.shape;
};

export const whileLoop: ShapeRule<'while'> = (operands, a) => {
  const init = operands[0];
  checkSignature(a.condition, [init], 'condition');
  checkSignature(a.body, [init], 'body');
  if (!sameShape(a.body.root.shape, init))
    fail(`body %${a.body.name} returns ${fmt(a.body.root.shape)}, expected ${fmt(init)} (the shape of the operand)`);
  if (!sameShape(a.condition.root.shape, scalar('pred')))
    fail(`condition %${a.condition.name} returns ${fmt(a.condition.root.shape)}, expected pred[]`);
  return init;
};

export const conditional: ShapeRule<'conditional'> = (operands, a) => {
  const index = arrayAt(operands, 0, 'branch index');
  let branches: Computation[];
  if (a.branch_computations) {
    if (a.true_computation || a.false_computation)
      fail('give either branch_computations or true_computation and false_computation, not both');
    branches = a.branch_computations;
    if (!sameShape(index, scalar('s32'))) fail(`branch index has shape ${fmt(index)}, expected s32[] (with branch_computations)`);
  } else if (a.true_computation && a.false_computation) {
    branches = [a.true_computation, a.false_computation];
    if (!sameShape(index, scalar('pred'))) fail(`branch index has shape ${fmt(index)}, expected pred[] (with true_computation and false_computation)`);
  } else {
    return fail('needs branch_computations, or both true_computation and false_computation');
  }
  if (branches.length === 0) fail('branch_computations is empty');
  if (operands.length !== branches.length + 1)
    fail(`has ${operands.length - 1} branch operands for ${branches.length} branches; expected one per branch`);
  const result = branches[0].root.shape;
  branches.forEach((b, j) => {
    checkSignature(b, [operands[j + 1]], `branch ${j}`);
    if (!sameShape(b.root.shape, result))
      fail(`branch ${j} %${b.name} returns ${fmt(b.root.shape)} but branch 0 %${branches[0].name} returns ${fmt(result)}`);
  });
  return result;
};
