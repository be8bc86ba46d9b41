// narrow-int64's rewrite of one computation, once passes/narrow_int64.ts has decided what
// to narrow: narrowed instructions are retyped in place (they keep their names), and a
// user that needs 64 bits reads a `.wide` convert, made once per value.
import { arrayLiteral } from '../ir/literal.js';
import type { Instruction } from '../ir/module.js';
import type { ArrayShape, Shape } from '../ir/shape.js';
import { NARROW, readsNarrowAt, type Scope } from './narrow_int64.js';
import { widenRelabelled } from './narrow_int64_relabel.js';
import { arrayValues, makeInstruction } from './rewrite.js';

/**
 * Rewrites scope's computation in place: each narrowed instruction is retyped (constants
 * get narrow literals; a convert to the narrow type of a value already narrow disappears;
 * a saturated parameter is read through clamp and convert; a reduce or sort calls its
 * narrowed copy); users that need 64 bits read a `.wide` convert, made once per value just
 * before its first such user.
 */
export function rewrite(scope: Scope, narrowed: Set<Instruction>): void {
  const { c, names } = scope;
  const narrowOf = new Map<Instruction, Instruction>();
  const wideOf = new Map<Instruction, Instruction>();
  const out: Instruction[] = [];
  const wideShape = new Map(c.instructions.map((i) => [i, i.shape])); // before retyping
  // Sentinel inits a relabelled reduce no longer reads: dropped if nothing else does.
  const replacedInits = new Set([...scope.called].flatMap(([r, k]) => [...k.relabels.keys()].map((lane) => r.operands[r.operands.length / 2 + lane])));
  const widen = (n: Instruction, original: Instruction): Instruction => {
    let w = wideOf.get(n);
    if (!w) {
      const relabel = scope.relabeled.get(original);
      if (relabel) w = widenRelabelled(n, wideShape.get(original) as ArrayShape, relabel, original.name, names, out);
      else out.push(w = makeInstruction(names.unique(`${original.name}.wide`), 'convert', wideShape.get(original)!, [n], {}));
      wideOf.set(n, w);
    }
    return w;
  };
  for (const i of c.instructions) {
    const reads = i.operands.map((o, k) => {
      const n = narrowOf.get(o);
      if (!n) return o;
      return readsNarrowAt(i, k, narrowed.has(i), narrowed, scope) ? n : widen(n, o);
    });
    if (narrowed.has(i)) narrowOf.set(i, narrowInstruction(i, reads, scope, out));
    else {
      i.operands = reads;
      if (i === c.root && i.opcode === 'tuple') i.shape = { kind: 'tuple', elements: reads.map((r) => r.shape) }; // lanes of a narrowed copy
      out.push(i);
    }
  }
  const narrowRoot = narrowOf.get(c.root);
  if (narrowRoot) c.root = scope.narrowRoot.has(0) ? narrowRoot : widen(narrowRoot, c.root);
  c.instructions = out.filter((i) => !replacedInits.has(i) || out.some((u) => u.operands.includes(i)));
}

const narrowed = (s: Shape): Shape =>
  s.kind === 'tuple' ? { kind: 'tuple', elements: s.elements.map(narrowed) } : { ...s, dtype: NARROW[s.dtype] ?? s.dtype };

/** The narrow version of i reading `reads`; new instructions go to `out`. */
function narrowInstruction(i: Instruction, reads: Instruction[], scope: Scope, out: Instruction[]): Instruction {
  const given = scope.given.get(i);
  if (given?.how === 'saturate') return saturate(i, given.range, scope, out);
  const shape = narrowed(i.shape);
  if (i.opcode === 'convert' && reads[0].shape.kind === 'array' && reads[0].shape.dtype === (shape as ArrayShape).dtype) return reads[0];
  if (i.opcode === 'constant') {
    const values = arrayValues(i.attrs.literal)!;
    i.attrs = { ...i.attrs, literal: arrayLiteral(shape as ArrayShape, Array.from(values.data as ArrayLike<bigint>, (v) => Number(v))) };
  }
  if (i.opcode === 'reduce' || i.opcode === 'reduce-window' || i.opcode === 'sort') {
    const { copy, added, relabels } = scope.called.get(i)!;
    i.attrs = { ...i.attrs, to_apply: copy };
    scope.added.push(...added, copy);
    // A relabelled lane starts from the sentinel's image.
    const n = reads.length / 2;
    for (const [k, r] of relabels) {
      const init = reads[n + k], scalar = narrowed(init.shape) as ArrayShape;
      reads[n + k] = makeInstruction(scope.names.unique(`${init.name}.image`), 'constant', scalar, [], { literal: arrayLiteral(scalar, [Number(r.image)]) });
      out.push(reads[n + k]);
    }
  }
  i.shape = shape;
  i.operands = reads;
  out.push(i);
  return i;
}

/**
 * Entry parameter p stays as it is (the interface); its uses read clamp(lo, p, hi) in 32
 * bits. A convert from a float goes: its uses read the float clamped, then converted.
 */
function saturate(p: Instruction, r: { lo: bigint; hi: bigint }, scope: Scope, out: Instruction[]): Instruction {
  const x = p.opcode === 'convert' ? p.operands[0] : p;
  const shape = x.shape as ArrayShape;
  const scalar: ArrayShape = { kind: 'array', dtype: shape.dtype, dims: [] };
  const value = (v: bigint): bigint | number => (shape.dtype.endsWith('64') && p === x ? v : Number(v));
  const bound = (v: bigint, tag: string): Instruction =>
    makeInstruction(scope.names.unique(`${p.name}.${tag}`), 'constant', scalar, [], { literal: arrayLiteral(scalar, [value(v)]) });
  const lo = bound(r.lo, 'lo'), hi = bound(r.hi, 'hi');
  const clamp = makeInstruction(scope.names.unique(`${p.name}.saturated`), 'clamp', shape, [lo, x, hi], {});
  const narrow = makeInstruction(scope.names.unique(`${p.name}.narrow`), 'convert', narrowed(p.shape), [clamp], {});
  if (p === x) out.push(p);
  out.push(lo, hi, clamp, narrow);
  return narrow;
}
