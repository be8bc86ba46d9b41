// What may move or be evaluated early in kernel IR: integer index expressions that
// cannot trap and read no memory, the variables an expression reads, and whether it is
// invariant in a loop. hoist.ts moves invariant values out of loops as lets; a target
// may also move invariant parts of addresses (wasm's induction pointers) with the same
// predicate.
import { isWide, type Expr } from '../../ir/kernel/kernel.js';
import { exprChildren, walkExpr } from '../../ir/kernel/walk.js';

/** A scalar 32-bit integer (or pred) expression of constants, variables and operators: it reads no memory. */
export function pureIndex(e: Expr): boolean {
  if (e.type.lanes !== 1 || e.type.scalar === 'f32' || isWide(e.type.scalar)) return false;
  switch (e.k) {
    // An invocation's coordinates are fixed for its whole run, like a variable set once.
    case 'const': case 'var': case 'gpuId': return true;
    case 'binary': case 'compare': return pureIndex(e.a) && pureIndex(e.b);
    case 'select': return pureIndex(e.cond) && pureIndex(e.a) && pureIndex(e.b);
    default: return false;
  }
}

/**
 * `e` reads a buffer or a local array. Kernel IR's select evaluates only the chosen
 * operand, and such a read in the other may be out of bounds (a guarded gather): a
 * target whose select evaluates both must branch instead.
 */
export function readsMemory(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => { if (x.k === 'load' || x.k === 'local') found = true; });
  return found;
}

/** The variables `e` reads, in order, with repeats. */
export function freeVars(e: Expr, into: string[] = []): string[] {
  walkExpr(e, (x) => { if (x.k === 'var') into.push(x.name); });
  return into;
}

/**
 * `e` reads no variable in `variant` and no local array; it reads a buffer only when
 * `written` is given and does not hold it (a loop's loads of buffers the kernel never
 * writes are invariant; without `written`, no load is).
 */
export function isInvariant(e: Expr, variant: ReadonlySet<string>, written?: ReadonlySet<number>): boolean {
  switch (e.k) {
    case 'const': return true;
    case 'var': return !variant.has(e.name);
    case 'local': return false;
    case 'load': return written !== undefined && !written.has(e.buf) && isInvariant(e.index, variant, written);
    default: return exprChildren(e).every((c) => isInvariant(c, variant, written));
  }
}

/**
 * `e` has one value once the variables in `known` have theirs (constants after loop
 * unrolling): constants, those variables, and operators over them.
 */
export function isStatic(e: Expr, known: ReadonlySet<string>): boolean {
  switch (e.k) {
    case 'const': return true;
    case 'var': return known.has(e.name);
    case 'unary': case 'convert': return isStatic(e.a, known);
    case 'binary': case 'compare': return isStatic(e.a, known) && isStatic(e.b, known);
    case 'select': return isStatic(e.cond, known) && isStatic(e.a, known) && isStatic(e.b, known);
    default: return false;
  }
}
