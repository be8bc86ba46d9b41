// Collects one kernel's buffer parameters and fresh names while lowering writes its body.
import type { Grid, Kernel, KernelParam, Schedule, Stmt, StorageType } from '../../ir/kernel/kernel.js';
import type { Instruction } from '../../ir/module.js';

/** The program buffer holding a constant instruction's literal (made on first request). */
export type ConstantBuffers = (instr: Instruction) => { id: number; dtype: StorageType; size: number };

export class KernelBuilder {
  readonly params: KernelParam[] = [];
  /** Program buffer id of each parameter. */
  readonly args: number[] = [];
  private used = new Set<string>();

  constructor(private readonly constants: ConstantBuffers) {}

  /** The parameter index of the buffer holding constant `instr`. */
  constant(instr: Instruction): number {
    const b = this.constants(instr);
    return this.param(b.id, instr.name, b.dtype, b.size, 'read');
  }

  /** The parameter index for program buffer `buffer`, added on first use. */
  param(buffer: number, name: string, dtype: StorageType, size: number, access: KernelParam['access']): number {
    const at = this.args.indexOf(buffer);
    if (at >= 0) {
      const p = this.params[at];
      if (p.access !== access) this.params[at] = { ...p, access: 'readwrite' };
      return at;
    }
    this.args.push(buffer);
    this.params.push({ name: this.fresh(name), dtype, size, access });
    return this.params.length - 1;
  }

  /** A name not used before in this kernel, made from `hint`. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_') || 'v';
    let name = base;
    for (let n = 1; this.used.has(name); n++) name = `${base}_${n}`;
    this.used.add(name);
    return name;
  }

  /** The kernel; with `grid`, a GPU grid kernel whose body runs once per invocation. */
  finish(name: string, body: Stmt[], source: string, schedule: Schedule = {}, grid?: Grid): Kernel {
    return grid ? { name, params: this.params, body, schedule, source, grid } : { name, params: this.params, body, schedule, source };
  }
}
