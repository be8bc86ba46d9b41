// The range of each s32 value a kernel computes, where it can be bounded: constants,
// invocation ids (by the grid), loop variables (by their bounds) and what is computed from
// them by + − × min max select and division or remainder by a constant. A target uses it
// to spell signed arithmetic that provably stays inside s32 plainly: C's signed overflow is
// undefined, so CUDA C writes wrapping arithmetic (XLA's) through unsigned types unless the
// result provably fits.
import type { Expr, Kernel, Stmt } from '../../ir/kernel/kernel.js';

export type Range = readonly [number, number];

const S32_MIN = -(2 ** 31), S32_MAX = 2 ** 31 - 1;
/** Rounds after which a variable whose range still grows is given up (an accumulator). */
const ROUNDS = 8;

export class S32Ranges {
  private readonly vars = new Map<string, Range | undefined>();
  private readonly defined: ReadonlySet<string>;

  constructor(private readonly k: Kernel) {
    const defs = definitions(k.body);
    this.defined = new Set(defs.keys());
    let changed = true;
    for (let round = 0; changed && round < ROUNDS + 1; round++) {
      changed = false;
      for (const [name, values] of defs) {
        const hull = values.reduce<Range | undefined | null>((acc, v) => join(acc, this.valueOf(v)), null);
        const next = hull === null ? undefined : hull;
        const old = this.vars.get(name);
        if (this.vars.has(name) && same(old, next)) continue;
        this.vars.set(name, round === ROUNDS ? undefined : next);
        changed = true;
      }
    }
  }

  /** [lo, hi] of an s32 scalar expression, or undefined when it may leave s32 or is not known. */
  of(e: Expr): Range | undefined {
    if (e.type.scalar !== 's32' || e.type.lanes !== 1) return undefined;
    const r = this.valueOf(e);
    return r && r[0] >= S32_MIN && r[1] <= S32_MAX ? r : undefined;
  }

  private valueOf(e: Expr): Range | undefined {
    if (e.type.scalar !== 's32' || e.type.lanes !== 1) return undefined;
    switch (e.k) {
      case 'const': return [Number(e.value), Number(e.value)];
      // A variable not given a range yet starts at [0, 0]: the rounds grow it to a fixpoint.
      case 'var': return this.vars.has(e.name) ? this.vars.get(e.name) : this.defined.has(e.name) ? [0, 0] : undefined;
      case 'gpuId': {
        const g = this.k.grid;
        if (!g) return undefined;
        return [0, (e.id === 'local' ? g.size : g.workgroups)[e.dim] - 1];
      }
      case 'select': return join(this.of(e.a), this.of(e.b)) ?? undefined;
      case 'binary': return this.binary(e.op, this.of(e.a), this.of(e.b), e.b);
      default: return undefined;
    }
  }

  private binary(op: string, a: Range | undefined, b: Range | undefined, bExpr: Expr): Range | undefined {
    if (!a || !b) return undefined;
    switch (op) {
      case 'add': return [a[0] + b[0], a[1] + b[1]];
      case 'subtract': return [a[0] - b[1], a[1] - b[0]];
      case 'multiply': {
        const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
        return [Math.min(...p), Math.max(...p)];
      }
      case 'minimum': return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
      case 'maximum': return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
      case 'divide': {
        if (bExpr.k !== 'const' || Number(bExpr.value) <= 0) return undefined;
        const d = Number(bExpr.value);
        return [Math.trunc(a[0] / d), Math.trunc(a[1] / d)];
      }
      case 'remainder': {
        if (bExpr.k !== 'const' || Number(bExpr.value) === 0) return undefined;
        const m = Math.abs(Number(bExpr.value)) - 1;
        return [a[0] >= 0 ? 0 : -m, a[1] <= 0 ? 0 : m];
      }
      default: return undefined;
    }
  }
}

/** Every value each variable is given: lets, assigns, and a loop variable's first and last. */
function definitions(body: readonly Stmt[]): Map<string, Expr[]> {
  const defs = new Map<string, Expr[]>();
  const note = (name: string, e: Expr) => { const d = defs.get(name); if (d) d.push(e); else defs.set(name, [e]); };
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      if (s.k === 'let' || s.k === 'assign') note(s.name, s.value);
      else if (s.k === 'loop') {
        note(s.loop.var, s.loop.start);
        // The last value the body sees is below the end; positive steps only.
        if (s.loop.step > 0) note(s.loop.var, { k: 'binary', type: s.loop.end.type, op: 'subtract', a: s.loop.end, b: { k: 'const', type: s.loop.end.type, value: 1 } });
        else note(s.loop.var, { k: 'var', type: s.loop.start.type, name: '\0unknown' });
        walk(s.loop.body);
      } else if (s.k === 'if') { walk(s.then); walk(s.else); }
    }
  };
  walk(body);
  return defs;
}

function join(a: Range | undefined | null, b: Range | undefined): Range | undefined | null {
  if (a === null) return b;
  if (!a || !b) return undefined;
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

const same = (a: Range | undefined, b: Range | undefined): boolean => a === b || (a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1]);
