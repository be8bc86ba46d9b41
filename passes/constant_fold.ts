// Constant folding through the reference interpreter: an instruction whose operands are
// all constants becomes the constant the interpreter computes for it, so folding means
// exactly what running means. Like XLA's HloConstantFolding it leaves broadcast and
// iota alone (folding only makes them bigger) and never runs opaque ops or rng.
import { DTYPES } from '../ir/dtype.js';
import { interpret, InterpretError } from '../ir/interpret/index.js';
import type { ArrayLiteral } from '../ir/literal.js';
import type { Computation, Instruction, Module } from '../ir/module.js';
import { elementCount, leaves } from '../ir/shape.js';
import { arrayValues, cloneModule, isOpaqueOrRandom, makeInstruction, moduleNames, sweep } from './rewrite.js';

/** The largest result folded, in elements. */
export const MAX_FOLDED_ELEMENTS = 1 << 16;
/** Interpreter work allowed for one fold (a while loop on constants may not end). */
const FOLD_BUDGET = 1e7;

export function constantFold(input: Module): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  for (const c of m.computations)
    sweep(c, (i) => {
      const value = foldable(i) ? fold(i) : undefined;
      if (!value) return undefined;
      const meta = i.raw.filter((r) => r.name === 'metadata');
      const k = makeInstruction(i.name, 'constant', i.shape, [], { literal: value }, meta);
      // The folded constant takes the instruction's place (and name); the old one is dead.
      i.name = names.unique(`${i.name}.folded`);
      return { replacement: k, added: [k] };
    });
  return m;
}

function foldable(i: Instruction): boolean {
  if (i.operands.length === 0 || i.opcode === 'broadcast' || isOpaqueOrRandom(i)) return false;
  if (!i.operands.every((o) => o.opcode === 'constant' && leavesKnown(o))) return false;
  if (i.shape.kind !== 'array' || elementCount(i.shape) > MAX_FOLDED_ELEMENTS) return false;
  return [i, ...i.operands].every((x) => leaves(x.shape).every((s) => DTYPES[s.dtype].computable));
}

const leavesKnown = (o: Instruction): boolean =>
  o.opcode === 'constant' && (o.attrs.literal.shape.kind === 'tuple' || arrayValues(o.attrs.literal) !== undefined);

function fold(i: Instruction): ArrayLiteral | undefined {
  const copy = { ...i, operands: i.operands } as Instruction;
  const tmp: Computation = { name: 'fold', instructions: [...i.operands, copy], root: copy, isEntry: true, params: [] };
  const m: Module = { name: 'fold', headerAttrs: [], computations: [tmp], entry: tmp, style: { percent: true, operandShapes: true, signatures: true } };
  try {
    const out = interpret(m, [], { maxElements: FOLD_BUDGET });
    if (out.shape.kind !== 'array' || i.shape.kind !== 'array') return undefined;
    return { shape: i.shape, data: (out as ArrayLiteral).data };
  } catch (e) {
    if (e instanceof InterpretError) return undefined;
    throw e;
  }
}
