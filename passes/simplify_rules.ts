// The rewrite rules of passes/simplify.ts, one small function each. A rule sees an
// instruction whose operands are already simplified and answers with what replaces it.
// XLA's AlgebraicSimplifier applies the same identities (A+0 => A etc.); see
// docs/passes.md for the IEEE corner cases (x + 0 and x - (-0) when x is -0).
import { DTYPES, type DType } from '../ir/dtype.js';
import type { Instruction } from '../ir/module.js';
import { sameDims } from '../ir/shape.js';
import { arrayValues } from './rewrite.js';
import type { Rule } from './simplify.js';

/** Every element of i is v: a constant holding only v, or a broadcast of one. -0 counts as 0. */
export function isAll(i: Instruction, v: number): boolean {
  if (i.opcode === 'broadcast') return isAll(i.operands[0], v);
  if (i.opcode !== 'constant') return false;
  const l = arrayValues(i.attrs.literal);
  if (!l) return false;
  if (l.data instanceof Float64Array) return l.data.every((x) => x === v);
  const b = BigInt(v);
  return (l.data as BigInt64Array).every((x) => x === b);
}

const iota = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
const isIdentity = (p: readonly number[]): boolean => p.every((d, k) => d === k);
const dimsOf = (i: Instruction): readonly number[] => (i.shape.kind === 'array' ? i.shape.dims : []);
const dtypeOf = (i: Instruction): DType | undefined => (i.shape.kind === 'array' ? i.shape.dtype : undefined);

/** A binary op with a neutral constant on one side: the other side. */
const neutral = (name: string, opcode: 'add' | 'subtract' | 'multiply' | 'divide', v: number, sides: 'both' | 'rhs'): Rule => ({
  name, opcodes: [opcode],
  apply(i) {
    const [a, b] = i.operands;
    if (isAll(b, v)) return a;
    if (sides === 'both' && isAll(a, v)) return b;
    return undefined;
  },
});

const reshapeOfReshape: Rule = {
  name: 'reshape(reshape(x)) => reshape(x)', opcodes: ['reshape'],
  apply: (i, ctx) => (i.operands[0].opcode === 'reshape' ? ctx.make('reshape', i.shape, [i.operands[0].operands[0]], {}) : undefined),
};

const identityReshape: Rule = {
  name: 'reshape(x) to x\'s shape => x', opcodes: ['reshape'],
  apply: (i) => (sameDims(dimsOf(i), dimsOf(i.operands[0])) ? i.operands[0] : undefined),
};

const transposeOfTranspose: Rule = {
  name: 'transpose(transpose(x, p), q) => transpose(x, p∘q)', opcodes: ['transpose'],
  apply(i, ctx) {
    const inner = i.operands[0];
    if (i.opcode !== 'transpose' || inner.opcode !== 'transpose') return undefined;
    const p = inner.attrs.dimensions;
    return ctx.make('transpose', i.shape, [inner.operands[0]], { dimensions: i.attrs.dimensions.map((d) => p[d]) });
  },
};

const identityTranspose: Rule = {
  name: 'transpose(x, identity) => x', opcodes: ['transpose'],
  apply: (i) => (i.opcode === 'transpose' && isIdentity(i.attrs.dimensions) ? i.operands[0] : undefined),
};

const broadcastOfBroadcast: Rule = {
  name: 'broadcast(broadcast(x)) => broadcast(x)', opcodes: ['broadcast'],
  apply(i, ctx) {
    const inner = i.operands[0];
    if (i.opcode !== 'broadcast' || inner.opcode !== 'broadcast') return undefined;
    const outer = i.attrs.dimensions ?? [];
    const dims = (inner.attrs.dimensions ?? []).map((d) => outer[d]);
    return ctx.make('broadcast', i.shape, [inner.operands[0]], { dimensions: dims });
  },
};

const identityBroadcast: Rule = {
  name: 'broadcast(x) to x\'s shape, identity dims => x', opcodes: ['broadcast'],
  apply(i) {
    const x = i.operands[0];
    if (i.opcode !== 'broadcast' || !sameDims(dimsOf(i), dimsOf(x))) return undefined;
    const dims = i.attrs.dimensions ?? [];
    return sameDims(dims, iota(dimsOf(x).length)) ? x : undefined;
  },
};

const sliceOfSlice: Rule = {
  name: 'slice(slice(x)) => slice(x)', opcodes: ['slice'],
  apply(i, ctx) {
    const inner = i.operands[0];
    if (i.opcode !== 'slice' || inner.opcode !== 'slice') return undefined;
    const slice = i.attrs.slice.map((o, d) => {
      const n = dimsOf(i)[d];
      const s = inner.attrs.slice[d];
      const start = s.start + o.start * s.stride;
      const stride = s.stride * o.stride;
      return { start, limit: n === 0 ? start : start + (n - 1) * stride + 1, stride };
    });
    return ctx.make('slice', i.shape, [inner.operands[0]], { slice });
  },
};

const fullSlice: Rule = {
  name: 'slice(x) of all of x => x', opcodes: ['slice'],
  apply(i) {
    if (i.opcode !== 'slice' || !sameDims(dimsOf(i), dimsOf(i.operands[0]))) return undefined;
    return i.attrs.slice.every((s) => s.start === 0) ? i.operands[0] : undefined;
  },
};

const identityConvert: Rule = {
  name: 'convert(x) to x\'s type => x', opcodes: ['convert'],
  apply: (i) => (dtypeOf(i) === dtypeOf(i.operands[0]) ? i.operands[0] : undefined),
};

const MANTISSA: Partial<Record<DType, number>> = { f16: 11, bf16: 8, f32: 24, f64: 53 };
const WIDER_FLOAT: Partial<Record<DType, DType[]>> = { f16: ['f32', 'f64'], bf16: ['f32', 'f64'], f32: ['f64'] };

/** Every value of type a is exactly a value of type b, so a -> b -> c is a -> c. */
export function losslessConvert(a: DType, b: DType): boolean {
  const A = DTYPES[a], B = DTYPES[b];
  if (a === b) return true;
  if (!A.computable || !B.computable) return false;
  if (A.cls === 'pred') return B.cls !== 'complex' && B.cls !== 'opaque';
  if (A.cls === 'float') return WIDER_FLOAT[a]?.includes(b) ?? false;
  const valueBits = A.cls === 'signed' ? A.bits - 1 : A.bits;
  if (B.cls === 'float') return (MANTISSA[b] ?? 0) >= valueBits;
  if (B.cls === 'signed') return B.bits - 1 >= valueBits;
  return B.cls === 'unsigned' && A.cls === 'unsigned' && B.bits >= A.bits;
}

const convertOfConvert: Rule = {
  name: 'convert(convert(x)) => convert(x) when the inner one is lossless', opcodes: ['convert'],
  apply(i, ctx) {
    const inner = i.operands[0];
    const x = inner.operands[0];
    const a = x && dtypeOf(x), b = dtypeOf(inner), c = dtypeOf(i);
    if (inner.opcode !== 'convert' || !a || !b || !c || !losslessConvert(a, b)) return undefined;
    return a === c ? x : ctx.make('convert', i.shape, [x], {});
  },
};

const removeCopy: Rule = { name: 'copy(x) => x', opcodes: ['copy'], apply: (i) => i.operands[0] };

const zeroPad: Rule = {
  name: 'pad(x, all-zero padding) => x', opcodes: ['pad'],
  apply: (i) => (i.opcode === 'pad' && i.attrs.padding.every((p) => p.low === 0 && p.high === 0 && p.interior === 0) ? i.operands[0] : undefined),
};

const singleConcat: Rule = {
  name: 'concatenate(x) => x', opcodes: ['concatenate'],
  apply: (i) => (i.operands.length === 1 ? i.operands[0] : undefined),
};

/**
 * dot(transpose(a, p), b) => dot(a, b) with a's batch and contracting dims read through
 * p, when p keeps a's free dims in order (the result's dim order depends on it).
 */
const dotOfTranspose: Rule = {
  name: 'dot(transpose(a), b) => dot(a, b) with permuted dimension numbers', opcodes: ['dot'],
  apply(i, ctx) {
    if (i.opcode !== 'dot') return undefined;
    const attrs = { ...i.attrs };
    const operands = [...i.operands];
    let changed = false;
    (['lhs', 'rhs'] as const).forEach((side, k) => {
      const t = operands[k];
      if (t.opcode !== 'transpose') return;
      const p = t.attrs.dimensions;
      const batch = attrs[`${side}_batch_dims`] ?? [];
      const contracting = attrs[`${side}_contracting_dims`] ?? [];
      const free = iota(p.length).filter((d) => !batch.includes(d) && !contracting.includes(d)).map((d) => p[d]);
      if (free.some((d, j) => j > 0 && d < free[j - 1])) return;
      attrs[`${side}_batch_dims`] = batch.map((d) => p[d]);
      attrs[`${side}_contracting_dims`] = contracting.map((d) => p[d]);
      operands[k] = t.operands[0];
      changed = true;
    });
    return changed ? ctx.make('dot', i.shape, operands, attrs, i.raw) : undefined;
  },
};

/** In the order tried: cheap identities first, then the rules that make new instructions. */
export const RULES: readonly Rule[] = [
  neutral('x + 0 => x, 0 + x => x', 'add', 0, 'both'),
  neutral('x - 0 => x', 'subtract', 0, 'rhs'),
  neutral('x * 1 => x, 1 * x => x', 'multiply', 1, 'both'),
  neutral('x / 1 => x', 'divide', 1, 'rhs'),
  identityReshape, reshapeOfReshape,
  identityTranspose, transposeOfTranspose,
  identityBroadcast, broadcastOfBroadcast,
  fullSlice, sliceOfSlice,
  identityConvert, convertOfConvert,
  removeCopy, zeroPad, singleConcat, dotOfTranspose,
];
