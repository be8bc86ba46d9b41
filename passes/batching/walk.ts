// The walk: batch one computation's instructions in order, each by its rule when any operand
// is batched and copied as it is when none is (an unbatched value stays unbatched until it
// meets a batched one, as in JAX). Called computations that carry batched values are batched
// into new computations; the original ones are shared.
import { ComputationBuilder, type NameUniquer } from '../../ir/builder.js';
import type { Computation, Instruction } from '../../ir/module.js';
import type { Opcode } from '../../ir/opcodes.js';
import type { Shape } from '../../ir/shape.js';
import { batchShape, conform } from './moves.js';
import { RULES } from './rules.js';
import {
  type BDim, type BVal, type BatchRule, NotBatchableError, type RuleCtx, type Want, isBatched, isNotBatchable, refuse,
} from './types.js';

/** A RuleCtx over one builder; `instr` is set to each instruction as it is batched. */
class Scope implements RuleCtx {
  instr!: Instruction;
  constructor(readonly c: ComputationBuilder, private readonly walk: Walk) {}
  get size(): number { return this.walk.size; }
  batchComputation(comp: Computation, params: readonly BDim[], want?: Want) { return this.walk.batchComputation(comp, params, want); }
  inline(comp: Computation, args: readonly BVal[]): BVal { return this.walk.batchInto(this.c, comp, args); }
  computation(name: string, params: readonly Shape[], body: (scope: RuleCtx, params: Instruction[]) => Instruction) {
    return this.walk.computation(name, params, body);
  }
}

/** Instructions the root needs, in the computation's order (dead code is not batched). */
function live(comp: Computation): Instruction[] {
  const seen = new Set<Instruction>();
  const stack = [comp.root];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    stack.push(...i.operands);
  }
  return comp.instructions.filter((i) => seen.has(i));
}

/** The instruction unchanged over new (unbatched) operands, keeping its name and raw attributes. */
function copy(c: ComputationBuilder, instr: Instruction, operands: readonly Instruction[]): Instruction {
  const op = c.op as (o: Opcode, ops: readonly Instruction[], a: object, s?: Shape, n?: string) => Instruction;
  const out = op.call(c, instr.opcode, operands, instr.attrs, instr.shape, instr.name);
  out.raw = instr.raw.filter((r) => r.name !== 'control-predecessors');
  if (instr.asyncOf !== undefined) out.asyncOf = instr.asyncOf;
  return out;
}

export class Walk {
  constructor(readonly size: number, readonly names: NameUniquer, readonly computationNames: NameUniquer) {}

  /** Batches comp's live instructions into c, its parameters standing for args; returns the root's value. */
  batchInto(c: ComputationBuilder, comp: Computation, args: readonly BVal[]): BVal {
    const scope = new Scope(c, this);
    const vals = new Map<Instruction, BVal>();
    for (const instr of live(comp)) {
      if (instr.opcode === 'parameter') {
        vals.set(instr, args[instr.attrs.parameter_number]);
        continue;
      }
      const ops = instr.operands.map((o) => vals.get(o)!);
      scope.instr = instr;
      vals.set(instr, ops.some((o) => isBatched(o.b)) ? this.apply(scope, instr, ops) : { x: copy(c, instr, ops.map((o) => o.x)), b: null });
    }
    return vals.get(comp.root)!;
  }

  private apply(scope: Scope, instr: Instruction, ops: readonly BVal[]): BVal {
    const rule = RULES[instr.opcode];
    if (isNotBatchable(rule)) refuse(instr, rule.notBatchable);
    try {
      return (rule as BatchRule<Opcode>)(scope, instr, ops);
    } catch (e) {
      if (e instanceof NotBatchableError || !(e instanceof Error)) throw e;
      throw new Error(`vmap: batching %${instr.name} (${instr.opcode}) failed: ${e.message}`, { cause: e });
    }
  }

  /** A new computation: comp with its parameters batched as given, its root conformed to `want` when given. */
  batchComputation(comp: Computation, params: readonly BDim[], want?: Want): { comp: Computation; out: BDim } {
    const c = new ComputationBuilder(this.computationNames.unique(`${comp.name}.batched`), this.names);
    const args = comp.params.map((p, k) => ({ x: c.parameter(batchShape(p.shape, params[k], this.size), p.name), b: params[k] }));
    let out = this.batchInto(c, comp, args);
    if (want !== undefined) out = conform(new Scope(c, this), out, want);
    return { comp: c.finish(out.x, false), out: out.b };
  }

  computation(name: string, params: readonly Shape[], body: (scope: RuleCtx, params: Instruction[]) => Instruction): Computation {
    const c = new ComputationBuilder(this.computationNames.unique(name), this.names);
    const ps = params.map((s) => c.parameter(s));
    return c.finish(body(new Scope(c, this), ps), false);
  }

  /** A scope over c for code outside any rule (placing the entry's outputs). */
  scope(c: ComputationBuilder): RuleCtx {
    return new Scope(c, this);
  }
}
