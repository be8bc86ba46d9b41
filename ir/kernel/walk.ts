// Traversals of kernel IR that passes and targets share: an expression's operands and a
// statement's own expressions (each read, or rebuilt), every statement of a nested body,
// and the names a body defines.
import type { Expr, Stmt } from './kernel.js';

/** The expressions `e` reads, in order. */
export function exprChildren(e: Expr): Expr[] {
  switch (e.k) {
    case 'const': case 'var': case 'gpuId': return [];
    case 'load': case 'local': return [e.index];
    case 'unary': case 'convert': case 'bitcast': case 'splat': case 'extract': case 'round': return [e.a];
    case 'binary': case 'compare': return [e.a, e.b];
    case 'select': return [e.cond, e.a, e.b];
    case 'muladd': return [e.a, e.b, e.c];
    case 'vector': return [...e.lanes];
  }
}

/** `e` with `f` applied to each operand (leaves are returned as they are). */
export function mapExprChildren(e: Expr, f: (e: Expr) => Expr): Expr {
  switch (e.k) {
    case 'const': case 'var': case 'gpuId': return e;
    case 'load': case 'local': return { ...e, index: f(e.index) };
    case 'unary': case 'convert': case 'bitcast': case 'splat': case 'extract': case 'round': return { ...e, a: f(e.a) };
    case 'binary': case 'compare': return { ...e, a: f(e.a), b: f(e.b) };
    case 'select': return { ...e, cond: f(e.cond), a: f(e.a), b: f(e.b) };
    case 'muladd': return { ...e, a: f(e.a), b: f(e.b), c: f(e.c) };
    case 'vector': return { ...e, lanes: e.lanes.map(f) };
  }
}

/** Visits `e` and every expression below it, parents first. */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  for (const c of exprChildren(e)) walkExpr(c, visit);
}

/** The expressions statement `s` itself reads (not those of a loop's or an if's body). */
export function stmtExprs(s: Stmt): Expr[] {
  switch (s.k) {
    case 'let': case 'assign': return [s.value];
    case 'store': case 'localStore': return [s.index, s.value];
    case 'loop': return [s.loop.start, s.loop.end];
    case 'if': return [s.cond];
    case 'array': case 'barrier': return [];
  }
}

/** `s` with `f` applied to its own expressions (stmtExprs's); loop and if bodies are left alone. */
export function mapStmtExprs(s: Stmt, f: (e: Expr) => Expr): Stmt {
  switch (s.k) {
    case 'let': case 'assign': return { ...s, value: f(s.value) };
    case 'store': case 'localStore': return { ...s, index: f(s.index), value: f(s.value) };
    case 'if': return { ...s, cond: f(s.cond) };
    case 'loop': return { ...s, loop: { ...s.loop, start: f(s.loop.start), end: f(s.loop.end) } };
    case 'array': case 'barrier': return s;
  }
}

/** Visits every statement of `body`, loop and if bodies included, parents first. */
export function walkStmts(body: readonly Stmt[], visit: (s: Stmt) => void): void {
  for (const s of body) {
    visit(s);
    if (s.k === 'loop') walkStmts(s.loop.body, visit);
    if (s.k === 'if') { walkStmts(s.then, visit); walkStmts(s.else, visit); }
  }
}

/** Whether some statement of `body`, loop and if bodies included, passes `test`. */
export function someStmt(body: readonly Stmt[], test: (s: Stmt) => boolean): boolean {
  return body.some((s) => test(s) || (s.k === 'loop' && someStmt(s.loop.body, test)) || (s.k === 'if' && (someStmt(s.then, test) || someStmt(s.else, test))));
}

/** Names a statement list (re)defines: let, assign, and loop variables, nested ones included. */
export function definedIn(body: readonly Stmt[], into = new Set<string>()): Set<string> {
  walkStmts(body, (s) => {
    if (s.k === 'let' || s.k === 'assign') into.add(s.name);
    if (s.k === 'loop') into.add(s.loop.var);
  });
  return into;
}
