// The f64 transcendentals (targets/wasm/math64.ts) over dense sweeps: log-uniform
// magnitudes of both signs across each function's whole domain (subnormals to the
// overflow threshold), plus its special points, against the reference's own definition
// (JavaScript's Math in double), in ulps.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import type { BinaryOp, UnaryOp } from '../../ir/kernel/kernel.js';
import { program, runWasm } from './harness.js';
import { erf, powFloat } from '../../ir/scalar/math.js';

const N = 20000;

/** Distance in units in the last place, counting across zero; NaN only matches NaN. */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const key = (v: number): bigint => {
    const x = new DataView(new ArrayBuffer(8));
    x.setFloat64(0, v);
    const u = x.getBigInt64(0);
    return u < 0n ? -(u & 0x7fffffffffffffffn) : u;
  };
  return Number(key(a) > key(b) ? key(a) - key(b) : key(b) - key(a));
}

/** A deterministic generator (mulberry32), so a failure names the same inputs every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values whose base-2 exponents are uniform in [lo, hi], both signs, plus `specials`. */
function sweep(lo: number, hi: number, specials: readonly number[], seed: number): Float64Array {
  const r = rng(seed);
  const xs = [...specials, 0, -0, Infinity, -Infinity, NaN];
  while (xs.length < N) xs.push((r() < 0.5 ? -1 : 1) * 2 ** (lo + (hi - lo) * r()) * (1 + r()));
  return Float64Array.from(xs);
}

const UNARY: { op: UnaryOp; f: (x: number) => number; lo: number; hi: number; specials: number[]; ulps: number }[] = [
  { op: 'exponential', f: Math.exp, lo: -1074, hi: 10, specials: [709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.4, 1e-20], ulps: 2 },
  { op: 'exponential-minus-one', f: Math.expm1, lo: -1074, hi: 10, specials: [0.34657359027997264, -0.34657359027997264, 1e-300, 709.78, -40, -38], ulps: 2 },
  { op: 'log', f: Math.log, lo: -1074, hi: 1024, specials: [1, 1 + 2 ** -52, 1 - 2 ** -53, 0.7071067811865476, 1.4142135623730951, 5e-324, 2.2250738585072014e-308], ulps: 2 },
  { op: 'log-plus-one', f: Math.log1p, lo: -1074, hi: 1024, specials: [-1, -0.5, -0.9999999999999999, 1, 2 ** -30, -(2 ** -30), 1e300], ulps: 2 },
  { op: 'tanh', f: Math.tanh, lo: -1074, hi: 6, specials: [22, -22, 1e-8, 0.55], ulps: 3 },
  { op: 'logistic', f: (x) => 1 / (1 + Math.exp(-x)), lo: -1074, hi: 10, specials: [-745, 745, 36, -36], ulps: 3 },
  { op: 'sinh', f: Math.sinh, lo: -1074, hi: 10, specials: [22, 709, 710.4758600739439, 710.476, 1e-8], ulps: 3 },
  { op: 'cosh', f: Math.cosh, lo: -1074, hi: 10, specials: [22, 709, 710.4758600739439, 710.476, 1e-8], ulps: 3 },
  { op: 'asinh', f: Math.asinh, lo: -1074, hi: 1024, specials: [2 ** 28, 1e300, 1e-8], ulps: 3 },
  { op: 'acosh', f: Math.acosh, lo: 0, hi: 1024, specials: [1, 1 + 2 ** -52, 2 ** 28, 1e300, 0.5], ulps: 3 },
  { op: 'atanh', f: Math.atanh, lo: -60, hi: 0, specials: [0.5, 0.4999999999999999, 1, -1, 0.9999999999999999, 1e-300], ulps: 3 },
  { op: 'cbrt', f: Math.cbrt, lo: -1074, hi: 1024, specials: [27, -8, 5e-324, 1.7976931348623157e308], ulps: 2 },
  { op: 'asin', f: Math.asin, lo: -1074, hi: 0, specials: [1, -1, 0.5, 0.9999999999999999, 1 + 2 ** -52, 0.7071067811865476], ulps: 3 },
  { op: 'acos', f: Math.acos, lo: -1074, hi: 0, specials: [1, -1, 0.5, -0.9999999999999999, 0.9999999999999999, 1 + 2 ** -52], ulps: 2 },
  { op: 'sine', f: Math.sin, lo: -1074, hi: 1024, specials: [Math.PI, -Math.PI, 1e22, 6.283185307179586, 1.5707963267948966, 0.7853981633974483, 0.7853981633974484, 1e300, 5e-324], ulps: 2 },
  { op: 'cosine', f: Math.cos, lo: -1074, hi: 1024, specials: [Math.PI, 1e22, 1.5707963267948966, 4.71238898038469, 0.7853981633974483, 0.7853981633974484, 1e300], ulps: 2 },
  { op: 'tan', f: Math.tan, lo: -1074, hi: 1024, specials: [Math.PI, 1e22, 1.5707963267948966, 0.7853981633974483, 0.7853981633974484, 1e300], ulps: 3 },
  // The reference's own algorithm, but its exp (an ulp from V8's, 2^-52 relative at worst) scales the result.
  { op: 'erf', f: erf, lo: -1074, hi: 3, specials: [2.5, 2.4999999999999996, 6, 5.999999999999999, 0.5, 1e-300], ulps: 4 },
];

async function worst(op: UnaryOp | BinaryOp, xs: Float64Array, ys: Float64Array | undefined, f: (x: number, y: number) => number) {
  const n = xs.length;
  const i = b.variable('i');
  const ins = ys ? ['x', 'y'] : ['x'];
  const value = ys ? b.binary(op as BinaryOp, b.load(0, i, 'f64'), b.load(1, i, 'f64')) : b.unary(op as UnaryOp, b.load(0, i, 'f64'));
  const p = program(`m64_${op}`, [
    ...ins.map((name) => ({ name, dtype: 'f64' as const, size: n, role: 'input' as const })),
    { name: 'out', dtype: 'f64', size: n, role: 'output' },
  ], [{ name: 'k', args: [...ins, 'out'], body: [b.loop('i', 0, n, [b.store(ins.length, i, value)], 'parallel')] }]);
  const got = (await runWasm(p, ys ? { x: xs, y: ys } : { x: xs })).out;
  let max = 0, at = '';
  for (let k = 0; k < n; k++) {
    const d = ulps(got[k], f(xs[k], ys?.[k] ?? 0));
    if (d > max) [max, at] = [d, `${xs[k]}${ys ? `, ${ys[k]}` : ''}: got ${got[k]} want ${f(xs[k], ys?.[k] ?? 0)}`];
  }
  return { max, at };
}

describe('wasm f64 transcendentals, dense, in ulps', () => {
  UNARY.forEach(({ op, f, lo, hi, specials, ulps: bound }, s) => {
    it(`${op} within ${bound} ulp`, async () => {
      const { max, at } = await worst(op, sweep(lo, hi, specials, s + 1), undefined, f);
      expect(max, `${op}: ${max} ulp at ${at}`).toBeLessThanOrEqual(bound);
    });
  });

  // fdlibm's atan2 (and the atan inside it), ported operation for operation: bit-exact.
  it('atan2 exactly', async () => {
    const r = rng(42);
    const xs = sweep(-1074, 1024, [1, -1, 0, -0, Infinity, -Infinity, NaN, 1, 1, 2 ** 61, -(2 ** 61)], 5);
    const ys = Float64Array.from(xs, (x, i) => (i < 12 ? [0, -0, 1, -1, Infinity, -Infinity, 0.5, NaN, 3, -3, 1, -1][i]
      : r() < 0.1 ? [0, -0, Infinity, -Infinity][Math.floor(r() * 4)] : x * 2 ** ((r() - 0.5) * 140) * (r() < 0.5 ? -1 : 1)));
    const { max, at } = await worst('atan2', xs, ys, Math.atan2);
    expect(max, `atan2: ${max} ulp at ${at}`).toBe(0);
  });

  it('power within 2 ulp', async () => {
    const r = rng(99);
    const xs = sweep(-1074, 1024, [1, -1, 0, -0, 2, 10, 0.5, -8, Infinity, -Infinity, NaN], 7);
    // Exponents both integral (odd and even, for negative bases) and not, sized so the results span the range.
    const ys = Float64Array.from(xs, (x) => {
      const t = r();
      const scale = 700 / Math.max(1, Math.abs(Math.log(Math.abs(x))));
      return t < 0.3 ? Math.round((r() - 0.5) * 2 * Math.min(scale, 1e6)) : t < 0.4 ? [0, -0, 0.5, -0.5, Infinity, -Infinity, NaN, 1e300][Math.floor(r() * 8)]
        : (r() - 0.5) * 2 * scale;
    });
    const { max, at } = await worst('power', xs, ys, powFloat);
    expect(max, `power: ${max} ulp at ${at}`).toBeLessThanOrEqual(2);
  });
});
