// Recognising the scalar computations reductions and scatters call: two scalar
// parameters and a root that is one binary op of them (either order), or a root that is
// simply one parameter (an overwriting scatter), or a comparison (select-and-scatter's select).
import type { Computation, Instruction } from '../../ir/module.js';

export type ReducerKind = 'add' | 'multiply' | 'maximum' | 'minimum';
const KINDS: readonly string[] = ['add', 'multiply', 'maximum', 'minimum'];

const twoScalarParams = (c: Computation): boolean =>
  c.params.length === 2 && c.params.every((p) => p.shape.kind === 'array' && p.shape.dims.length === 0);

const ofBothParams = (c: Computation, r: Instruction): boolean =>
  r.operands.length === 2 && r.operands.includes(c.params[0]) && r.operands.includes(c.params[1]);

/** add / multiply / maximum / minimum of the two parameters, or undefined. */
export function reducerKind(c: Computation): ReducerKind | undefined {
  const r = c.root;
  if (!twoScalarParams(c) || !KINDS.includes(r.opcode) || !ofBothParams(c, r)) return undefined;
  return r.opcode as ReducerKind;
}

/** `(a, b) -> b`: the update replaces what was there. */
export const isOverwrite = (c: Computation): boolean => twoScalarParams(c) && c.root === c.params[1];

/** A select's comparison, oriented as compare(current, candidate, direction); undefined if not one. */
export function selectDirection(c: Computation): 'GE' | 'GT' | 'LE' | 'LT' | undefined {
  const r = c.root;
  if (!twoScalarParams(c) || r.opcode !== 'compare' || !ofBothParams(c, r)) return undefined;
  const d = r.attrs.direction;
  const flipped = r.operands[0] === c.params[1];
  const table: Record<string, 'GE' | 'GT' | 'LE' | 'LT'> = flipped ? { GE: 'LE', GT: 'LT', LE: 'GE', LT: 'GT' } : { GE: 'GE', GT: 'GT', LE: 'LE', LT: 'LT' };
  return table[d];
}
