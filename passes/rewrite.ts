// What every pass shares: copying a module so a pass never mutates its input, making
// fresh instruction names, replacing instructions inside one computation in a single
// sweep, and the facts about opcodes that decide what a pass may touch.
import { NameUniquer, withDefaultLayout } from '../ir/builder.js';
import { checkInstructionShape } from '../ir/verify.js';
import type { ArrayLiteral, Literal } from '../ir/literal.js';
import { calledComputations, type Computation, type Instruction, type Module } from '../ir/module.js';
import { familyOf, type Opcode, type OpAttrs } from '../ir/opcodes.js';
import { Shape, shapeToString } from '../ir/shape.js';

export type Pass = (m: Module) => Module;

/** A deep copy of the graph (instructions, computations, attribute objects); literals are shared, they are never mutated. */
export function cloneModule(m: Module): Module {
  const comps = new Map<Computation, Computation>();
  const mapAttr = (v: unknown): unknown => {
    if (isComputation(v)) return comps.get(v) ?? v;
    if (Array.isArray(v) && v.length > 0 && isComputation(v[0])) return v.map((c) => comps.get(c) ?? c);
    return v;
  };
  for (const c of m.computations) {
    const instrs = new Map<Instruction, Instruction>();
    for (const i of c.instructions) {
      const attrs = Object.fromEntries(Object.entries(i.attrs as Record<string, unknown>).map(([k, v]) => [k, mapAttr(v)]));
      const copy = { ...i, operands: i.operands.map((o) => instrs.get(o) ?? o), attrs, raw: [...i.raw] } as Instruction;
      if (i.attrOrder) copy.attrOrder = [...i.attrOrder];
      instrs.set(i, copy);
    }
    comps.set(c, {
      ...c,
      instructions: c.instructions.map((i) => instrs.get(i)!),
      root: instrs.get(c.root) ?? c.root,
      params: c.params.map((p) => instrs.get(p) ?? p),
      attrs: c.attrs ? [...c.attrs] : undefined,
    });
    if (c.attrs === undefined) delete comps.get(c)!.attrs;
  }
  return {
    ...m,
    headerAttrs: [...m.headerAttrs],
    computations: m.computations.map((c) => comps.get(c)!),
    entry: comps.get(m.entry) ?? m.entry,
    style: { ...m.style },
  };
}

function isComputation(v: unknown): v is Computation {
  return typeof v === 'object' && v !== null && 'instructions' in v && 'root' in v;
}

/** Names not yet used anywhere in the module, XLA style (`add.3`). */
export function moduleNames(m: Module): NameUniquer {
  const names = new NameUniquer();
  for (const c of m.computations) for (const i of c.instructions) names.unique(i.name);
  return names;
}

/** Same dtype, dims, dynamic markers and layout, an absent layout read as the default one. */
export function sameShapeAndLayout(a: Shape, b: Shape): boolean {
  return shapeToString(withDefaultLayout(a)) === shapeToString(withDefaultLayout(b));
}

/** A new instruction of opcode K; the caller places it in a computation. */
export function makeInstruction<K extends Opcode>(
  name: string, opcode: K, shape: Shape, operands: Instruction[], attrs: OpAttrs<K>, raw: Instruction['raw'] = [],
): Instruction {
  return { name, opcode, shape, operands, attrs, raw } as unknown as Instruction;
}

/**
 * What one visit of an instruction decided: `replacement` takes over every use of it;
 * `added` are new instructions (operands first) placed just before it.
 */
export interface Rewrite {
  replacement: Instruction;
  added?: Instruction[];
}

/**
 * One sweep over a computation in order. `visit` sees each instruction with its operands
 * already redirected to earlier replacements and may return a Rewrite. A rewrite whose
 * replacement differs in shape or layout, or whose new instructions do not verify, is
 * dropped: a pass can never make the module invalid that way. Returns how many applied.
 */
export function sweep(c: Computation, visit: (i: Instruction) => Rewrite | undefined): number {
  const replaced = new Map<Instruction, Instruction>();
  const resolve = (i: Instruction): Instruction => {
    let r = i;
    while (replaced.has(r)) r = replaced.get(r)!;
    return r;
  };
  const out: Instruction[] = [];
  let applied = 0;
  for (const instr of c.instructions) {
    if (instr.operands.some((o) => replaced.has(o))) instr.operands = instr.operands.map(resolve);
    const r = visit(instr);
    if (r && r.replacement !== instr && acceptable(instr, r)) {
      out.push(...(r.added ?? []));
      replaced.set(instr, r.replacement);
      applied++;
    }
    out.push(instr);
  }
  c.instructions = out;
  c.root = resolve(c.root);
  return applied;
}

function acceptable(instr: Instruction, r: Rewrite): boolean {
  if (!sameShapeAndLayout(instr.shape, r.replacement.shape)) return false;
  return (r.added ?? []).every((a) => checkInstructionShape(a) === undefined);
}

/** Drops instructions no longer reachable from the root (parameters stay). */
export function removeDead(c: Computation, keep: (i: Instruction) => boolean = () => false): void {
  const live = new Set<Instruction>();
  const byName = new Map(c.instructions.map((i) => [i.name, i]));
  const stack = [c.root, ...c.instructions.filter((i) => i.opcode === 'parameter' || keep(i))];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (live.has(i)) continue;
    live.add(i);
    stack.push(...i.operands, ...controlPredecessors(i, byName));
  }
  c.instructions = c.instructions.filter((i) => live.has(i));
}

/** Instructions a `control-predecessors={...}` attribute names: they must stay while i does. */
export function controlPredecessors(i: Instruction, byName: ReadonlyMap<string, Instruction>): Instruction[] {
  const out: Instruction[] = [];
  for (const r of i.raw) {
    if (r.name !== 'control-predecessors') continue;
    for (const word of r.text.match(/[%A-Za-z_][\w.\-]*/g) ?? []) {
      const p = byName.get(word.replace(/^%/, ''));
      if (p) out.push(p);
    }
  }
  return out;
}

// Opaque ops that only compute a value: dead ones may go. Every other opaque op may
// talk to the host or to other devices (send, infeed, collectives, ...) and stays.
const PURE_OPAQUE = new Set<Opcode>([
  'stochastic-convert', 'dynamic-reshape', 'get-dimension-size', 'set-dimension-size', 'partition-id', 'replica-id',
  'cholesky', 'triangular-solve', 'fft', 'topk', 'batch-norm-training', 'batch-norm-inference', 'batch-norm-grad',
  'ragged-dot', 'scaled-dot', 'domain', 'after-all', 'add-dependency', 'opt-barrier',
]);

/** Must stay even when nothing uses it (XLA's HasSideEffect, for DCE). */
export function hasSideEffect(i: Instruction): boolean {
  if (i.opcode === 'custom-call') return i.raw.some((r) => r.name === 'custom_call_has_side_effect' && r.text === 'true');
  if (i.asyncOf !== undefined) return true;
  return familyOf(i.opcode) === 'opaque' && !PURE_OPAQUE.has(i.opcode);
}

const opaqueMemo = new WeakMap<Computation, boolean>();

/**
 * Not a pure function of its operands, or not one kiln computes: opaque ops (custom-call,
 * collectives, send/recv, infeed...), rng, rng-bit-generator, and anything calling a
 * computation that holds one. CSE never merges these and constant folding never runs them.
 */
export function isOpaqueOrRandom(i: Instruction): boolean {
  if (familyOf(i.opcode) === 'opaque' || i.opcode === 'rng' || i.opcode === 'rng-bit-generator') return true;
  return calledComputations(i).some(computationIsOpaque);
}

function computationIsOpaque(c: Computation): boolean {
  const memo = opaqueMemo.get(c);
  if (memo !== undefined) return memo;
  opaqueMemo.set(c, false); // recursion guard; modules are acyclic
  const v = c.instructions.some(isOpaqueOrRandom);
  opaqueMemo.set(c, v);
  return v;
}

/** Values a constant literal holds, unless the source elided them. */
export function arrayValues(l: Literal): ArrayLiteral | undefined {
  if (l.shape.kind !== 'array') return undefined;
  const a = l as ArrayLiteral;
  return a.elided ? undefined : a;
}

/** Same shape (dtype, dims) and bit-identical values; NaNs equal when their bits are. */
export function literalsIdentical(a: Literal, b: Literal): boolean {
  if (a.shape.kind === 'tuple' || b.shape.kind === 'tuple') {
    if (a.shape.kind !== 'tuple' || b.shape.kind !== 'tuple') return false;
    const ea = (a as { elements: readonly Literal[] }).elements, eb = (b as { elements: readonly Literal[] }).elements;
    return ea.length === eb.length && ea.every((e, k) => literalsIdentical(e, eb[k]));
  }
  const x = arrayValues(a), y = arrayValues(b);
  if (!x || !y) return false;
  if (shapeToString(x.shape, { layout: false }) !== shapeToString(y.shape, { layout: false })) return false;
  if (x.data.length !== y.data.length || x.data.constructor !== y.data.constructor) return false;
  const bx = new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength);
  const by = new Uint8Array(y.data.buffer, y.data.byteOffset, y.data.byteLength);
  for (let k = 0; k < bx.length; k++) if (bx[k] !== by[k]) return false;
  return true;
}
