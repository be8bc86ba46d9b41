// The vocabulary of batching: where a value carries its batch dimension, what a rule is,
// and how a rule refuses. Everything else in passes/batching/ is written in these terms.
import type { ComputationBuilder } from '../../ir/builder.js';
import type { Computation, Instruction, InstructionOf } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import type { Shape } from '../../ir/shape.js';

/**
 * Where a value's batch dimension is: `null` when the value is the same for every example
 * (unbatched), a dim number for an array, and for a tuple one BDim per element. A tuple
 * with no batched leaf is always written `null` (see normalize), so `null` means
 * "unbatched" whatever the shape.
 */
export type BDim = number | null | readonly BDim[];

/** A value of the batched program: the instruction that computes it and where its batch dim is. */
export interface BVal {
  readonly x: Instruction;
  readonly b: BDim;
}

/** Which leaves of a value must be batched (and then at dim 0): the shape of a carried loop value. */
export type Want = boolean | readonly Want[];

/** What a rule may use: the builder of the computation being written, and the walk that writes it. */
export interface RuleCtx {
  readonly c: ComputationBuilder;
  /** The batch size. */
  readonly size: number;
  /** The instruction being batched, for error messages. */
  readonly instr: Instruction;
  /** Batches a called computation: params batched as given; the root conformed to `want` when given. */
  batchComputation(comp: Computation, params: readonly BDim[], want?: Want): { comp: Computation; out: BDim };
  /** Batches a computation's instructions into `c` itself (inlined), its parameters standing for `args`. */
  inline(comp: Computation, args: readonly BVal[]): BVal;
  /** A new computation of the output module (a scatter's combiner, a loop body that selects). */
  computation(name: string, params: readonly Shape[], body: (scope: RuleCtx, params: Instruction[]) => Instruction): Computation;
}

/**
 * How an opcode batches: given the instruction and its operands' batched values (at least
 * one of them batched), emit the batched computation into ctx.c and say where the result's
 * batch dim is. A rule may still refuse a case (throw NotBatchableError via `refuse`).
 */
export type BatchRule<O extends Opcode> = (ctx: RuleCtx, instr: InstructionOf<O>, args: readonly BVal[]) => BVal;

/** An opcode with no batching rule, and why. */
export interface NotBatchable {
  readonly notBatchable: string;
}

export const notBatchable = (reason: string): NotBatchable => ({ notBatchable: reason });

export function isNotBatchable(r: unknown): r is NotBatchable {
  return typeof r === 'object' && r !== null && 'notBatchable' in r;
}

/** vmap cannot batch this module; the message names the instruction and says why. */
export class NotBatchableError extends Error {
  override name = 'NotBatchableError';
}

/** Refuses to batch instr, naming it. */
export function refuse(instr: Instruction, reason: string): never {
  throw new NotBatchableError(`vmap: cannot batch %${instr.name} (${instr.opcode}): ${reason}`);
}

// --- BDim helpers ---------------------------------------------------------------------------

export function isBatched(b: BDim): boolean {
  return b !== null && (typeof b === 'number' || b.some(isBatched));
}

/** A tuple BDim with no batched leaf becomes null. */
export function normalize(b: BDim): BDim {
  if (b === null || typeof b === 'number') return b;
  const els = b.map(normalize);
  return els.some(isBatched) ? els : null;
}

/** The batch dim of an array value (null or a number); a tuple here is a kiln bug. */
export function arrayBdim(v: BVal): number | null {
  if (v.b !== null && typeof v.b !== 'number') throw new Error(`vmap: %${v.x.name} is a tuple where an array was expected`);
  return v.b;
}

/** Element k's BDim of a tuple value's BDim. */
export const elementBdim = (b: BDim, k: number): BDim => (b === null || typeof b === 'number' ? null : b[k]);

/** Which leaves of a value are batched. */
export function wantOf(b: BDim, shape: Shape): Want {
  if (shape.kind === 'array') return b !== null;
  return shape.elements.map((e, k) => wantOf(elementBdim(b, k), e));
}

/** The BDim of a value conformed to `want`: its batched leaves at dim 0. */
export function bdimOfWant(w: Want): BDim {
  if (typeof w === 'boolean') return w ? 0 : null;
  return normalize(w.map(bdimOfWant));
}

export function orWant(a: Want, b: Want): Want {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === true || b === true;
  return a.map((w, k) => orWant(w, b[k]));
}

export function sameWant(a: Want, b: Want): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return a === b;
  return a.length === b.length && a.every((w, k) => sameWant(w, b[k]));
}

/** Every leaf of the shape batched. */
export function wantAll(shape: Shape): Want {
  return shape.kind === 'array' ? true : shape.elements.map(wantAll);
}
