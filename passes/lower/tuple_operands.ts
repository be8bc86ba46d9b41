// A fusion whose operand is a tuple (a tuple entry parameter passed whole, as XLA's own
// tests do): inside the fused computation the parameter is only taken apart by
// get-tuple-element, so each array-shaped get-tuple-element chain reads one leaf buffer
// of the operand directly, and the loop kernel treats it as an input of its own.
import type { Computation, Instruction } from '../../ir/module.js';
import { usersOf } from '../../ir/module.js';
import type { ProgramBuilder } from './buffers.js';
import { leafShape } from './buffers.js';
import { NotCompiled } from './errors.js';
import type { BufferRef } from './loop_kernel.js';

/** The fused instructions that stand for `operand`'s array leaves, each with its buffer. */
export function tupleLeafInputs(source: Instruction, body: Computation, param: Instruction, operand: Instruction, b: ProgramBuilder): Map<Instruction, BufferRef> {
  const users = usersOf(body);
  const out = new Map<Instruction, BufferRef>();
  const pending: [Instruction, number[]][] = [[param, []]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [tuple, path] = next;
    for (const u of users.get(tuple) ?? []) {
      if (u.opcode !== 'get-tuple-element') throw new NotCompiled(source, `fused %${u.name} reads tuple %${tuple.name} whole`);
      const at = [...path, u.attrs.index];
      if (u.shape.kind === 'tuple') pending.push([u, at]);
      else out.set(u, { ...b.ref(b.assignment.bufferOf(operand, at)), shape: leafShape(operand.shape, at) });
    }
  }
  return out;
}
