// Reverse mode: copy the forward computation, then walk it backwards from the output
// cotangents, asking each varying instruction's rule for its operands' cotangents and
// adding those up. Zero cotangents stay symbolic (undefined) until a gradient must be
// returned, so a branch nothing flows back through emits nothing.
import { isFloat } from '../../ir/dtype.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import type { Emitter } from './emitter.js';
import { AutodiffUsageError } from './errors.js';
import { type DiffOptions, copyForward, finishModule, isZero, leafValues, prepare, ruleFor, startOutput, variedSet } from './core.js';
import type { Cot, VjpCtx } from './types.js';

/** Builds `cotangent of root` from the output leaves (after the forward copy); undefined: zero. */
type Seed = (e: Emitter, leaves: Instruction[]) => (Instruction | undefined)[];

/** The output leaves, then one gradient per wrt parameter. */
function reverse(input: Module, opts: DiffOptions, seed: Seed, suffix: string): Module {
  const { src, m, wrt } = prepare(input, opts);
  const e = startOutput(m);
  const fwd = copyForward(src, e);
  const outs = leafValues(e, fwd.get(src.root)!);
  const seeds = seed(e, outs);
  const ct = new Map<Instruction, Cot>();
  const rootCt = structure(src.root, [...seeds]);
  if (rootCt) ct.set(src.root, rootCt);
  backprop(src, e, fwd, ct, variedSet(src, wrt));
  const grads = wrt.map((n) => e.materialize(ct.get(src.params[n]), src.params[n].shape));
  return finishModule(m, e, e.c.tuple([...outs, ...grads]), suffix);
}

/** The root's cotangent shaped like its value, consuming the leaf seeds in depth-first order. */
function structure(x: Instruction, seeds: (Instruction | undefined)[]): Cot | undefined {
  const build = (s: Instruction['shape']): Cot | undefined =>
    s.kind === 'array' ? seeds.shift() : { elements: s.elements.map(build) };
  const c = build(x.shape);
  return isZero(c) ? undefined : c;
}

function backprop(src: Computation, e: Emitter, fwd: Map<Instruction, Instruction>, ct: Map<Instruction, Cot>, varied: Set<Instruction>): void {
  for (let k = src.instructions.length - 1; k >= 0; k--) {
    const i = src.instructions[k];
    const g = ct.get(i);
    if (i.opcode === 'parameter' || !varied.has(i) || g === undefined || isZero(g)) continue;
    const rule = ruleFor(i);
    const wants = i.operands.map((o) => varied.has(o));
    const x = fwd.get(i)!;
    const c: VjpCtx<Opcode> = { e, x, attrs: x.attrs, ops: x.operands, ct: g, wants };
    const out = rule.vjp(c);
    i.operands.forEach((o, n) => {
      if (!wants[n] || out[n] === undefined) return;
      const sum = e.acc(ct.get(o), out[n]);
      if (sum !== undefined) ct.set(o, sum);
    });
  }
}

/** One cotangent parameter per floating-point output leaf. */
export function vjpModule(m: Module, opts: DiffOptions = {}): Module {
  return reverse(m, opts, (e, outs) => outs.map((o, k) => (hasFloatLeaf(o) ? e.c.parameter(o.shape, `ct${k}`) : undefined)), 'vjp');
}

/** Cotangent 1 on a scalar floating-point root. */
export function gradModule(m: Module, opts: DiffOptions = {}): Module {
  const root = m.entry.root.shape;
  if (root.kind !== 'array' || root.dims.length !== 0 || !isFloat(root.dtype))
    throw new AutodiffUsageError(`autodiff: grad needs a scalar floating-point root, %${m.entry.root.name} has another shape`);
  return reverse(m, opts, (e) => [e.scalar(root.dtype, 1)], 'grad');
}

const hasFloatLeaf = (o: Instruction): boolean => o.shape.kind === 'array' && isFloat(o.shape.dtype);
