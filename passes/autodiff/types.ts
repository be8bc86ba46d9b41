// The shape of autodiff's one rule table: per opcode either a Rule (its forward-mode
// and reverse-mode derivative, written as IR the rule emits) or NotDifferentiable with
// the reason. `RuleTable` is a mapped type over the opcode table, so a new opcode in
// ir/opcodes.ts fails to compile here until it has one or the other.
import type { Instruction } from '../../ir/module.js';
import type { OpAttrs, Opcode } from '../../ir/opcodes.js';
import type { Emitter } from './emitter.js';

/**
 * A tangent or cotangent: an instruction for an array value, or one entry per element of
 * a tuple value. `undefined` anywhere is a symbolic zero: it is never materialised
 * unless an instruction needs an actual operand.
 */
export type Cot = Instruction | CotTuple;
export interface CotTuple {
  readonly elements: readonly (Cot | undefined)[];
}
export const isCotTuple = (c: Cot): c is CotTuple => 'elements' in c && !('opcode' in c);

interface Ctx<O extends Opcode> {
  readonly e: Emitter;
  /** The instruction being differentiated, as copied into the output (its operands are copies too). */
  readonly x: Instruction;
  readonly attrs: OpAttrs<O>;
  /** x's operands (primal values). */
  readonly ops: readonly Instruction[];
}

export interface JvpCtx<O extends Opcode> extends Ctx<O> {
  /** One tangent per operand; undefined where the operand does not vary (or its tangent is zero). */
  readonly t: readonly (Cot | undefined)[];
}

export interface VjpCtx<O extends Opcode> extends Ctx<O> {
  /** The cotangent of x; never zero (rules are not called then). */
  readonly ct: Cot;
  /** Which operands want a cotangent (they vary with a differentiated parameter). */
  readonly wants: readonly boolean[];
}

export interface Rule<O extends Opcode> {
  /** x's tangent from its operands' tangents (at least one is given); undefined: zero. */
  readonly jvp: (c: JvpCtx<O>) => Cot | undefined;
  /** One cotangent per operand (undefined: zero, or not wanted). */
  readonly vjp: (c: VjpCtx<O>) => readonly (Cot | undefined)[];
}

export interface NotDifferentiable {
  readonly notDifferentiable: string;
}
export const nd = (reason: string): NotDifferentiable => ({ notDifferentiable: reason });

export type RuleTable = { [O in Opcode]: Rule<O> | NotDifferentiable };
export type PartialRules<K extends Opcode> = { [O in K]: Rule<O> | NotDifferentiable };

export const isRule = <O extends Opcode>(r: Rule<O> | NotDifferentiable): r is Rule<O> => !('notDifferentiable' in r);

/** The cotangent or tangent as an array instruction (rules of array-valued ops). */
export function arr(c: Cot): Instruction {
  if (isCotTuple(c)) throw new Error('autodiff: expected an array (co)tangent, got a tuple');
  return c;
}

/** No operand has a derivative: integer/pred results, piecewise-constant functions. */
export const zeroRule = <O extends Opcode>(): Rule<O> => ({ jvp: () => undefined, vjp: () => [] });
