// Ops that move data. Each is linear in its data operands, so its tangent is the op
// replayed on the tangents, and its cotangent is the transpose: broadcast <-> sum,
// slice <-> pad, dynamic-slice <-> dynamic-update-slice, concatenate <-> slices.
import type { PadDim } from '../../ir/attrs.js';
import type { Instruction } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { type Emitter, dimsOf, dtypeOf, inversePerm, others, range } from './emitter.js';
import { type Cot, type JvpCtx, type PartialRules, type Rule, arr, isCotTuple, zeroRule } from './types.js';

/** The differentiated op again, on other operands (tangents), with its attributes and shape. */
export function replay<O extends Opcode>(c: JvpCtx<O>, operands: readonly Instruction[]): Instruction {
  return c.e.c.op(c.x.opcode as O, operands, c.attrs, c.x.shape) as Instruction;
}

/** A one-operand linear op: replay on the tangent; `t` transposes it. */
function linear<O extends Opcode>(transpose: (e: Emitter, g: Instruction, x: Instruction, c: { attrs: JvpCtx<O>['attrs'] }) => Instruction): Rule<O> {
  return {
    jvp: (c) => replay(c, [arr(c.t[0]!), ...c.ops.slice(1)]),
    vjp: (c) => [transpose(c.e, arr(c.ct), c.ops[0], c)],
  };
}

/** broadcast's transpose: sum over the new dims, then order the kept ones as the operand has them. */
const broadcast = linear<'broadcast'>((e, g, x, { attrs }) => {
  const dims = attrs.dimensions ?? [];
  const summed = e.sum(g, others(dimsOf(g).length, dims));
  const sorted = [...dims].sort((a, b) => a - b);
  return e.transpose(summed, dims.map((d) => sorted.indexOf(d)));
});

/** slice's transpose: zeros around and between the taken elements. */
const slice = linear<'slice'>((e, g, x, { attrs }) => {
  const n = dimsOf(g), d = dimsOf(x);
  const padding: PadDim[] = attrs.slice.map((s, i) => ({
    low: s.start, interior: s.stride - 1, high: n[i] === 0 ? d[i] - s.start : d[i] - (s.start + (n[i] - 1) * s.stride + 1),
  }));
  return e.c.pad(g, e.scalar(dtypeOf(g), 0), padding);
});

const dynamicSlice: Rule<'dynamic-slice'> = {
  jvp: (c) => replay(c, [arr(c.t[0]!), ...c.ops.slice(1)]),
  vjp: ({ e, ct, ops: [x, ...starts] }) => [e.c.dynamicUpdateSlice(e.zeros(x.shape), arr(ct), starts)],
};

const dynamicUpdateSlice: Rule<'dynamic-update-slice'> = {
  jvp: (c) => {
    const [x, u, ...starts] = c.ops;
    return replay(c, [c.e.materialize(c.t[0], x.shape), c.e.materialize(c.t[1], u.shape), ...starts]);
  },
  vjp: ({ e, ct, wants, ops: [, u, ...starts] }) => {
    const g = arr(ct);
    return [
      wants[0] ? e.c.dynamicUpdateSlice(g, e.zeros(u.shape), starts) : undefined,
      wants[1] ? e.c.dynamicSlice(g, starts, dimsOf(u)) : undefined,
    ];
  },
};

const concatenate: Rule<'concatenate'> = {
  jvp: (c) => replay(c, c.ops.map((o, k) => c.e.materialize(c.t[k], o.shape))),
  vjp: ({ e, ct, wants, ops, attrs }) => {
    const g = arr(ct), dim = attrs.dimensions[0], gd = dimsOf(g);
    let at = 0;
    return ops.map((o, k) => {
      const start = at;
      at += dimsOf(o)[dim];
      if (!wants[k]) return undefined;
      return e.c.slice(g, gd.map((_, i) => (i === dim ? start : 0)), gd.map((n, i) => (i === dim ? at : n)));
    });
  },
};

/**
 * pad's transpose (JAX's _pad_transpose): undo the edges (negating them: a crop becomes
 * zeros, zeros a crop), then take every (interior+1)-th element. The padding value's
 * cotangent is what the operand's positions did not take: sum(g) - sum(g_operand).
 */
const pad: Rule<'pad'> = {
  jvp: (c) => replay(c, c.ops.map((o, k) => c.e.materialize(c.t[k], o.shape))),
  vjp: ({ e, ct, wants, ops: [x], attrs }) => {
    const g = arr(ct);
    const gx = unpad(e, g, attrs.padding, dimsOf(x));
    const all = range(dimsOf(g).length);
    return [wants[0] ? gx : undefined, wants[1] ? e.sub(e.sum(g, all), e.sum(gx, all)) : undefined];
  },
};

function unpad(e: Emitter, g: Instruction, padding: readonly PadDim[], xd: readonly number[]): Instruction {
  const dt = dtypeOf(g);
  const negative = padding.some((p) => p.low < 0 || p.high < 0);
  // Without negative edges one strided slice does it; otherwise pad the crops back first.
  const edges = negative ? e.c.pad(g, e.scalar(dt, 0), padding.map((p) => ({ low: -Math.min(p.low, 0), high: -Math.min(p.high, 0), interior: 0 }))) : g;
  const starts = padding.map((p) => Math.max(p.low, 0));
  return e.c.slice(edges, starts, starts.map((s, i) => s + (xd[i] === 0 ? 0 : (xd[i] - 1) * (padding[i].interior + 1) + 1)), padding.map((p) => p.interior + 1));
}

const tuple: Rule<'tuple'> = {
  jvp: ({ t }) => ({ elements: t }),
  vjp: ({ e, ct, ops }) => (isCotTuple(ct) ? ct.elements : ops.map((_, k) => e.c.getTupleElement(ct, k))),
};

const getTupleElement: Rule<'get-tuple-element'> = {
  jvp: ({ e, t, attrs }) => element(e, t[0]!, attrs.index),
  vjp: ({ ct, ops: [x], attrs }) => {
    const n = x.shape.kind === 'tuple' ? x.shape.elements.length : 0;
    return [{ elements: range(n).map((k): Cot | undefined => (k === attrs.index ? ct : undefined)) }];
  },
};

function element(e: Emitter, t: Cot, index: number): Cot | undefined {
  return isCotTuple(t) ? t.elements[index] : e.c.getTupleElement(t, index);
}

type StructuralOp =
  | 'parameter' | 'constant' | 'iota' | 'broadcast' | 'reshape' | 'bitcast' | 'transpose' | 'slice' | 'dynamic-slice'
  | 'dynamic-update-slice' | 'concatenate' | 'pad' | 'reverse' | 'tuple' | 'get-tuple-element';

export const STRUCTURAL_RULES: PartialRules<StructuralOp> = {
  // Leaves: parameters are seeded by the driver; constants and iotas never vary.
  parameter: zeroRule(), constant: zeroRule(), iota: zeroRule(),
  broadcast,
  reshape: linear<'reshape'>((e, g, x) => e.reshape(g, dimsOf(x))),
  bitcast: linear<'bitcast'>((e, g, x) => e.reshape(g, dimsOf(x))),
  transpose: linear<'transpose'>((e, g, _x, { attrs }) => e.transpose(g, inversePerm(attrs.dimensions))),
  reverse: linear<'reverse'>((e, g, _x, { attrs }) => e.c.reverse(g, attrs.dimensions)),
  slice,
  'dynamic-slice': dynamicSlice,
  'dynamic-update-slice': dynamicUpdateSlice,
  concatenate,
  pad,
  tuple,
  'get-tuple-element': getTupleElement,
};
