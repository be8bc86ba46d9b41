// Per-element rules for data movement: each maps the output index to the operand index
// it reads (XLA's elemental index maps). Loads stay in bounds by construction: every
// index a rule builds is either in range or clamped before it is used.
import * as k from '../../ir/kernel/build.js';
import type { Expr, Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction, InstructionOf } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { fixed, type Emitter, type Idx } from './emitter.js';
import { NotCompiled } from './errors.js';
import { convertValue, dtypeOf, narrow } from './elemental_math.js';
import { computeType } from './types.js';
import { byteSize, type DType } from '../../ir/dtype.js';
import { reinterpret } from './elemental_bits.js';
import { interleavedPad } from './elemental_interleave.js';

const dimsOf = (i: Instruction): readonly number[] => (i.shape as ArrayShape).dims;
const anyLane = (index: readonly Idx[]): boolean => index.some((i) => i.lane);
const clampIdx = (e: Expr, lo: number, hi: number): Expr => k.min(k.max(e, k.int(lo)), k.int(hi));

export function broadcastRule(em: Emitter, instr: InstructionOf<'broadcast'>, index: readonly Idx[]): Expr[] {
  const x = instr.operands[0];
  const map = instr.attrs.dimensions ?? [];
  const xd = dimsOf(x);
  return em.values(x, map.map((od, j) => (xd[j] === 1 && dimsOf(instr)[od] !== 1 ? fixed(k.int(0)) : index[od])));
}

export function transposeRule(em: Emitter, instr: InstructionOf<'transpose'>, index: readonly Idx[]): Expr[] {
  const perm = instr.attrs.dimensions;
  const inIdx: Idx[] = new Array(perm.length);
  perm.forEach((p, i) => { inIdx[p] = index[i]; });
  return em.values(instr.operands[0], inIdx);
}

/** Row-major reshape: through the linear index. Lanes survive when both minor dims hold whole vectors. */
export function reshapeRule(em: Emitter, instr: Instruction, index: readonly Idx[]): Expr[] {
  const x = instr.operands[0];
  const from = dtypeOf(x), to = dtypeOf(instr);
  // A bitcast may also reinterpret the element type: the same bits, read as the new type.
  if (from !== to) {
    if (byteSize(from) !== byteSize(to)) throw new NotCompiled(instr, `${instr.opcode} from ${from} to ${to} changes the element width`);
    return sameTypeReshape(em, instr, index).map((v) => reinterpret(em, v, from, to));
  }
  return sameTypeReshape(em, instr, index);
}

function sameTypeReshape(em: Emitter, instr: Instruction, index: readonly Idx[]): Expr[] {
  const x = instr.operands[0];
  const out = dimsOf(instr), inn = dimsOf(x);
  if (out.length === inn.length && out.every((d, i) => d === inn[i])) return em.values(x, index);
  const laneAtMinor = index.length > 0 && index[index.length - 1].lane && !index.slice(0, -1).some((i) => i.lane);
  // The same minor dim on both sides (a reshape of the leading dims: ShuffleNet's channel
  // shuffle): the minor index passes through, lanes and all, since a vector never crosses a row.
  if (laneAtMinor && inn.length > 1 && out.length > 1 && inn[inn.length - 1] === out[out.length - 1]) {
    const lead = em.bind('lin', k.linear(index.slice(0, -1).map((i) => i.e), out.slice(0, -1)));
    return em.values(x, [...k.delinear(lead, inn.slice(0, -1)).map(fixed), index[index.length - 1]]);
  }
  if (anyLane(index) && !(laneAtMinor && inn.length > 0 && inn[inn.length - 1] % 4 === 0 && out[out.length - 1] % 4 === 0))
    return em.perLane(index, (s, idx) => sameTypeReshape(s, instr, idx));
  const lin = em.bind('lin', k.linear(index.map((i) => i.e), out));
  const inIdx = k.delinear(lin, inn).map(fixed);
  if (laneAtMinor) inIdx[inIdx.length - 1] = { e: inIdx[inIdx.length - 1].e, lane: true };
  return em.values(x, inIdx);
}

export function sliceRule(em: Emitter, instr: InstructionOf<'slice'>, index: readonly Idx[]): Expr[] {
  const sl = instr.attrs.slice;
  if (index.some((i, d) => i.lane && sl[d].stride !== 1)) return em.perLane(index, (s, idx) => sliceRule(s, instr, idx));
  return em.values(instr.operands[0], index.map((i, d) => ({ e: k.add(k.mul(i.e, k.int(sl[d].stride)), k.int(sl[d].start)), lane: i.lane })));
}

export function reverseRule(em: Emitter, instr: InstructionOf<'reverse'>, index: readonly Idx[]): Expr[] {
  const rev = new Set(instr.attrs.dimensions);
  if (index.some((i, d) => i.lane && rev.has(d))) return em.perLane(index, (s, idx) => reverseRule(s, instr, idx));
  const dims = dimsOf(instr);
  return em.values(instr.operands[0], index.map((i, d) => (rev.has(d) ? fixed(k.sub(k.int(dims[d] - 1), i.e)) : i)));
}

export function iotaRule(em: Emitter, instr: InstructionOf<'iota'>, index: readonly Idx[]): Expr[] {
  const d = instr.attrs.iota_dimension;
  const dt = dtypeOf(instr);
  const i = index[d];
  const scalar = computeType(dt);
  let v = em.widen(k.convert(i.e, scalar));
  if (i.lane) v = k.binary('add', v, k.vector([0, 1, 2, 3].map((l) => k.constant(scalar, l))));
  return [narrow(v, dt)];
}

export function constantRule(em: Emitter, instr: InstructionOf<'constant'>, index: readonly Idx[]): Expr[] {
  const lit = instr.attrs.literal;
  if (!('data' in lit)) throw new NotCompiled(instr, 'tuple constant');
  if (lit.shape.dims.length === 0) return [em.constant(computeType(lit.shape.dtype), lit.data[0])];
  return [em.load(em.kb.constant(instr), lit.shape, index)];
}

/** Pad: the operand where the index lands on it, else the padding value. */
export function padRule(em: Emitter, instr: InstructionOf<'pad'>, index: readonly Idx[]): Expr[] {
  const pads = instr.attrs.padding;
  const [x, padValue] = instr.operands;
  const padded = (d: number): boolean => pads[d].low !== 0 || pads[d].high !== 0 || pads[d].interior !== 0;
  const laneDim = index.findIndex((i, d) => i.lane && padded(d));
  const inDims = dimsOf(x);
  let inside: Expr = k.constant('pred', 1);
  const inIdx: Idx[] = index.map((i, d) => {
    const p = pads[d];
    if (d === laneDim || !padded(d)) return i;
    const t = k.sub(i.e, k.int(p.low));
    const step = p.interior + 1;
    const q = step === 1 ? t : k.div(t, step);
    inside = k.and(inside, k.inRange(t, (inDims[d] - 1) * step + 1));
    if (step > 1) inside = k.and(inside, k.compare('EQ', k.mod(clampIdx(t, 0, (inDims[d] - 1) * step), step), k.int(0)));
    return fixed(clampIdx(q, 0, inDims[d] - 1));
  });
  if (laneDim >= 0) {
    const general = () => em.perLane(index, (s, idx) => padRule(s, instr, idx));
    return interleavedPad(em, instr, index, inIdx, inside, general) ?? general();
  }
  const v = em.value(x, inIdx), pv = em.value(padValue, []);
  return [k.select(inside, v, pv)];
}

/** Concatenate: an if-chain over the operands, each read at a clamped index. */
export function concatenateRule(em: Emitter, instr: InstructionOf<'concatenate'>, index: readonly Idx[]): Expr[] {
  const c = instr.attrs.dimensions[0];
  if (index[c].lane) return em.perLane(index, (s, idx) => concatenateRule(s, instr, idx));
  const at = em.bind('cat', index[c].e);
  const type = computeType(dtypeOf(instr));
  const result = em.kb.fresh('cat_v');
  em.out.push(k.letStmt(result, em.constant(type, 0)));
  let offset = 0;
  const branches: { limit: number; body: Stmt[] }[] = [];
  for (const op of instr.operands) {
    const n = dimsOf(op)[c];
    const idx = index.map((i, d) => (d === c ? fixed(k.sub(at, k.int(offset))) : i));
    const [body] = em.nested(() => { em.out.push(k.assign(result, em.value(op, idx))); });
    offset += n;
    branches.push({ limit: offset, body });
  }
  let chain: Stmt[] = branches[branches.length - 1].body;
  for (let j = branches.length - 2; j >= 0; j--) chain = [k.ifStmt(k.compare('LT', at, k.int(branches[j].limit)), branches[j].body, chain)];
  em.out.push(...chain);
  return [k.variable(result, em.constant(type, 0).type)];
}

/**
 * An index operand's value clamped to [0, hi], as an s32. The clamp happens in the
 * operand's own type, as the reference clamps the exact value: an s64 or u32 start
 * beyond 2^31 is large, not wrapped to a small or negative s32.
 */
export function clampedIndex(sc: Emitter, v: Expr, dt: DType, hi: number): Expr {
  const t = computeType(dt);
  if (t === 's32') return clampIdx(convertValue(sc, v, dt, 's32'), 0, hi);
  const c = (x: number): Expr => k.constant(t, x);
  return k.convert(k.binary('minimum', k.binary('maximum', v, c(0)), c(hi)), 's32');
}

/**
 * Start indices of dynamic-slice / dynamic-update-slice, clamped so the window fits: one
 * scalar operand per dim, or (the old form) one rank-1 operand holding them all.
 */
function starts(em: Emitter, operands: readonly Instruction[], full: readonly number[], window: readonly number[]): Expr[] {
  const sc = em.scalar();
  const oldForm = operands.length === 1 && dimsOf(operands[0]).length === 1;
  return full.map((n, d) => {
    const s = oldForm ? operands[0] : operands[d];
    const v = sc.value(s, oldForm ? [fixed(k.int(d))] : []);
    return em.bind('start', clampedIndex(sc, v, dtypeOf(s), n - window[d]));
  });
}

/** Whether the start index operands are one per dim or one array of them all. */
function startsFit(instr: Instruction, rest: readonly Instruction[], rank: number): void {
  const oldForm = rest.length === 1 && dimsOf(rest[0]).length === 1;
  const ok = oldForm ? dimsOf(rest[0])[0] === rank : rest.length === rank && rest.every((s) => dimsOf(s).length === 0);
  if (!ok) throw new NotCompiled(instr, `start indices do not match rank ${rank}`);
}

export function dynamicSliceRule(em: Emitter, instr: InstructionOf<'dynamic-slice'>, index: readonly Idx[]): Expr[] {
  const [x, ...rest] = instr.operands;
  startsFit(instr, rest, dimsOf(x).length);
  const st = starts(em, rest, dimsOf(x), instr.attrs.dynamic_slice_sizes);
  return em.values(x, index.map((i, d) => ({ e: k.add(i.e, st[d]), lane: i.lane })));
}

export function dynamicUpdateSliceRule(em: Emitter, instr: InstructionOf<'dynamic-update-slice'>, index: readonly Idx[]): Expr[] {
  if (index.some((i) => i.lane)) return em.perLane(index, (s, idx) => dynamicUpdateSliceRule(s, instr, idx));
  const [x, update, ...rest] = instr.operands;
  startsFit(instr, rest, dimsOf(x).length);
  const ud = dimsOf(update);
  const st = starts(em, rest, dimsOf(x), ud);
  let inside: Expr = k.constant('pred', 1);
  const uIdx = index.map((i, d) => {
    const t = k.sub(i.e, st[d]);
    inside = k.and(inside, k.inRange(t, ud[d]));
    return fixed(clampIdx(t, 0, ud[d] - 1));
  });
  return [k.select(inside, em.value(update, uIdx), em.value(x, index))];
}

/** XLA gather: each output index splits into batch coordinates (which start vector) and offsets. */
export function gatherRule(em: Emitter, instr: InstructionOf<'gather'>, index: readonly Idx[]): Expr[] {
  const a = instr.attrs;
  if (index.some((i) => i.lane)) return em.perLane(index, (s, idx) => gatherRule(s, instr, idx));
  const [x, indices] = instr.operands;
  const D = dimsOf(x), idxDims = dimsOf(indices);
  const obd = a.operand_batching_dims ?? [], sbd = a.start_indices_batching_dims ?? [];
  // Operand batching dims are sliced to one element, like collapsed dims.
  const collapsed = new Set([...(a.collapsed_slice_dims ?? []), ...obd]);
  const offsetDims = new Set(a.offset_dims);
  const batch = index.filter((_, d) => !offsetDims.has(d)).map((i) => i.e);
  const offsets = index.filter((_, d) => offsetDims.has(d)).map((i) => i.e);
  const ivd = a.index_vector_dim;
  const sc = em.scalar();
  const component = (j: number, hi: number): Expr => {
    const at = [...batch];
    if (ivd < idxDims.length) at.splice(ivd, 0, k.int(j));
    return clampedIndex(sc, sc.value(indices, at.map(fixed)), dtypeOf(indices), hi);
  };
  const start = D.map(() => k.int(0));
  a.start_index_map.forEach((od, j) => { start[od] = em.bind('gs', component(j, D[od] - a.slice_sizes[od])); });
  // An operand batching dim starts at the batch coordinate of its indices batching dim.
  const batchDims = [...idxDims.keys()].filter((d) => d !== ivd);
  obd.forEach((od, i) => { start[od] = clampIdx(batch[batchDims.indexOf(sbd[i])], 0, D[od] - a.slice_sizes[od]); });
  let o = 0;
  const inIdx = D.map((_, d) => fixed(collapsed.has(d) ? start[d] : k.add(start[d], offsets[o++])));
  return em.values(x, inIdx);
}

export function getTupleElementRule(em: Emitter, instr: InstructionOf<'get-tuple-element'>, index: readonly Idx[]): Expr[] {
  return [em.values(instr.operands[0], index)[instr.attrs.index]];
}

export function tupleRule(em: Emitter, instr: InstructionOf<'tuple'>, index: readonly Idx[]): Expr[] {
  if (instr.operands.some((o) => o.shape.kind !== 'array')) throw new NotCompiled(instr, 'nested tuple');
  return instr.operands.map((o) => em.value(o, index));
}
