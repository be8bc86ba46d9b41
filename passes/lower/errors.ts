// What lowering cannot compile yet: always named by instruction and opcode, and counted
// by the golden and corpus suites rather than hidden.
import type { Instruction } from '../../ir/module.js';

export class NotCompiled extends Error {
  override name = 'NotCompiled';
  readonly opcode: string;
  constructor(readonly instr: Instruction, readonly reason: string) {
    super(`%${instr.name} (${instr.opcode}): not compiled yet: ${reason}`);
    this.opcode = instr.opcode;
  }
}
