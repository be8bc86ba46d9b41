// Which power of two (up to 16) each s32 value is provably a multiple of: constants,
// products and sums of multiples, loop variables stepping by a multiple from one. A target
// uses it to prove a vector access aligned: CUDA C reads four floats as one float4 (one
// 128-bit load) only where the element index is a multiple of 4 and the buffer starts on
// 16 bytes; a misaligned float4 access faults on a GPU.
import type { Expr, Kernel, Stmt } from '../../ir/kernel/kernel.js';

/** The largest power of two tracked. */
const MOST = 16;

export class Multiples {
  private readonly vars = new Map<string, number>();

  constructor(k: Kernel) {
    const defs = definitions(k.body);
    for (const name of defs.keys()) this.vars.set(name, MOST);
    // Values only fall (a finite lattice), so the rounds end; each keeps what every definition proves.
    for (let changed = true; changed;) {
      changed = false;
      for (const [name, values] of defs) {
        const m = Math.min(...values.map((v) => (typeof v === 'number' ? v : this.of(v))));
        if (m < this.vars.get(name)!) { this.vars.set(name, m); changed = true; }
      }
    }
  }

  /** A power of two that divides `e` (1 when nothing is known). */
  of(e: Expr): number {
    if (e.type.scalar !== 's32' || e.type.lanes !== 1) return 1;
    switch (e.k) {
      case 'const': return powerOf(Number(e.value));
      case 'var': return this.vars.get(e.name) ?? 1;
      case 'select': return Math.min(this.of(e.a), this.of(e.b));
      case 'binary':
        switch (e.op) {
          case 'add': case 'subtract': case 'minimum': case 'maximum': return Math.min(this.of(e.a), this.of(e.b));
          case 'multiply': return Math.min(MOST, this.of(e.a) * this.of(e.b));
          case 'shift-left': return e.b.k === 'const' && Number(e.b.value) >= 0 && Number(e.b.value) < 31 ? Math.min(MOST, this.of(e.a) * 2 ** Number(e.b.value)) : 1;
          default: return 1;
        }
      default: return 1;
    }
  }
}

/** The largest power of two up to MOST dividing integer `n` (0: MOST). */
const powerOf = (n: number): number => {
  if (!Number.isInteger(n)) return 1;
  if (n === 0) return MOST;
  let p = 1;
  while (p < MOST && n % (p * 2) === 0) p *= 2;
  return p;
};

/** Each variable's definitions: values, or a loop's step (a number: what it adds). */
function definitions(body: readonly Stmt[]): Map<string, (Expr | number)[]> {
  const defs = new Map<string, (Expr | number)[]>();
  const note = (name: string, v: Expr | number) => { const d = defs.get(name); if (d) d.push(v); else defs.set(name, [v]); };
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      if (s.k === 'let' || s.k === 'assign') note(s.name, s.value);
      else if (s.k === 'loop') {
        note(s.loop.var, s.loop.start);
        note(s.loop.var, powerOf(s.loop.step));
        walk(s.loop.body);
      } else if (s.k === 'if') { walk(s.then); walk(s.else); }
    }
  };
  walk(body);
  return defs;
}
