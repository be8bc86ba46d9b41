// Which pure let expression each variable still equals, tracked along a walk of a
// kernel body in program order. A renderer that walks its kernel once (as the wasm
// emitter does) asks it to see through an index variable to its definition; a pass
// could ask the same.
import type { Expr } from '../../ir/kernel/kernel.js';
import { freeVars, pureIndex } from './invariant.js';

/**
 * A variable's definition stays valid while none of the variables it read has changed:
 * each (re)definition bumps a version, and a definition remembers the versions of its
 * free variables when it was bound. Callers redefine everything a loop defines on
 * entering and leaving it, and everything an if's branches define after it.
 */
export class LetValues {
  private readonly defs = new Map<string, { value: Expr; versions: [string, number][] }>();
  private readonly versions = new Map<string, number>();
  private counter = 0;

  /** `name` was (re)assigned: what it was bound to no longer holds, nor anything that read it. */
  redefine(names: Iterable<string>): void {
    for (const n of names) {
      this.versions.set(n, ++this.counter);
      this.defs.delete(n);
    }
  }

  /** `let name = value`: remembered when `value` is a pure index expression. */
  define(name: string, value: Expr): void {
    this.redefine([name]);
    if (pureIndex(value)) this.defs.set(name, { value, versions: freeVars(value).map((n) => [n, this.version(n)]) });
  }

  /** The let expression variable `name` still equals here, if any. */
  valueOf(name: string): Expr | undefined {
    const d = this.defs.get(name);
    return d && d.versions.every(([n, v]) => this.version(n) === v) ? d.value : undefined;
  }

  private version(name: string): number {
    return this.versions.get(name) ?? -1;
  }
}
