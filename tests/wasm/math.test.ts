// The transcendental helpers over many values per function (log-uniform magnitudes of
// both signs, plus values near the functions' special points), scalar and vector,
// against the reference (JavaScript's double Math, rounded to f32) within 2e-6 relative.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import type { BinaryOp, UnaryOp } from '../../ir/kernel/kernel.js';
import { pad4, program, reference, runWasm, type BufferSpec, type KernelSpec } from './harness.js';
import { expectClose } from './check.js';
import { erf } from '../../ir/scalar/math.js';

const N = 4096;
const TOL = { rtol: 2e-6, atol: 1e-30 };

function sample(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = new Float32Array(n);
  const near = [0, 1, -1, Math.PI / 2, Math.PI, 0.5, 2, 10, 88.72, -87.3, 1e-7];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.6) out[i] = (rnd() < 0.5 ? -1 : 1) * 2 ** (rnd() * 60 - 30);            // 1e-9 .. 1e9
    else if (r < 0.7) out[i] = (rnd() < 0.5 ? -1 : 1) * 2 ** (rnd() * 270 - 140);      // the whole f32 range
    else if (r < 0.9) out[i] = (rnd() * 2 - 1) * 12;
    else out[i] = near[Math.floor(rnd() * near.length)] * (1 + (rnd() - 0.5) * 1e-5);
  }
  return out;
}

const UNARY: UnaryOp[] = [
  'exponential', 'exponential-minus-one', 'log', 'log-plus-one', 'tanh', 'logistic', 'cbrt', 'sine', 'cosine', 'tan', 'erf',
  'acos', 'acosh', 'asin', 'asinh', 'atanh', 'cosh', 'sinh', 'rsqrt',
];
const BINARY: BinaryOp[] = ['power', 'atan2', 'remainder'];

describe('wasm transcendentals, dense', () => {
  it('unary', async () => {
    const buffers: BufferSpec[] = [{ name: 'x', dtype: 'f32', size: N, role: 'input' }];
    const kernels: KernelSpec[] = [];
    const i = b.variable('i'), j4 = b.mul(b.variable('j'), b.int(4));
    for (const op of UNARY) {
      buffers.push({ name: op, dtype: 'f32', size: N, role: 'output' }, { name: `${op}.v`, dtype: 'f32', size: N, role: 'output' });
      const n = op.replace(/-/g, '_');
      kernels.push(
        { name: n, args: ['x', op], body: [b.loop('i', 0, N, [b.store(1, i, b.unary(op, b.load(0, i, 'f32')))], 'parallel')] },
        { name: `${n}_v`, args: ['x', `${op}.v`], body: [b.loop('j', 0, N / 4, [b.store(1, j4, b.unary(op, b.load(0, j4, 'f32', 4)))], 'parallel')] },
      );
    }
    const p = program('dense_unary', buffers, kernels);
    const x = sample(7, N);
    // acos/asin/atanh live on [-1, 1], acosh on [1, ∞): give them a share of useful inputs.
    for (let k = 0; k < N / 4; k++) x[k] = Math.fround(Math.sin(k * 0.731) * (k % 2 ? 1 : 1.5) + (k % 3 === 0 ? 1.5 : 0));
    const inputs = { x };
    const want = reference(p, inputs), got = await runWasm(p, inputs);
    for (const op of UNARY) for (const o of [op, `${op}.v`]) expectClose(o, 'f32', got[o], want[o], op === 'rsqrt' ? undefined : TOL, Array.from(x));
  });

  it('binary', async () => {
    const buffers: BufferSpec[] = [{ name: 'x', dtype: 'f32', size: N, role: 'input' }, { name: 'y', dtype: 'f32', size: N, role: 'input' }];
    const kernels: KernelSpec[] = [];
    const i = b.variable('i'), j4 = b.mul(b.variable('j'), b.int(4));
    for (const op of BINARY) {
      buffers.push({ name: op, dtype: 'f32', size: N, role: 'output' }, { name: `${op}.v`, dtype: 'f32', size: N, role: 'output' });
      kernels.push(
        { name: op, args: ['x', 'y', op], body: [b.loop('i', 0, N, [b.store(2, i, b.binary(op, b.load(0, i, 'f32'), b.load(1, i, 'f32')))], 'parallel')] },
        { name: `${op}_v`, args: ['x', 'y', `${op}.v`], body: [b.loop('j', 0, N / 4, [b.store(2, j4, b.binary(op, b.load(0, j4, 'f32', 4), b.load(1, j4, 'f32', 4)))], 'parallel')] },
      );
    }
    const p = program('dense_binary', buffers, kernels);
    const x = sample(11, N), y = sample(13, N);
    // power: moderate exponents (and integers, for negative bases) so results stay in range.
    for (let k = 0; k < N / 2; k++) y[k] = k % 4 === 0 ? Math.round(y[k] % 20) : Math.fround(y[k] % 8);
    const inputs = { x, y };
    const want = reference(p, inputs), got = await runWasm(p, inputs);
    const shown = Array.from(x, (v, k) => `${v},${y[k]}`);
    for (const op of BINARY) for (const o of [op, `${op}.v`]) expectClose(o, 'f32', got[o], want[o], op === 'remainder' ? undefined : TOL, shown);
  });
});

// The native f32 versions (targets/wasm/math_f32.ts) against the correctly rounded result,
// in ulps, over a dense sweep: every 997th f32 bit pattern of both signs in the range where
// the function is not constant, plus the specials.
describe('wasm fast f32 transcendentals, in ulps', () => {
  const FAST: { op: UnaryOp; f: (x: number) => number; lo: number; hi: number; ulps: number }[] = [
    { op: 'exponential', f: Math.exp, lo: -110, hi: 90, ulps: 1 },
    { op: 'erf', f: erf, lo: -4.5, hi: 4.5, ulps: 2 },
    { op: 'logistic', f: (x) => 1 / (1 + Math.exp(-x)), lo: -110, hi: 110, ulps: 2 },
  ];
  const bits = new Uint32Array(1);
  const asF32 = new Float32Array(bits.buffer);
  function sweep(lo: number, hi: number): Float32Array {
    const xs: number[] = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1, -1];
    for (const sign of [0, 0x80000000]) for (let b = 0; b < 0x7f800000; b += 997) {
      bits[0] = (b | sign) >>> 0;
      if (asF32[0] >= lo && asF32[0] <= hi) xs.push(asF32[0]);
    }
    return Float32Array.from(pad4(xs));
  }
  const ulpDistance = (a: number, b: number): number => {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
    const key = (v: number) => { asF32[0] = v; return bits[0] & 0x80000000 ? -(bits[0] & 0x7fffffff) : bits[0]; };
    return Math.abs(key(a) - key(b));
  };
  for (const { op, f, lo, hi, ulps } of FAST) {
    it(`${op} within ${ulps} ulp, scalar and vector`, async () => {
      const x = sweep(lo, hi);
      const n = x.length;
      const i = b.variable('i'), j4 = b.mul(b.variable('j'), b.int(4));
      const p = program(`fast_${op}`, [
        { name: 'x', dtype: 'f32', size: n, role: 'input' },
        { name: 's', dtype: 'f32', size: n, role: 'output' },
        { name: 'v', dtype: 'f32', size: n, role: 'output' },
      ], [
        { name: 's', args: ['x', 's'], body: [b.loop('i', 0, n, [b.store(1, i, b.unary(op, b.load(0, i, 'f32')))], 'parallel')] },
        { name: 'v', args: ['x', 'v'], body: [b.loop('j', 0, n / 4, [b.store(1, j4, b.unary(op, b.load(0, j4, 'f32', 4)))], 'parallel')] },
      ]);
      const got = await runWasm(p, { x });
      for (const out of ['s', 'v']) {
        let worst = 0, at = 0;
        for (let k = 0; k < n; k++) {
          const d = ulpDistance(got[out][k], Math.fround(f(x[k])));
          if (d > worst) [worst, at] = [d, x[k]];
        }
        expect(worst, `${op} ${out}: ${worst} ulp at x = ${at} over ${n} inputs`).toBeLessThanOrEqual(ulps);
      }
    });
  }
});
