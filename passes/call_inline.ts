// Call inlining (XLA's CallInliner): every `call` is replaced by a copy of the
// computation it calls, its parameters standing for the call's operands, so lowering never
// sees a call. Calls inside the inlined code are inlined too, in the same walk. The walk
// keeps its own stack of frames instead of recursing, so a chain of thousands of nested
// calls needs no deep JavaScript stack. Callees left without callers go at the next DCE.
import type { NameUniquer } from '../ir/builder.js';
import type { Computation, Instruction, Module } from '../ir/module.js';
import { cloneModule, moduleNames } from './rewrite.js';

export function callInline(input: Module): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  for (const c of m.computations) if (c.instructions.some(inlinable)) inlineCalls(c, names);
  return m;
}

/** A synchronous call (an async op's wrapper is left alone). */
const inlinable = (i: Instruction): boolean => i.opcode === 'call' && i.asyncOf === undefined;

/** One computation being copied in: where its walk is, and what each of its instructions became. */
interface Frame {
  readonly instrs: readonly Instruction[];
  pos: number;
  readonly map: Map<Instruction, Instruction>;
  /** The call this frame's root replaces, in the frame below; undefined for `c` itself. */
  readonly call?: Instruction;
  readonly root: Instruction;
}

/** Rewrites `c` with every call (and every call those calls make) inlined, in schedule order. */
function inlineCalls(c: Computation, names: NameUniquer): void {
  const out: Instruction[] = [];
  const top: Frame = { instrs: c.instructions, pos: 0, map: new Map(), root: c.root };
  const stack: Frame[] = [top];
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.pos === f.instrs.length) {
      stack.pop();
      if (f.call) stack[stack.length - 1].map.set(f.call, f.map.get(f.root) ?? f.root);
      continue;
    }
    const instr = f.instrs[f.pos++];
    const operands = instr.operands.map((o) => f.map.get(o) ?? o);
    if (inlinable(instr)) {
      const callee = (instr as Extract<Instruction, { opcode: 'call' }>).attrs.to_apply;
      const map = new Map(callee.params.map((p, k) => [p, operands[k]]));
      stack.push({ instrs: callee.instructions, pos: 0, map, call: instr, root: callee.root });
    } else if (f.call === undefined) {
      instr.operands = operands; // c's own instruction: kept, reading what the calls became
      out.push(instr);
    } else if (instr.opcode !== 'parameter') {
      const copy = { ...instr, name: names.unique(instr.name), operands, attrs: { ...instr.attrs }, raw: instr.raw.filter((r) => r.name !== 'control-predecessors') } as Instruction;
      f.map.set(instr, copy);
      out.push(copy);
    }
  }
  c.instructions = out;
  c.root = top.map.get(c.root) ?? c.root;
}
