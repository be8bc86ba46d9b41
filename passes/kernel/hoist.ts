// Loop-invariant code motion on kernel IR. The elemental emitter computes every value at
// the element that needs it, so a value that depends only on the row (LayerNorm's
// rsqrt(variance + ε), softmax's row max, a broadcast scalar's load) is recomputed for
// every element of the row. This pass moves such values out of serial loops into lets
// before them, once per distinct expression, innermost loop first so that values bubble
// out as far as they can.
//
// It never moves work out of a `parallel` loop (GPU targets map its iterations to
// invocations and want nothing around it) nor out of an `if` (that would compute what
// the branch guards). Loads move only from buffers the kernel never writes and out of
// loops known to run at least once, so a hoisted load reads an element the loop would
// have read anyway. Expressions are pure (kernel IR has no traps), so nothing else can
// change meaning.
import type { Expr, Kernel, Loop, Stmt } from '../../ir/kernel/kernel.js';
import { typeName } from '../../ir/kernel/build.js';
import { printExpr } from '../../ir/kernel/print.js';
import { definedIn, mapExprChildren, mapStmtExprs, walkStmts } from '../../ir/kernel/walk.js';
import { isInvariant } from './invariant.js';

export function hoistInvariants(kernel: Kernel): Kernel {
  const written = new Set<number>();
  kernel.params.forEach((p, i) => p.access !== 'read' && written.add(i));
  const names = new Set(kernel.params.map((p) => p.name));
  walkStmts(kernel.body, (s) => {
    if (s.k === 'let') names.add(s.name);
    if (s.k === 'loop') names.add(s.loop.var);
  });
  const h = new Hoister(written, names, fixedLets(kernel.body));
  return { ...kernel, body: h.stmts(kernel.body) };
}

class Hoister {
  constructor(
    private readonly written: ReadonlySet<number>,
    private readonly names: Set<string>,
    /** Lets declared once and never assigned: they may move whole. */
    private readonly fixedLets: ReadonlySet<string>,
  ) {}

  stmts(body: readonly Stmt[]): Stmt[] {
    const out: Stmt[] = [];
    for (const s of body) {
      if (s.k === 'if') out.push({ ...s, then: this.stmts(s.then), else: this.stmts(s.else) });
      else if (s.k === 'loop') out.push(...this.loop({ ...s.loop, body: this.stmts(s.loop.body) }));
      else out.push(s);
    }
    return out;
  }

  /** `pre` statements hoisted out of `l`, then `l` without them. */
  private loop(l: Loop): Stmt[] {
    if (l.mode === 'parallel') return [{ k: 'loop', loop: l }];
    const variant = definedIn(l.body, new Set([l.var]));
    const loadsOk = runsOnce(l);
    const pre: Stmt[] = [];
    const hoisted = new Map<string, Expr>();
    const invariant = (e: Expr): boolean => isInvariant(e, variant, loadsOk ? this.written : undefined);

    const lift = (e: Expr): Expr => {
      if (invariant(e)) {
        if (!worthHoisting(e)) return e;
        const key = `${typeName(e.type)} ${printExpr(e)}`;
        let v = hoisted.get(key);
        if (!v) {
          const name = this.fresh('inv');
          pre.push({ k: 'let', name, value: e });
          v = { k: 'var', type: e.type, name };
          hoisted.set(key, v);
        }
        return v;
      }
      return mapExprChildren(e, lift);
    };

    const body: Stmt[] = [];
    for (const s of l.body) {
      // A let of an invariant value, declared once and never reassigned, moves whole.
      if (s.k === 'let' && this.fixedLets.has(s.name) && invariant(s.value)) {
        pre.push({ k: 'let', name: s.name, value: s.value });
        variant.delete(s.name);
        continue;
      }
      body.push(mapStmtExprs(s, lift));
    }
    return [...pre, { k: 'loop', loop: { ...l, body } }];
  }

  private fresh(hint: string): string {
    let name = hint;
    for (let n = 1; this.names.has(name); n++) name = `${hint}_${n}`;
    this.names.add(name);
    return name;
  }
}

/** Worth a register across the loop: anything that computes or loads, not a bare leaf. */
function worthHoisting(e: Expr): boolean {
  if (e.k === 'const' || e.k === 'var') return false;
  if (e.k === 'splat') return worthHoisting(e.a);
  return true;
}

function fixedLets(body: readonly Stmt[]): Set<string> {
  const seen = new Map<string, number>();
  walkStmts(body, (s) => {
    if (s.k === 'let') seen.set(s.name, (seen.get(s.name) ?? 0) + 1);
    if (s.k === 'assign') seen.set(s.name, Infinity);
  });
  return new Set([...seen].filter(([, n]) => n === 1).map(([name]) => name));
}

/** Constant bounds with at least one iteration. */
function runsOnce(l: Loop): boolean {
  return l.start.k === 'const' && l.end.k === 'const' && l.end.value > l.start.value;
}
