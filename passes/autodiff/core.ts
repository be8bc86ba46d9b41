// What both modes share: preparing the module (calls inlined, the request checked),
// copying the entry's forward computation into a new builder, finding which values vary
// with the differentiated parameters, and assembling and cleaning the output module.
import { ComputationBuilder, NameUniquer } from '../../ir/builder.js';
import { isFloat } from '../../ir/dtype.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import { leaves, type Shape } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import { callInline } from '../call_inline.js';
import { cse } from '../cse.js';
import { dce } from '../dce.js';
import { simplify } from '../simplify.js';
import { Emitter } from './emitter.js';
import { expandMaps } from './expand_map.js';
import { AutodiffUsageError, NotDifferentiableError } from './errors.js';
import { RULES } from './table.js';
import { type Cot, type Rule, isCotTuple, isRule } from './types.js';
import type { OpAttrs, Opcode } from '../../ir/opcodes.js';

export interface DiffOptions {
  wrt?: readonly number[];
}

export const hasFloat = (s: Shape): boolean => leaves(s).some((l) => isFloat(l.dtype));

/** The module with calls inlined, and the checked list of parameter numbers to differentiate. */
export function prepare(input: Module, opts: DiffOptions): { src: Computation; m: Module; wrt: number[] } {
  const m = dce(expandMaps(callInline(input)));
  const src = m.entry;
  for (const p of src.params)
    if (p.shape.kind === 'tuple') throw new AutodiffUsageError(`autodiff: parameter %${p.name} has a tuple shape; pass its elements as separate parameters`);
  const floats = src.params.filter((p) => hasFloat(p.shape)).map((p) => src.params.indexOf(p));
  const wrt = opts.wrt ? [...opts.wrt] : floats;
  wrt.forEach((n, k) => {
    if (!Number.isInteger(n) || n < 0 || n >= src.params.length) throw new AutodiffUsageError(`autodiff: wrt names parameter ${n}, but %${src.name} has ${src.params.length}`);
    if (!floats.includes(n)) throw new AutodiffUsageError(`autodiff: wrt names parameter ${n} (%${src.params[n].name}), which is not floating-point`);
    if (wrt.indexOf(n) !== k) throw new AutodiffUsageError(`autodiff: wrt names parameter ${n} twice`);
  });
  return { src, m, wrt };
}

/** The output's builder and emitter; names stay unique across the module's other computations. */
export function startOutput(m: Module): Emitter {
  const names = new NameUniquer(), computationNames = new NameUniquer();
  for (const c of m.computations) {
    computationNames.unique(c.name);
    if (c !== m.entry) for (const i of c.instructions) names.unique(i.name);
  }
  return new Emitter(new ComputationBuilder(m.entry.name, names), names, computationNames, m.computations.filter((c) => c !== m.entry));
}

/** Copies src's parameters (in number order) and then its instructions; returns old -> new. */
export function copyForward(src: Computation, e: Emitter): Map<Instruction, Instruction> {
  const map = new Map<Instruction, Instruction>();
  for (const p of src.params) map.set(p, e.c.parameter(p.shape, p.name));
  for (const i of src.instructions) {
    if (i.opcode === 'parameter') continue;
    const copy = e.c.op(i.opcode as Opcode, i.operands.map((o) => map.get(o)!), i.attrs as OpAttrs<Opcode>, i.shape, i.name) as Instruction;
    copy.raw = i.raw.filter((r) => r.name !== 'control-predecessors');
    map.set(i, copy);
  }
  return map;
}

/** Instructions whose value depends on a differentiated parameter through floating-point values. */
export function variedSet(src: Computation, wrt: readonly number[]): Set<Instruction> {
  const varied = new Set<Instruction>(wrt.map((n) => src.params[n]));
  for (const i of src.instructions)
    if (i.opcode !== 'parameter' && hasFloat(i.shape) && i.operands.some((o) => varied.has(o))) varied.add(i);
  return varied;
}

/** The rule for i, or the error naming i and why it has none. */
export function ruleFor(i: Instruction): Rule<Opcode> {
  const r = RULES[i.opcode] as Rule<Opcode> | { notDifferentiable: string };
  if (!isRule(r)) throw NotDifferentiableError.of(i, r.notDifferentiable);
  return r;
}

/** A value's array leaves, depth-first (tuple instructions read through, others by get-tuple-element). */
export function leafValues(e: Emitter, x: Instruction): Instruction[] {
  if (x.shape.kind === 'array') return [x];
  const n = x.shape.elements.length;
  return Array.from({ length: n }, (_, k) => (x.opcode === 'tuple' ? x.operands[k] : e.c.getTupleElement(x, k))).flatMap((v) => leafValues(e, v));
}

/** A (co)tangent's leaves, in leafValues' order, matching `shape`. */
export function leafCots(t: Cot | undefined, shape: Shape, e: Emitter): (Instruction | undefined)[] {
  if (shape.kind === 'array') return [t === undefined ? undefined : (t as Instruction)];
  return shape.elements.flatMap((s, k) => {
    const tk = t === undefined ? undefined : isCotTuple(t) ? t.elements[k] : e.c.getTupleElement(t, k);
    return leafCots(tk, s, e);
  });
}

/** True when a (co)tangent is zero everywhere (undefined, or a tuple of zeros). */
export const isZero = (t: Cot | undefined): boolean => t === undefined || (isCotTuple(t) && t.elements.every(isZero));

/** The output module: the original's other computations, the helpers, the new entry; cleaned and verified. */
export function finishModule(m: Module, e: Emitter, root: Instruction, suffix: string): Module {
  const entry = e.c.finish(root, true);
  const others = m.computations.filter((c) => c !== m.entry);
  const out: Module = { ...m, name: `${m.name}_${suffix}`, headerAttrs: [], computations: [...others, ...e.computations, entry], entry };
  const clean = dce(cse(simplify(dce(out))));
  verifyModule(clean);
  return clean;
}
