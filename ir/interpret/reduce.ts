// reduce, reduce-window, select-and-scatter and map: the opcodes that apply a called
// scalar computation. Reduction order (XLA leaves it unspecified): sequential from the
// init value over the reduced elements in row-major order.
import type { DType } from '../dtype.js';
import { tupleLiteral, type ArrayLiteral, type Literal, type Values } from '../literal.js';
import type { Instruction, InstructionOf } from '../module.js';
import { leaves, type ArrayShape } from '../shape.js';
import { binaryFast, combiner, predicate, scalarCaller } from './apply.js';
import { alloc, arr, fail, filled, otherDims, pack, product, put, strides, type Ctx } from './util.js';
import { decode, fullWindow, planWindow, windowOffset } from './window.js';
import type { Scalar } from '../scalar/value.js';

/** Split variadic operands into N inputs and N init values. */
function inputsAndInits(instr: Instruction, ops: Literal[]): [ArrayLiteral[], ArrayLiteral[]] {
  if (ops.length % 2 !== 0) fail(instr, `expected as many init values as inputs, got ${ops.length} operands`);
  const n = ops.length / 2;
  return [ops.slice(0, n).map((o) => arr(instr, o, 'input')), ops.slice(n).map((o) => arr(instr, o, 'init value'))];
}

/** Result leaves, one per input. */
function outShapes(instr: Instruction, n: number): ArrayShape[] {
  const ls = leaves(instr.shape);
  if (ls.length !== n) fail(instr, `result has ${ls.length} arrays, expected ${n}`);
  return ls;
}

function collate(instr: Instruction, shapes: ArrayShape[], datas: Values[]): Literal {
  const lits = shapes.map((shape, j) => ({ shape, data: datas[j] }));
  return instr.shape.kind === 'tuple' ? tupleLiteral(lits) : lits[0];
}

export function evalReduce(instr: InstructionOf<'reduce'>, ops: Literal[], ctx: Ctx): Literal {
  const [inputs, inits] = inputsAndInits(instr, ops);
  const n = inputs.length;
  const inDims = inputs[0].shape.dims;
  const dims = [...instr.attrs.dimensions].sort((a, b) => a - b);
  const kept = otherDims(inDims.length, dims);
  const shapes = outShapes(instr, n);
  const O = product(kept.map((d) => inDims[d])), R = product(dims.map((d) => inDims[d]));
  if (O !== product(shapes[0].dims)) fail(instr, `reduce result has ${product(shapes[0].dims)} elements, expected ${O}`);
  // Kept dims major, reduced dims minor: each output reduces one contiguous run, in row-major order.
  const packed = inputs.map((x) => pack(x, [...kept, ...dims]));
  const outs = shapes.map((s) => alloc(s.dtype, O));
  const accTypes = inits.map((l) => l.shape.dtype), xTypes = inputs.map((l) => l.shape.dtype);
  const fast = n === 1 && accTypes[0] === xTypes[0] ? binaryFast(instr.attrs.to_apply, accTypes[0]) : undefined;
  if (fast) {
    const P = packed[0] as ArrayLike<Scalar>, init = inits[0].data[0];
    for (let o = 0; o < O; o++) {
      let a: Scalar = init;
      for (let r = 0, i = o * R; r < R; r++, i++) a = fast(a, P[i]);
      put(outs[0], o, a);
    }
    return collate(instr, shapes, outs);
  }
  const step = combiner(instr.attrs.to_apply, accTypes, xTypes, ctx);
  const acc: Scalar[] = new Array(n), xs: Scalar[] = new Array(n);
  for (let o = 0; o < O; o++) {
    for (let j = 0; j < n; j++) acc[j] = inits[j].data[0];
    for (let r = 0, i = o * R; r < R; r++, i++) {
      for (let j = 0; j < n; j++) xs[j] = packed[j][i];
      step(acc, xs);
    }
    for (let j = 0; j < n; j++) put(outs[j], o, acc[j]);
  }
  return collate(instr, shapes, outs);
}

/** Window positions over padding or dilation holes are skipped (they contribute the init value). */
export function evalReduceWindow(instr: InstructionOf<'reduce-window'>, ops: Literal[], ctx: Ctx): Literal {
  const [inputs, inits] = inputsAndInits(instr, ops);
  const n = inputs.length;
  const inDims = inputs[0].shape.dims;
  const shapes = outShapes(instr, n);
  const outDims = shapes[0].dims;
  const win = fullWindow(instr.attrs.window, inDims.length);
  const plan = planWindow(win, outDims, inDims, strides(inDims));
  const P = product(outDims), oidx = new Int32Array(outDims.length);
  const outs = shapes.map((s) => alloc(s.dtype, P));
  const step = combiner(instr.attrs.to_apply, inits.map((l) => l.shape.dtype), inputs.map((l) => l.shape.dtype), ctx);
  const acc: Scalar[] = new Array(n), xs: Scalar[] = new Array(n);
  for (let p = 0; p < P; p++) {
    decode(p, outDims, oidx);
    for (let j = 0; j < n; j++) acc[j] = inits[j].data[0];
    for (let q = 0; q < plan.count; q++) {
      const off = windowOffset(plan, oidx, q);
      if (off < 0) continue;
      for (let j = 0; j < n; j++) xs[j] = inputs[j].data[off];
      step(acc, xs);
    }
    for (let j = 0; j < n; j++) put(outs[j], p, acc[j]);
  }
  return collate(instr, shapes, outs);
}

/**
 * For each source element, select one operand element in its window (the first in
 * row-major order, replaced whenever select(current, candidate) is false), then
 * output[selected] = scatter(output[selected], source). The output starts as init.
 */
export function evalSelectAndScatter(instr: InstructionOf<'select-and-scatter'>, ops: Literal[], ctx: Ctx): Literal {
  const x = arr(instr, ops[0]), src = arr(instr, ops[1], 'source'), init = arr(instr, ops[2], 'init value');
  const result = filled(leaves(instr.shape)[0], init.data[0]);
  const inDims = x.shape.dims, srcDims = src.shape.dims;
  const win = fullWindow(instr.attrs.window, inDims.length);
  const plan = planWindow(win, srcDims, inDims, strides(inDims));
  const dt: DType = x.shape.dtype, st: DType = src.shape.dtype;
  const select = predicate(instr.attrs.select, [dt, dt], ctx);
  const scatter = binaryFast(instr.attrs.scatter, st) ?? ((a: Scalar, b: Scalar) => scalarCaller(instr.attrs.scatter, [st, st], ctx)([a, b])[0]);
  const P = product(srcDims), oidx = new Int32Array(srcDims.length);
  const X = x.data, out = result.data;
  const pair: Scalar[] = [0, 0];
  for (let p = 0; p < P; p++) {
    decode(p, srcDims, oidx);
    let sel = -1;
    for (let q = 0; q < plan.count; q++) {
      const off = windowOffset(plan, oidx, q);
      if (off < 0) continue;
      if (sel < 0) { sel = off; continue; }
      pair[0] = X[sel];
      pair[1] = X[off];
      if (!select(pair)) sel = off;
    }
    if (sel >= 0) put(out, sel, scatter(out[sel], src.data[p]));
  }
  return result;
}

export function evalMap(instr: InstructionOf<'map'>, ops: Literal[], ctx: Ctx): Literal {
  const inputs = ops.map((o) => arr(instr, o, 'input'));
  const out = leaves(instr.shape)[0];
  const n = product(out.dims);
  const data = alloc(out.dtype, n);
  const types = inputs.map((l) => l.shape.dtype);
  const fast = inputs.length === 2 && types[0] === types[1] && types[0] === out.dtype
    ? binaryFast(instr.attrs.to_apply, types[0]) : undefined;
  if (fast) {
    const A = inputs[0].data, B = inputs[1].data;
    for (let i = 0; i < n; i++) put(data, i, fast(A[i], B[i]));
    return { shape: out, data };
  }
  const call = scalarCaller(instr.attrs.to_apply, types, ctx);
  const args: Scalar[] = new Array(inputs.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inputs.length; j++) args[j] = inputs[j].data[i];
    put(data, i, call(args)[0]);
  }
  return { shape: out, data };
}
