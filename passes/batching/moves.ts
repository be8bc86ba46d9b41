// Moving batch dims: the few data movements every rule is written with. A rule moves a
// batch dim only when the op needs it somewhere (JAX's bdim_at_front, moveaxis), and
// materialises an unbatched operand (a broadcast) only when it meets a batched one.
import type { DType } from '../../ir/dtype.js';
import type { Instruction } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import { ArrayShape, Shape, array, asArray, tuple } from '../../ir/shape.js';
import { type BDim, type BVal, type RuleCtx, type Want, arrayBdim, bdimOfWant, elementBdim, isBatched } from './types.js';

export const insertAt = <T>(xs: readonly T[], at: number, x: T): T[] => [...xs.slice(0, at), x, ...xs.slice(at)];
export const removeAt = <T>(xs: readonly T[], at: number): T[] => [...xs.slice(0, at), ...xs.slice(at + 1)];

/** Where dim d of the unbatched value is once a batch dim sits at b. */
export const shift = (d: number, b: number): number => (d >= b ? d + 1 : d);

/** The shape of a value with batch dims `b` (size `size`). */
export function batchShape(s: Shape, b: BDim, size: number): Shape {
  if (s.kind === 'tuple') return tuple(s.elements.map((e, k) => batchShape(e, elementBdim(b, k), size)));
  if (b === null) return s;
  if (typeof b !== 'number') throw new Error('vmap: a tuple BDim for an array shape');
  return array(s.dtype, insertAt(s.dims, b, size));
}

export const dimsOf = (x: Instruction): readonly number[] => asArray(x.shape, `%${x.name}`).dims;
export const dtypeOf = (x: Instruction): DType => asArray(x.shape, `%${x.name}`).dtype;
export const arrayShape = (x: Instruction): ArrayShape => asArray(x.shape, `%${x.name}`);

/** The permutation that moves dim `from` of a rank-r array to `to`. */
export function movePerm(r: number, from: number, to: number): number[] {
  return insertAt(removeAt([...Array(r).keys()], from), to, from);
}

/** An unbatched array broadcast to carry the batch at dim `at`. */
export function broadcastBatch(ctx: RuleCtx, x: Instruction, at: number): Instruction {
  const dims = dimsOf(x);
  const dimensions = dims.map((_, i) => shift(i, at));
  return ctx.c.op('broadcast', [x], { dimensions }, array(dtypeOf(x), insertAt(dims, at, ctx.size)));
}

/** The array value with its batch dim at `to` (broadcast when unbatched, transposed when elsewhere). */
export function moveTo(ctx: RuleCtx, v: BVal, to: number): Instruction {
  const b = arrayBdim(v);
  if (b === null) return broadcastBatch(ctx, v.x, to);
  if (b === to) return v.x;
  return ctx.c.op('transpose', [v.x], { dimensions: movePerm(dimsOf(v.x).length, b, to) });
}

/** The batch dim of the first batched array among args (the dim the others are moved to). */
export function firstBdim(args: readonly BVal[]): number {
  for (const a of args) if (a.b !== null) return arrayBdim(a)!;
  throw new Error('vmap: a rule ran with no batched operand');
}

/** All args batched at one dim (the first batched arg's), unbatched ones broadcast. */
export function allAt(ctx: RuleCtx, args: readonly BVal[], at = firstBdim(args)): { xs: Instruction[]; b: number } {
  return { xs: args.map((a) => moveTo(ctx, a, at)), b: at };
}

/** A tuple value's elements (read from the tuple instruction when it is one, else by get-tuple-element). */
export function elementsOf(ctx: RuleCtx, v: BVal): BVal[] {
  const s = v.x.shape;
  if (s.kind !== 'tuple') throw new Error(`vmap: %${v.x.name} is not a tuple`);
  return s.elements.map((_, k) => ({
    x: v.x.opcode === 'tuple' ? v.x.operands[k] : ctx.c.op('get-tuple-element', [v.x], { index: k }),
    b: elementBdim(v.b, k),
  }));
}

/** The value with exactly the batched leaves `want` asks for, each at dim 0. */
export function conform(ctx: RuleCtx, v: BVal, want: Want): BVal {
  if (typeof want === 'boolean') {
    if (!want) {
      if (isBatched(v.b)) throw new Error(`vmap: %${v.x.name} is batched where an unbatched value is needed`);
      return { x: v.x, b: null };
    }
    return { x: moveTo(ctx, v, 0), b: 0 };
  }
  if (sameBdim(v.b, bdimOfWant(want))) return v;
  const els = elementsOf(ctx, v).map((e, k) => conform(ctx, e, want[k]));
  return { x: ctx.c.op('tuple', els.map((e) => e.x), {}), b: bdimOfWant(want) };
}

export function sameBdim(a: BDim, b: BDim): boolean {
  if (a === null || b === null || typeof a === 'number' || typeof b === 'number') return a === b;
  return a.length === b.length && a.every((x, k) => sameBdim(x, b[k]));
}

/** An array shape with another element type. */
export const withType = (s: Shape, dtype: DType): Shape => (s.kind === 'array' ? { ...s, dtype } : s);

/** An instruction like instr (same opcode and attributes unless given) over new operands. */
export function emitLike(ctx: RuleCtx, instr: Instruction, operands: readonly Instruction[], shape?: Shape, attrs: object = instr.attrs): Instruction {
  const op = ctx.c.op as (o: Opcode, ops: readonly Instruction[], a: object, s?: Shape) => Instruction;
  return op.call(ctx.c, instr.opcode, operands, attrs, shape);
}
