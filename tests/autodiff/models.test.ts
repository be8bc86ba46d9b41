// Compositions: grad of whole models against finite differences (f64) and against the
// f64 gradient (f32); vjp and jvp consistent with each other; second order by
// differentiating a derivative module.
import { describe, expect, it } from 'vitest';
import { interpret } from '../../ir/interpret/index.js';
import { type ArrayLiteral, arrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { grad, jvp, vjp } from '../../passes/autodiff/index.js';
import { type Case, U, leavesOf as leaves, checkGrad, checkJvp, checkVjp, makeArgs, rng } from './harness.js';
import { lenet, mlp } from './models.js';

const vals = (l: ArrayLiteral) => Array.from(l.data as Float64Array);
const toF32 = (l: ArrayLiteral) => arrayLiteral({ ...(l.shape as ArrayShape), dtype: 'f32' }, vals(l));

const MODELS: [string, (t: 'f32' | 'f64') => Module][] = [['mlp', mlp], ['lenet', lenet]];

describe('autodiff: models', () => {
  for (const [name, build] of MODELS) {
    const c: Case = { name, build: () => build('f64'), args: Array(7).fill(U(-1, 1)) };

    it(`${name}: grad matches central differences (f64)`, () => {
      const m = build('f64');
      checkGrad(m, makeArgs(m, c, rng(3)), 1e-6);
    });

    it(`${name}: grad in f32 matches the f64 gradient`, () => {
      const m64 = build('f64'), x = makeArgs(m64, c, rng(4));
      const g64 = leaves(interpret(grad(m64), x)), g32 = leaves(interpret(grad(build('f32')), x.map(toF32)));
      g64.forEach((g, k) => vals(g).forEach((v, i) => expect(Math.abs(vals(g32[k])[i] - v)).toBeLessThan(1e-4 * (1 + Math.abs(v)))));
    });

    it(`${name}: vjp and jvp agree (<v, J·u> both ways)`, () => {
      const m = build('f64'), r = rng(5), x = makeArgs(m, c, r);
      const u = x.map((a) => arrayLiteral(a.shape, vals(a).map(() => r() - 0.5)));
      const [, ju] = leaves(interpret(jvp(m), [...x, ...u]));
      const v = 0.7;
      const jtv = leaves(interpret(vjp(m), [...x, arrayLiteral(ju.shape, [v])])).slice(1);
      const lhs = jtv.reduce((s, g, k) => s + vals(g).reduce((t, gi, i) => t + gi * vals(u[k])[i], 0), 0);
      expect(Math.abs(lhs - v * vals(ju)[0])).toBeLessThan(1e-10);
    });

    it(`${name}: second order: vjp of jvp and jvp of vjp against differences`, () => {
      checkVjp({ name: `${name} vjp(jvp)`, build: () => jvp(build('f64')), tol: 1e-5 }, 6);
      checkJvp({ name: `${name} jvp(vjp)`, build: () => vjp(build('f64')), tol: 1e-5 }, 7);
    });
  }
});
