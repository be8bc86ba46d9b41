// Per-element rules that loop: reduce, reduce-window, dot and convolution, each as an
// accumulator over serial loops (the reducer computation inlined). These are the
// correct-everywhere forms; dot and convolution also have tiled kernels (tiled.ts)
// that the program builder prefers when their shapes allow.
import * as k from '../../ir/kernel/build.js';
import type { BinaryOp, Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { Computation, Instruction, InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import type { WindowDim } from '../../ir/attrs.js';
import { fixed, type Emitter, type Idx } from './emitter.js';
import { NotCompiled } from './errors.js';
import { asParam, convertValue, dtypeOf, narrow } from './elemental_math.js';
import type { DType } from '../../ir/dtype.js';
import { fullWindow } from '../../ir/interpret/window.js';
import { computeType } from './types.js';

const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;

/** Mutable accumulators, one per value, initialised to `init`. */
function accumulators(em: Emitter, hint: string, init: readonly Expr[]): { names: string[]; read: () => Expr[] } {
  const names = init.map((v) => {
    const name = em.kb.fresh(hint);
    em.out.push(k.letStmt(name, v));
    return name;
  });
  return { names, read: () => names.map((n, j) => k.variable(n, init[j].type)) };
}

/** Serial loops over `sizes` (outermost first) around `body(vars)`, written into em.out. */
function loopNest(em: Emitter, hint: string, sizes: readonly number[], body: (vars: Expr[]) => void): void {
  const vars = sizes.map(() => em.kb.fresh(hint));
  const [inner] = em.nested(() => body(vars.map((v) => k.variable(v))));
  let stmts: Stmt[] = inner;
  for (let d = sizes.length - 1; d >= 0; d--) stmts = [k.loop(vars[d], 0, sizes[d], stmts)];
  em.out.push(...stmts);
}

/** acc = reducer(acc..., x...) for every element of the reduced dims. */
export function reduceRule(em: Emitter, instr: InstructionOf<'reduce'>, index: readonly Idx[]): Expr[] {
  if (em.lanes === 1 && em.vectorsOk && isRowReduction(instr)) return rowReduce(em, instr, index);
  const n = instr.operands.length / 2;
  const inputs = instr.operands.slice(0, n), inits = instr.operands.slice(n);
  const inDims = dimsOf(inputs[0]);
  const reduced = new Set(instr.attrs.dimensions);
  const acc = accumulators(em, 'acc', inits.map((i, j) => asParam(instr.attrs.to_apply.params[j], em.value(i, []))));
  const sizes = inDims.filter((_, d) => reduced.has(d));
  loopNest(em, 'r', sizes, (vars) => {
    let o = 0, r = 0;
    const inIdx = inDims.map((_, d) => (reduced.has(d) ? fixed(vars[r++]) : index[o++]));
    const xs = inputs.map((x) => em.value(x, inIdx));
    combine(em, instr.attrs.to_apply, acc, xs);
  });
  return acc.read();
}

/** Reducer operations that reassociate, with their identity per compute type. */
const LANE_REDUCERS: Partial<Record<BinaryOp, Record<'f32' | 's32' | 'u32', number | undefined>>> = {
  // -0, not +0: x + -0 is x for every x, -0 included (+0 would turn a lane of -0s into +0).
  add: { f32: -0, s32: 0, u32: 0 },
  multiply: { f32: 1, s32: 1, u32: 1 },
  maximum: { f32: -Infinity, s32: -(2 ** 31), u32: 0 },
  minimum: { f32: Infinity, s32: 2 ** 31 - 1, u32: 2 ** 32 - 1 },
  and: { f32: undefined, s32: -1, u32: 2 ** 32 - 1 },
  or: { f32: undefined, s32: 0, u32: 0 },
};
/** Rows shorter than this keep the old form (four rows at once): a vector loop of one or two steps gains nothing. */
const MIN_ROW = 16;

/** The identity of the reducer's operation in `scalar`, when the reducer is one operation that reassociates. */
export function laneIdentity(reducer: Computation, scalar: string): number | undefined {
  const root = reducer.root;
  if (reducer.params.length !== 2 || root.operands.length !== 2 || !root.operands.every((o) => reducer.params.includes(o)) || root.operands[0] === root.operands[1]) return undefined;
  return LANE_REDUCERS[root.opcode as BinaryOp]?.[scalar as 'f32'];
}

/**
 * A reduce of one 32-bit array along its minor (contiguous) dim, at least MIN_ROW long,
 * with a reducer that reassociates (add, multiply, maximum, minimum, and, or): a loop
 * kernel computes it one output at a time, each row in four interleaved vector lanes.
 */
export function isRowReduction(instr: Instruction): boolean {
  if (instr.opcode === 'tuple') return instr.operands.length > 0 && instr.operands.every(isRowReduction);
  if (instr.opcode !== 'reduce') return false;
  const r = instr as InstructionOf<'reduce'>;
  if (r.operands.length !== 2) return false;
  const dims = dimsOf(r.operands[0]), dt = dtypeOf(r.operands[0]);
  if (dt !== 'f32' && dt !== 's32' && dt !== 'u32') return false;
  return dims.length > 0 && r.attrs.dimensions.includes(dims.length - 1) && dims[dims.length - 1] >= MIN_ROW && laneIdentity(r.attrs.to_apply, dt) !== undefined;
}

/**
 * The reduce at a scalar output index, reading each row in 4-lane vectors: lane l
 * accumulates elements l, l+4, ... from the reducer's identity, the lanes combine
 * pairwise, then the row's tail, then the init value. XLA leaves a reduction's order
 * unspecified; the result differs from the sequential one only by reassociation.
 */
function rowReduce(em: Emitter, instr: InstructionOf<'reduce'>, index: readonly Idx[]): Expr[] {
  const [input, init] = instr.operands;
  const inDims = dimsOf(input), minor = inDims.length - 1, n = inDims[minor];
  const reduced = new Set(instr.attrs.dimensions);
  const reducer = instr.attrs.to_apply;
  const scalar = computeType(dtypeOf(input));
  const identity = laneIdentity(reducer, scalar)!;
  const vecEnd = Math.floor(n / 4) * 4;
  const vacc = accumulators(em, 'vacc', [k.constant(scalar, identity, 4)]);
  const tacc = vecEnd < n ? accumulators(em, 'tacc', [k.constant(scalar, identity)]) : undefined;
  const step = (e: Emitter, acc: { names: string[]; read: () => Expr[] }, x: Expr) => em.out.push(k.assign(acc.names[0], e.inline(reducer, [acc.read()[0], x])[0]));
  loopNest(em, 'r', inDims.slice(0, minor).filter((_, d) => reduced.has(d)), (vars) => {
    const at = (m: Idx): Idx[] => {
      let o = 0, r = 0;
      return inDims.map((_, d) => (d === minor ? m : reduced.has(d) ? fixed(vars[r++]) : index[o++]));
    };
    const j = em.kb.fresh('j');
    const [body] = em.nested(() => {
      const ve = em.vector();
      step(ve, vacc, ve.value(input, at({ e: k.variable(j), lane: true })));
    });
    em.out.push(k.loop(j, 0, vecEnd, body, 'serial', 4));
    if (!tacc) return;
    const t = em.kb.fresh('t');
    const [tail] = em.nested(() => step(em, tacc, em.value(input, at(fixed(k.variable(t))))));
    em.out.push(k.loop(t, vecEnd, n, tail));
  });
  const f = (a: Expr, b: Expr): Expr => em.inline(reducer, [a, b])[0];
  const lane = (l: number): Expr => k.extract(vacc.read()[0], l);
  const row = f(f(lane(0), lane(1)), f(lane(2), lane(3)));
  return [f(em.value(init, []), tacc ? f(row, tacc.read()[0]) : row)];
}

function combine(em: Emitter, reducer: Computation, acc: { names: string[]; read: () => Expr[] }, xs: Expr[]): void {
  const next = em.inline(reducer, [...acc.read(), ...xs]);
  // Evaluate every new value before assigning any: the reducer reads all accumulators.
  const tmp = next.map((v) => em.bind('nx', v));
  acc.names.forEach((name, j) => em.out.push(k.assign(name, tmp[j])));
}

/** Window positions over padding or base-dilation holes are skipped, as in the interpreter. */
export function reduceWindowRule(em: Emitter, instr: InstructionOf<'reduce-window'>, index: readonly Idx[]): Expr[] {
  const n = instr.operands.length / 2;
  const inputs = instr.operands.slice(0, n), inits = instr.operands.slice(n);
  const inDims = dimsOf(inputs[0]);
  const win = fullWindow(instr.attrs.window, inDims.length);
  if (win.some((w) => w.reversal)) throw new NotCompiled(instr, 'window reversal');
  const trivial = (w: WindowDim): boolean => w.size === 1 && w.stride === 1 && w.padLow === 0 && w.padHigh === 0 && w.lhsDilate === 1;
  if (index.some((i, d) => i.lane && !trivial(win[d]))) return em.perLane(index, (s, idx) => reduceWindowRule(s, instr as InstructionOf<'reduce-window'>, idx));
  const acc = accumulators(em, 'acc', inits.map((i, j) => asParam(instr.attrs.to_apply.params[j], em.value(i, []))));
  const windowed = win.map((w, d) => (trivial(w) ? -1 : d)).filter((d) => d >= 0);
  loopNest(em, 'w', windowed.map((d) => win[d].size), (vars) => {
    const inIdx: Idx[] = index.map((i) => i);
    let inside: Expr = k.constant('pred', 1);
    windowed.forEach((d, j) => {
      const { pos, ok } = windowPosition(index[d].e, vars[j], win[d], inDims[d]);
      inIdx[d] = fixed(pos);
      inside = k.and(inside, ok);
    });
    const [body] = em.nested(() => combine(em, instr.attrs.to_apply, acc, inputs.map((x) => em.value(x, inIdx))));
    em.out.push(...(inside.k === 'const' && inside.value === 1 ? body : [k.ifStmt(inside, body)]));
  });
  return acc.read();
}


/** Input position read by output position `o`, window offset `w`; `ok` false over padding or holes. Clamped in bounds. */
export function windowPosition(o: Expr, w: Expr, d: WindowDim, inSize: number): { pos: Expr; ok: Expr } {
  const p = k.sub(k.add(k.mul(o, k.int(d.stride)), k.mul(w, k.int(d.rhsDilate))), k.int(d.padLow));
  let ok = k.inRange(p, (inSize - 1) * d.lhsDilate + 1);
  let pos = p;
  if (d.lhsDilate > 1) {
    const clamped = k.min(k.max(p, k.int(0)), k.int((inSize - 1) * d.lhsDilate));
    ok = k.and(ok, k.compare('EQ', k.mod(clamped, d.lhsDilate), k.int(0)));
    pos = k.div(clamped, d.lhsDilate);
  }
  return { pos: k.min(k.max(pos, k.int(0)), k.int(inSize - 1)), ok };
}

/** dot: Σ over the contracting dims; the result dims are batch, lhs free, rhs free. */
export function dotRule(em: Emitter, instr: InstructionOf<'dot'>, index: readonly Idx[]): Expr[] {
  const [lhs, rhs] = instr.operands;
  const a = instr.attrs;
  const lb = a.lhs_batch_dims ?? [], lc = a.lhs_contracting_dims ?? [], rb = a.rhs_batch_dims ?? [], rc = a.rhs_contracting_dims ?? [];
  const ld = dimsOf(lhs), rd = dimsOf(rhs);
  const lFree = ld.map((_, d) => d).filter((d) => !lb.includes(d) && !lc.includes(d));
  const rFree = rd.map((_, d) => d).filter((d) => !rb.includes(d) && !rc.includes(d));
  const dt = dtypeOf(instr);
  const acc = accumulators(em, 'acc', [em.constant(computeType(dt), 0)]);
  loopNest(em, 'c', lc.map((d) => ld[d]), (vars) => {
    const li: Idx[] = new Array(ld.length), ri: Idx[] = new Array(rd.length);
    let o = 0;
    lb.forEach((d, j) => { li[d] = index[o]; ri[rb[j]] = index[o]; o++; });
    for (const d of lFree) li[d] = index[o++];
    for (const d of rFree) ri[d] = index[o++];
    lc.forEach((d, j) => { li[d] = fixed(vars[j]); ri[rc[j]] = fixed(vars[j]); });
    const x = asType(em, em.value(lhs, li), dtypeOf(lhs), dt), y = asType(em, em.value(rhs, ri), dtypeOf(rhs), dt);
    em.out.push(k.assign(acc.names[0], accumulate(acc.read()[0], x, y, dt)));
  });
  // Floats accumulate in f32 and round to f16/bf16 once, at the end (as the interpreter does).
  return acc.read().map((v) => narrow(v, dt));
}

/**
 * acc + x·y for a dot's or a convolution's sum: pred as or/and; floats with muladd (the
 * sum's rounding is unspecified, so the target may fuse), left in f32 for f16/bf16;
 * integers wrap at every step (hardware does).
 */
function accumulate(acc: Expr, x: Expr, y: Expr, dt: DType): Expr {
  if (dt === 'pred') return k.binary('or', acc, k.binary('and', x, y));
  if (x.type.scalar === 'f32' || x.type.scalar === 'f64') return k.muladd(x, y, acc);
  return narrow(k.binary('add', acc, k.binary('multiply', x, y)), dt);
}

/** Direct convolution: Σ over input features (of the output feature's group) and the window. */
export function convolutionRule(em: Emitter, instr: InstructionOf<'convolution'>, index: readonly Idx[]): Expr[] {
  const a = instr.attrs;
  const cd = a.dim_labels;
  const [input, kernel] = instr.operands;
  const id = dimsOf(input), kd = dimsOf(kernel);
  const nsp = cd.inputSpatial.length;
  const win = fullWindow(a.window, nsp, (i) => kd[cd.kernelSpatial[i]]);
  if (win.some((w) => w.reversal)) throw new NotCompiled(instr, 'window reversal');
  const groups = a.feature_group_count ?? 1, batchGroups = a.batch_group_count ?? 1;
  const cin = kd[cd.kernelInput];
  const coutPerGroup = kd[cd.kernelOutput] / groups;
  const dt = dtypeOf(instr);
  // Batch groups: output feature f of batch b reads input batch b + (f / (O / bgc)) · (N / bgc).
  if (batchGroups > 1 && index.some((i) => i.lane)) return em.perLane(index, (s, idx) => convolutionRule(s, instr, idx));
  if (index[cd.outputFeature].lane === false && index.some((i) => i.lane))
    return em.perLane(index, (s, idx) => convolutionRule(s, instr, idx));
  const acc = accumulators(em, 'acc', [em.constant(computeType(dt), 0)]);
  const f = index[cd.outputFeature];
  // The group of a lane-varying output feature is the same for all four lanes only when groups divide evenly by 4.
  if (f.lane && groups > 1 && coutPerGroup % 4 !== 0) return em.perLane(index, (s, idx) => convolutionRule(s, instr, idx));
  const groupBase = groups === 1 ? k.int(0) : em.bind('g', k.mul(k.div(f.e, coutPerGroup), k.int(cin)));
  loopNest(em, 'k', [cin, ...win.map((w) => w.size)], ([c, ...ws]) => {
    const ii: Idx[] = new Array(id.length), ki: Idx[] = new Array(kd.length);
    ii[cd.inputBatch] = batchGroups === 1 ? index[cd.outputBatch]
      : fixed(k.add(index[cd.outputBatch].e, k.mul(k.div(f.e, kd[cd.kernelOutput] / batchGroups), k.int(id[cd.inputBatch] / batchGroups))));
    ii[cd.inputFeature] = fixed(k.add(groupBase, c));
    ki[cd.kernelInput] = fixed(c);
    ki[cd.kernelOutput] = f;
    let inside: Expr = k.constant('pred', 1);
    for (let s = 0; s < nsp; s++) {
      const { pos, ok } = windowPosition(index[cd.outputSpatial[s]].e, ws[s], win[s], id[cd.inputSpatial[s]]);
      ii[cd.inputSpatial[s]] = fixed(pos);
      ki[cd.kernelSpatial[s]] = fixed(ws[s]);
      inside = k.and(inside, ok);
    }
    const [body] = em.nested(() => {
      const x = asType(em, em.value(input, ii), dtypeOf(input), dt), w = asType(em, em.value(kernel, ki), dtypeOf(kernel), dt);
      em.out.push(k.assign(acc.names[0], accumulate(acc.read()[0], x, w, dt)));
    });
    em.out.push(...(inside.k === 'const' && inside.value === 1 ? body : [k.ifStmt(inside, body)]));
  });
  return acc.read().map((v) => narrow(v, dt));
}

/** An operand of another element type than the result (HLO allows it for dot and convolution) is converted first. */
function asType(em: Emitter, v: Expr, from: DType, to: DType): Expr {
  return from === to ? v : convertValue(em, v, from, to);
}

export function mapRule(em: Emitter, instr: InstructionOf<'map'>, index: readonly Idx[]): Expr[] {
  return em.inline(instr.attrs.to_apply, instr.operands.map((o) => em.value(o, index)));
}
