// Statements of the reference executor, compiled to closures. A statement that can
// wait at a barrier of its parallel loop compiles to a generator instead, which yields
// the barrier's number: exec_parallel.ts runs a loop's invocations phase by phase by
// resuming them. Everything without a barrier stays a plain closure, so kernels without
// barriers (all of today's lowering) pay nothing for them.
import { convertValue } from '../scalar/convert.js';
import { writeElement } from '../scalar/elements.js';
import type { Scalar } from '../scalar/value.js';
import { isWideInt, type Expr, type Kernel, type Loop, type Stmt } from './kernel.js';
import { compileExpr } from './exec_expr.js';
import { outerState, runFlat, runPhased, type ParallelLoop } from './exec_parallel.js';
import { Scope } from './exec_scope.js';
import { gridLoop } from './exec_grid.js';
import type { BoundParam, Env, GenRun, LaunchState, Run } from './exec_state.js';

/** Compiles a kernel once; the result runs it over parameters bound for one launch. */
export function compileKernel(kernel: Kernel, st: LaunchState): (params: BoundParam[]) => void {
  const sc = new Scope(kernel, st);
  // A grid kernel is a nest of two parallel loops, workgroups and their invocations (exec_grid.ts).
  const body = kernel.grid ? parallel(gridLoop(kernel), sc) : block(kernel.body, sc);
  return (params) => {
    st.begin(params);
    body([]);
  };
}

function block(stmts: readonly Stmt[], sc: Scope): Run {
  const runs = stmts.map((s) => stmt(s, sc));
  return (env) => { for (const r of runs) r(env); };
}

function stmt(s: Stmt, sc: Scope): Run {
  const expr = (e: Expr) => compileExpr(e, sc);
  switch (s.k) {
    case 'let': { const v = expr(s.value); const slot = sc.slotOf(s.name, true); return (env) => { env[slot] = v(env); }; }
    case 'assign': { const v = expr(s.value); const slot = sc.slotOf(s.name, false); return (env) => { env[slot] = v(env); }; }
    case 'store': return store(s, sc);
    case 'array': {
      const slot = sc.declareArray(s.name, s.scope);
      const zero: Scalar = isWideInt(s.type) ? 0n : 0;
      return (env) => { env[slot] = new Array<Scalar>(s.size).fill(zero); };
    }
    case 'localStore': {
      const a = sc.array(s.array);
      const idx = expr(s.index), v = expr(s.value);
      const lanes = s.value.type.lanes, track = sc.sharedArray(a);
      return (env) => {
        const arr = env[a.slot] as Scalar[], i = idx(env) as number;
        sc.checkLocal(arr, s.array, i, lanes);
        const x = v(env);
        if (track) sc.recordLocal(arr, s.array, i, lanes, x);
        if (lanes === 1) arr[i] = x as Scalar;
        else (x as Scalar[]).forEach((val, l) => { arr[i + l] = val; });
      };
    }
    case 'loop': {
      const l = s.loop;
      if (l.mode === 'parallel' && (sc.st.opts.races || sc.st.next || hasBarrier(l.body))) return parallel(l, sc);
      const start = expr(l.start), end = expr(l.end);
      const slot = sc.slotOf(l.var, true);
      const body = block(l.body, sc);
      return (env) => {
        const e = end(env) as number;
        for (let i = start(env) as number; i < e; i += l.step) { env[slot] = i; body(env); }
      };
    }
    case 'if': {
      const c = expr(s.cond), t = block(s.then, sc), f = block(s.else, sc);
      return (env) => (c(env) ? t(env) : f(env));
    }
    // Outside any parallel loop there is one invocation: nothing to wait for.
    case 'barrier': return () => {};
  }
}

function store(s: Extract<Stmt, { k: 'store' }>, sc: Scope): Run {
  const idx = compileExpr(s.index, sc), v = compileExpr(s.value, sc);
  const lanes = s.value.type.lanes, scalar = s.value.type.scalar, track = sc.tracking;
  const name = sc.kernel.name;
  return (env) => {
    const i = idx(env) as number, x = v(env);
    const p = sc.access(s.buf, i, lanes);
    if (p.param.access === 'read') throw new Error(`${name}: store into read-only ${p.param.name}`);
    if (track) sc.recordWrite(s.buf, p, i, x, scalar);
    const write = (j: number, val: Scalar): void =>
      writeElement(p.view, p.base + j * p.elementBytes, p.param.dtype, convertValue(val, scalar, p.param.dtype));
    if (lanes === 1) write(i, x as Scalar);
    else (x as Scalar[]).forEach((val, l) => write(i + l, val));
  };
}

/** A parallel loop: its iterations are invocations, run shuffled, phase by phase if it has barriers. */
function parallel(l: Loop, sc: Scope): Run {
  const start = compileExpr(l.start, sc), end = compileExpr(l.end, sc);
  const slot = sc.slotOf(l.var, true);
  const outer = outerState(l, sc);
  const phased = hasBarrier(l.body);
  sc.depth++;
  const body = phased ? genBlock(l.body, sc) : block(l.body, sc);
  sc.depth--;
  const loop: ParallelLoop = { loop: l, start, end, slot, ...outer };
  return phased ? runPhased(loop, body as GenRun, sc) : runFlat(loop, body as Run, sc.st);
}

/** Whether `body` can wait at a barrier of the parallel loop it is in (a nested parallel loop's barriers are its own). */
export function hasBarrier(body: readonly Stmt[]): boolean {
  return body.some(waits);
}

function waits(s: Stmt): boolean {
  switch (s.k) {
    case 'barrier': return true;
    case 'loop': return s.loop.mode !== 'parallel' && hasBarrier(s.loop.body);
    case 'if': return hasBarrier(s.then) || hasBarrier(s.else);
    default: return false;
  }
}

/** A statement list that may wait at barriers: the statements that cannot stay plain closures. */
function genBlock(stmts: readonly Stmt[], sc: Scope): GenRun {
  const parts = stmts.map((s): { run?: Run; gen?: GenRun } => (waits(s) ? { gen: genStmt(s, sc) } : { run: stmt(s, sc) }));
  return function* (env: Env) {
    for (const p of parts) {
      if (p.run) p.run(env);
      else yield* p.gen!(env);
    }
  };
}

/** A barrier, or a serial loop or an if around one. */
function genStmt(s: Stmt, sc: Scope): GenRun {
  switch (s.k) {
    case 'barrier': {
      const id = ++sc.barriers;
      return function* () { yield id; };
    }
    case 'loop': {
      const l = s.loop;
      const start = compileExpr(l.start, sc), end = compileExpr(l.end, sc);
      const slot = sc.slotOf(l.var, true);
      const body = genBlock(l.body, sc);
      return function* (env: Env) {
        const e = end(env) as number;
        for (let i = start(env) as number; i < e; i += l.step) { env[slot] = i; yield* body(env); }
      };
    }
    case 'if': {
      const c = compileExpr(s.cond, sc), t = genBlock(s.then, sc), f = genBlock(s.else, sc);
      return function* (env: Env) { yield* (c(env) ? t(env) : f(env)); };
    }
    default: throw new Error(`${sc.kernel.name}: no barrier in a '${s.k}' statement`);
  }
}
