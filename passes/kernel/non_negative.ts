// Which s32 values are never negative. A target uses it where a negative index would
// change what an address computation means: wasm moves a constant part of an address
// into the load's unsigned offset only when every other part is ≥ 0; a GPU target may
// turn a signed division or remainder by a power of two into a shift or mask.
import type { Expr, Kernel, Stmt } from '../../ir/kernel/kernel.js';

/**
 * s32 variables whose every value is ≥ 0 (as a mathematical integer; index arithmetic
 * does not overflow, docs/kernel-ir.md): a greatest fixpoint over their definitions, a
 * loop variable counting up from a non-negative start.
 */
export function nonNegativeVars(k: Kernel): Set<string> {
  const defs = new Map<string, Expr[]>();
  const note = (name: string, e: Expr) => { const d = defs.get(name); if (d) d.push(e); else defs.set(name, [e]); };
  const bad = new Set<string>();
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      if (s.k === 'let' || s.k === 'assign') note(s.name, s.value);
      else if (s.k === 'loop') {
        if (!(s.loop.step > 0)) bad.add(s.loop.var);
        note(s.loop.var, s.loop.start);
        walk(s.loop.body);
      } else if (s.k === 'if') { walk(s.then); walk(s.else); }
    }
  };
  walk(k.body);
  const nn = new Set([...defs.keys()].filter((n) => !bad.has(n)));
  for (let changed = true; changed;) {
    changed = false;
    for (const n of [...nn]) if (!defs.get(n)!.every((e) => isNonNegative(e, nn))) { nn.delete(n); changed = true; }
  }
  return nn;
}

/**
 * `e` (s32, scalar) is ≥ 0 given that the variables in `nn` are, and that those in
 * `consts` (unrolled loop variables) have those values.
 */
export function isNonNegative(e: Expr, nn: ReadonlySet<string>, consts?: ReadonlyMap<string, number>): boolean {
  if (e.type.lanes !== 1 || e.type.scalar !== 's32') return false;
  const r = (x: Expr) => isNonNegative(x, nn, consts);
  switch (e.k) {
    case 'const': return e.value >= 0;
    case 'gpuId': return true;
    case 'var': { const c = consts?.get(e.name); return c !== undefined ? c >= 0 : nn.has(e.name); }
    case 'select': return r(e.a) && r(e.b);
    case 'binary':
      switch (e.op) {
        case 'add': case 'multiply': case 'minimum': case 'remainder': case 'shift-right-logical': return r(e.a) && r(e.b);
        case 'maximum': return r(e.a) || r(e.b);
        case 'and': return r(e.a) || r(e.b);
        case 'divide': return r(e.a) && e.b.k === 'const' && e.b.value > 0;
        default: return false;
      }
    default: return false;
  }
}
