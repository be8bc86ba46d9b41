// Checking derivatives against the reference interpreter: random inputs from a fixed
// seed, vjp checked by <v, J·u> = <Jᵀ·v, u> (J·u by central differences), jvp by
// J·u elementwise, both in f64.
import { rng } from '../../compiler/random.js';
import { expect } from 'vitest';
import { isFloat } from '../../ir/dtype.js';
import { interpret } from '../../ir/interpret/index.js';
import { type ArrayLiteral, type Literal, arrayLiteral, isTupleLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { type ArrayShape, elementCount } from '../../ir/shape.js';
import { grad, jvp, vjp } from '../../passes/autodiff/index.js';

export type Gen = (r: () => number) => number;
export const U = (lo: number, hi: number): Gen => (r) => lo + (hi - lo) * r();
/** lo..hi in magnitude, either sign. */
export const PM = (lo: number, hi: number): Gen => (r) => (r() < 0.5 ? -1 : 1) * (lo + (hi - lo) * r());

export interface Case {
  name: string;
  build: () => Module;
  /** Per parameter: a generator for float params, fixed values for the others. */
  args?: (Gen | readonly number[] | undefined)[];
  wrt?: number[];
  /** Relative tolerance (default 1e-6). */
  tol?: number;
}

export { rng };

const values = (l: Literal): number[] => Array.from((l as ArrayLiteral).data as Float64Array, Number);
export const leavesOf = (l: Literal): ArrayLiteral[] => (isTupleLiteral(l) ? l.elements.flatMap(leavesOf) : [l as ArrayLiteral]);

export function makeArgs(m: Module, c: Case, r: () => number): ArrayLiteral[] {
  return m.entry.params.map((p, k) => {
    const s = p.shape as ArrayShape, a = c.args?.[k];
    if (Array.isArray(a)) return arrayLiteral(s, a as number[]);
    if (!isFloat(s.dtype)) throw new Error(`${c.name}: integer parameter ${k} needs fixed values`);
    const gen = (a as Gen | undefined) ?? U(-1, 1);
    return arrayLiteral(s, Array.from({ length: elementCount(s) }, () => gen(r)));
  });
}

const randomLike = (l: ArrayLiteral, r: () => number): ArrayLiteral => arrayLiteral(l.shape, Array.from({ length: l.data.length }, () => 2 * r() - 1));
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const floatLeaves = (ls: ArrayLiteral[]) => ls.filter((l) => isFloat(l.shape.dtype));

/** Central differences of the float output leaves along direction u (over the wrt params). */
function directional(m: Module, x: ArrayLiteral[], wrt: number[], u: ArrayLiteral[], h: number): number[][] {
  const at = (sign: number) => {
    const args = x.map((a, k) => {
      const j = wrt.indexOf(k);
      return j < 0 ? a : arrayLiteral(a.shape, values(a).map((v, i) => v + sign * h * values(u[j])[i]));
    });
    return floatLeaves(leavesOf(interpret(m, args))).map(values);
  };
  const plus = at(1), minus = at(-1);
  return plus.map((p, l) => p.map((v, i) => (v - minus[l][i]) / (2 * h)));
}

const defaultWrt = (m: Module) => m.entry.params.flatMap((p, k) => (isFloat((p.shape as ArrayShape).dtype) ? [k] : []));

function close(actual: number, expected: number, tol: number, what: string): void {
  const ok = Math.abs(actual - expected) <= tol * (1 + Math.abs(expected));
  if (!ok) expect.fail(`${what}: got ${actual}, expected ${expected} (tolerance ${tol})`);
}

/** vjp(m): forward values match; <v, J·u> (differences) equals <Jᵀ·v, u> (the gradients). */
export function checkVjp(c: Case, seed = 1, h = 1e-5): void {
  const m = c.build(), r = rng(seed), wrt = c.wrt ?? defaultWrt(m), tol = c.tol ?? 1e-6;
  const x = makeArgs(m, c, r);
  const outs = leavesOf(interpret(m, x));
  const v = floatLeaves(outs).map((o) => randomLike(o, r));
  const u = wrt.map((k) => randomLike(x[k], r));
  const res = leavesOf(interpret(vjp(m, { wrt }), [...x, ...v]));
  outs.forEach((o, k) => expect(values(res[k])).toEqual(values(o)));
  const grads = res.slice(outs.length);
  expect(grads.length).toBe(wrt.length);
  const lhs = grads.reduce((s, g, j) => s + dot(values(g), values(u[j])), 0);
  const ju = directional(m, x, wrt, u, h);
  const rhs = ju.reduce((s, d, l) => s + dot(d, values(v[l])), 0);
  close(lhs, rhs, tol, `${c.name}: <J^T v, u> vs <v, J u>`);
}

/** jvp(m): forward values match; the tangents equal J·u by differences, elementwise. */
export function checkJvp(c: Case, seed = 2, h = 1e-5): void {
  const m = c.build(), r = rng(seed), wrt = c.wrt ?? defaultWrt(m), tol = c.tol ?? 1e-6;
  const x = makeArgs(m, c, r);
  const outs = leavesOf(interpret(m, x));
  const u = wrt.map((k) => randomLike(x[k], r));
  const res = leavesOf(interpret(jvp(m, { wrt }), [...x, ...u]));
  outs.forEach((o, k) => expect(values(res[k])).toEqual(values(o)));
  const tangents = res.slice(outs.length);
  const ju = directional(m, x, wrt, u, h);
  expect(tangents.length).toBe(ju.length);
  ju.forEach((d, l) => d.forEach((want, i) => close(values(tangents[l])[i], want, tol, `${c.name}: tangent ${l}[${i}]`)));
}

/** grad(m) against differences of the scalar root along each coordinate. */
export function checkGrad(m: Module, x: ArrayLiteral[], tol: number, h = 1e-5): ArrayLiteral[] {
  const wrt = defaultWrt(m);
  const res = leavesOf(interpret(grad(m), x));
  close(values(res[0])[0], values(leavesOf(interpret(m, x))[0])[0], 1e-12, 'grad value');
  wrt.forEach((k, j) => {
    const g = values(res[1 + j]);
    g.forEach((gi, i) => {
      const shifted = (s: number) => x.map((a, q) => (q !== k ? a : arrayLiteral(a.shape, values(a).map((v, n) => (n === i ? v + s * h : v)))));
      const fd = (values(interpret(m, shifted(1)) as ArrayLiteral)[0] - values(interpret(m, shifted(-1)) as ArrayLiteral)[0]) / (2 * h);
      close(gi, fd, tol, `grad param ${k}[${i}]`);
    });
  });
  return res;
}
