// Expressions of the reference executor, compiled to closures over a variable
// environment. Operators are the HLO interpreter's own scalar kernels, so a kernel
// means what the HLO it came from means.
import { binaryKernel, compareKernel, unaryKernel } from '../scalar/ops.js';
import { convertValue } from '../scalar/convert.js';
import { readElement, writeElement } from '../scalar/elements.js';
import { finisher, rounder, type Scalar } from '../scalar/value.js';
import type { Expr, ScalarType } from './kernel.js';
import type { Fn } from './exec_state.js';
import type { Scope } from './exec_scope.js';
import { gpuIdFn } from './exec_grid.js';

export function compileExpr(e: Expr, sc: Scope): Fn {
  const expr = (x: Expr): Fn => compileExpr(x, sc);
  const name = sc.kernel.name;
  const lanes = e.type.lanes;
  const lanewise1 = (f: (x: Scalar) => Scalar, a: Fn): Fn =>
    lanes === 1 ? (env) => f(a(env) as Scalar) : (env) => (a(env) as Scalar[]).map(f);
  const lanewise2 = (f: (x: Scalar, y: Scalar) => Scalar, a: Fn, b: Fn): Fn =>
    lanes === 1
      ? (env) => f(a(env) as Scalar, b(env) as Scalar)
      : (env) => { const x = a(env) as Scalar[], y = b(env) as Scalar[]; return x.map((v, i) => f(v, y[i])); };
  switch (e.k) {
    case 'const': {
      const v = finish(e.type.scalar)(e.value);
      return lanes === 1 ? () => v : () => [v, v, v, v];
    }
    case 'var': { const s = sc.slotOf(e.name, false); return (env) => env[s]; }
    case 'load': return load(e, sc);
    case 'local': {
      const a = sc.array(e.array);
      const idx = expr(e.index), track = sc.sharedArray(a);
      return (env) => {
        const arr = env[a.slot] as Scalar[], i = idx(env) as number;
        sc.checkLocal(arr, e.array, i, lanes);
        if (track) sc.recordLocal(arr, e.array, i, lanes);
        return lanes === 1 ? arr[i] : arr.slice(i, i + lanes);
      };
    }
    case 'unary': {
      const k = unaryKernel(e.op, e.a.type.scalar);
      if (!k) throw new Error(`${name}: '${e.op}' is not defined on ${e.a.type.scalar}`);
      const fin = finish(e.type.scalar);
      return lanewise1((x) => fin(k(x)), expr(e.a));
    }
    case 'binary': {
      const k = binaryKernel(e.op, e.type.scalar);
      if (!k) throw new Error(`${name}: '${e.op}' is not defined on ${e.type.scalar}`);
      const fin = finish(e.type.scalar);
      return lanewise2((x, y) => fin(k(x, y)), expr(e.a), expr(e.b));
    }
    case 'muladd': {
      // Rounded twice, as a target without fma computes it; a fused target differs by
      // less than the accumulation's own rounding, which comparisons already allow.
      const mul = binaryKernel('multiply', e.type.scalar)!, add = binaryKernel('add', e.type.scalar)!;
      const fin = finish(e.type.scalar);
      const product = lanewise2((x, y) => fin(mul(x, y)), expr(e.a), expr(e.b));
      return lanewise2((p, z) => fin(add(p, z)), product, expr(e.c));
    }
    case 'compare': {
      const k = compareKernel(e.dir, undefined, e.a.type.scalar)!;
      return lanewise2((x, y) => k(x, y), expr(e.a), expr(e.b));
    }
    case 'select': {
      const c = expr(e.cond), a = expr(e.a), b = expr(e.b);
      if (lanes === 1) return (env) => (c(env) ? a(env) : b(env));
      const cv = e.cond.type.lanes === 1;
      return (env) => {
        const cc = c(env), x = a(env) as Scalar[], y = b(env) as Scalar[];
        return x.map((v, i) => ((cv ? (cc as number) : (cc as number[])[i]) ? v : y[i]));
      };
    }
    case 'convert': {
      const from = e.a.type.scalar, to = e.type.scalar;
      return lanewise1((x) => convertValue(x, from, to), expr(e.a));
    }
    case 'bitcast': {
      const from = e.a.type.scalar, to = e.type.scalar;
      const dv = new DataView(new ArrayBuffer(8));
      return lanewise1((x) => { writeElement(dv, 0, from, x); return readElement(dv, 0, to); }, expr(e.a));
    }
    case 'round': {
      const r = rounder(e.to);
      return lanewise1((x) => r(x as number), expr(e.a));
    }
    case 'splat': { const a = expr(e.a); return (env) => { const v = a(env) as Scalar; return [v, v, v, v]; }; }
    case 'vector': { const ls = e.lanes.map(expr); return (env) => ls.map((l) => l(env) as Scalar); }
    case 'extract': { const a = expr(e.a); return (env) => (a(env) as Scalar[])[e.lane]; }
    case 'gpuId': return gpuIdFn(e, sc);
  }
}

/** A buffer load; inside a parallel loop it records the read. */
function load(e: Extract<Expr, { k: 'load' }>, sc: Scope): Fn {
  const idx = compileExpr(e.index, sc);
  const scalar = e.type.scalar, lanes = e.type.lanes, track = sc.tracking;
  return (env) => {
    const i = idx(env) as number;
    const p = sc.access(e.buf, i, lanes);
    if (track) sc.recordRead(e.buf, i, lanes);
    const read = (j: number): Scalar => convertValue(readElement(p.view, p.base + j * p.elementBytes, p.param.dtype), p.param.dtype, scalar);
    return lanes === 1 ? read(i) : [read(i), read(i + 1), read(i + 2), read(i + 3)];
  };
}

/** A computed value as its type holds it: f32 rounded, integers wrapped, pred 0/1. */
export function finish(t: ScalarType): (x: Scalar) => Scalar {
  if (t === 'pred') return (x) => (x ? 1 : 0);
  return finisher(t);
}
