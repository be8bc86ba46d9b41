// Whole programs: loops of every mode, lets, local arrays (in locals and in memory),
// guarded loads, several launches with dependences between them; on 1 and 2 threads;
// constants embedded or supplied as weights; determinism; the runtime's input checks.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { F32, S32 } from '../../ir/kernel/build.js';
import { VEC4 } from '../../ir/kernel/kernel.js';
import { loadModel, type TypedArray } from '../../runtime/wasm/index.js';
import { compileWasm } from '../../targets/wasm/index.js';
import { program, reference, runWasm, type KernelSpec } from './harness.js';
import { expectClose } from './check.js';

const R = 37, K = 24;
const v = (n: string, t = S32) => b.variable(n, t);
const f = (x: number) => b.constant('f32', x);

function model() {
  const w = new Float32Array(K).map((_, i) => Math.fround(Math.cos(i) * 0.3));
  const kernels: KernelSpec[] = [
    // tmp[r] = tanh(Σ_k x[r,k] w[k]) + bias, a serial reduction inside a parallel loop
    { name: 'matvec', args: ['x', 'w', 'tmp'], body: [b.loop('r', 0, R, [
      b.letStmt('acc', f(0)),
      b.loop('k', 0, K, [b.assign('acc', b.binary('add', v('acc', F32), b.binary('multiply',
        b.load(0, b.add(b.mul(v('r'), b.int(K)), v('k')), 'f32'), b.load(1, v('k'), 'f32'))))]),
      b.store(2, v('r'), b.unary('tanh', v('acc', F32))),
    ], 'parallel')] },
    // out1[r] = tmp[R-1-r] + tmp[r-1 if r > 0] : reads what other threads wrote (needs the barrier)
    { name: 'shift', args: ['tmp', 'out1'], body: [b.loop('r', 0, R, [
      b.store(1, v('r'), b.binary('add', b.load(0, b.sub(b.int(R - 1), v('r')), 'f32'),
        b.select(b.compare('GT', v('r'), b.int(0)), b.load(0, b.sub(v('r'), b.int(1)), 'f32'), f(-1)))),
    ], 'parallel')] },
    // Register array: reverse each group of 4 with unrolled loops; nested parallel loop runs serially.
    { name: 'reverse4', args: ['x', 'out2'], body: [b.loop('g', 0, (R * K) / 4, [
      { k: 'array', name: 'a', type: 'f32', size: 4, scope: 'private' },
      b.loop('q', 0, 4, [{ k: 'localStore', array: 'a', index: v('q'), value: b.load(0, b.add(b.mul(v('g'), b.int(4)), v('q')), 'f32') }], 'unroll'),
      b.loop('q', 0, 4, [b.store(1, b.add(b.mul(v('g'), b.int(4)), v('q')), b.local('a', b.sub(b.int(3), v('q')), 'f32'))], 'unroll'),
      // A nested parallel loop runs serially; its array is indexed by a loop variable, so it lives in memory.
      { k: 'array', name: 'm', type: 's32', size: 2, scope: 'private' },
      b.loop('q', 0, 2, [{ k: 'localStore', array: 'm', index: v('q'), value: b.add(v('q'), v('g')) }], 'parallel'),
      b.store(1, b.mul(v('g'), b.int(4)), b.binary('add', b.local('a', b.int(3), 'f32'),
        b.convert(b.binary('subtract', b.local('m', b.int(1), 's32'), b.local('m', b.int(0), 's32')), 'f32'))),
    ], 'parallel')] },
    // Memory array with dynamic indices, an unroll loop with non-constant bounds (stays a loop), if/else.
    { name: 'prefix', args: ['x', 'out3'], body: [b.loop('r', 0, R, [
      { k: 'array', name: 'buf', type: 'f32', size: K, scope: 'private' },
      b.letStmt('run', f(0)),
      b.loop('k', 0, K, [
        b.assign('run', b.binary('add', v('run', F32), b.load(0, b.add(b.mul(v('r'), b.int(K)), v('k')), 'f32'))),
        { k: 'localStore', array: 'buf', index: v('k'), value: v('run', F32) },
      ]),
      b.loop('k', 0, b.binary('remainder', v('r'), b.int(K)), [
        b.ifStmt(b.compare('LT', b.local('buf', v('k'), 'f32'), f(0)),
          [b.store(1, b.add(b.mul(v('r'), b.int(K)), v('k')), b.local('buf', b.sub(b.int(K - 1), v('k')), 'f32'))],
          [b.store(1, b.add(b.mul(v('r'), b.int(K)), v('k')), b.unary('negate', b.local('buf', v('k'), 'f32')))]),
      ], 'unroll'),
    ], 'parallel')] },
    // Vectors: let/assign of f32x4, vector construction, extract, select by a vector mask; int arithmetic.
    { name: 'vec', args: ['x', 'out4', 'iout'], body: [b.loop('j', 0, (R * K) / 4, [
      b.letStmt('xv', b.load(0, b.mul(v('j'), b.int(4)), 'f32', 4)),
      b.letStmt('yv', b.vector([b.extract(v('xv', VEC4('f32')), 3), f(2), b.extract(v('xv', VEC4('f32')), 0), b.convert(v('j'), 'f32')])),
      b.assign('yv', b.select(b.compare('GT', v('xv', VEC4('f32')), v('yv', VEC4('f32'))), b.unary('exponential', v('yv', VEC4('f32'))), b.unary('erf', v('xv', VEC4('f32'))))),
      b.store(1, b.mul(v('j'), b.int(4)), v('yv', VEC4('f32'))),
      b.store(2, b.mul(v('j'), b.int(4)), b.binary('shift-left', b.convert(v('xv', VEC4('f32')), 's32'), b.splat(b.binary('remainder', v('j'), b.int(5))))),
    ], 'parallel')] },
    // Stores outside the first parallel loop: the whole kernel runs on thread 0.
    { name: 'serialonly', args: ['out1', 'out5'], body: [
      b.store(1, b.int(0), f(42)),
      b.loop('r', 1, R, [b.store(1, v('r'), b.binary('add', b.load(0, v('r'), 'f32'), b.load(1, b.sub(v('r'), b.int(1)), 'f32')))], 'parallel'),
      b.loop('r', 0, 2, [b.store(1, v('r'), b.binary('multiply', b.load(1, v('r'), 'f32'), f(2)))], 'parallel'),
    ] },
  ];
  const p = program('model', [
    { name: 'x', dtype: 'f32', size: R * K, role: 'input' },
    { name: 'w', dtype: 'f32', size: K, role: 'constant', data: w },
    { name: 'tmp', dtype: 'f32', size: R, role: 'temp' },
    { name: 'out1', dtype: 'f32', size: R, role: 'output' },
    { name: 'out2', dtype: 'f32', size: R * K, role: 'output' },
    { name: 'out3', dtype: 'f32', size: R * K, role: 'output' },
    { name: 'out4', dtype: 'f32', size: R * K, role: 'output' },
    { name: 'iout', dtype: 's32', size: R * K, role: 'output' },
    { name: 'out5', dtype: 'f32', size: R, role: 'output' },
  ], kernels);
  const x = new Float32Array(R * K).map((_, i) => Math.fround(Math.sin(i * 0.37) * 3));
  return { p, inputs: { x } };
}

const TOL = { rtol: 2e-6, atol: 1e-30 };

describe('wasm programs', () => {
  const { p, inputs } = model();
  const want = reference(p, inputs);
  const check = (got: Record<string, TypedArray>) => {
    for (const o of p.outputs) {
      const dt = p.buffers[o.buffer].dtype;
      // tanh/exp/erf feed out1, out4, out5; out2, out3 and iout only move and add exact values.
      expectClose(o.name, dt, got[o.name] as Float32Array, want[o.name] as Float32Array, ['out1', 'out4', 'out5'].includes(o.name) ? TOL : undefined);
    }
  };

  it('runs on one thread', async () => check(await runWasm(p, inputs)));
  it('runs unoptimized', async () => check(await runWasm(p, inputs, { optimize: 'none' })));
  it('runs after binaryen -O3', async () => {
    check(await runWasm(p, inputs, { optimize: 'full' }));
    check(await runWasm(p, inputs, { optimize: 'full', shared: true, threads: 2 }));
  });
  it('runs a shared build on one thread', async () => check(await runWasm(p, inputs, { shared: true, threads: 1 })));
  it('runs on two threads, with the same results', async () => {
    const { wasm, manifest } = compileWasm(p, { shared: true });
    const m = await loadModel(wasm, manifest, { threads: 2 });
    try {
      expect(m.threads).toBe(2);
      const one = await runWasm(p, inputs, { shared: true, threads: 1 });
      for (let rep = 0; rep < 3; rep++) {
        const got = await m.run(inputs);
        check(got);
        for (const o of p.outputs) expect(Array.from(got[o.name] as ArrayLike<number>), o.name).toEqual(Array.from(one[o.name]));
      }
    } finally {
      m.dispose();
    }
  });
  it('runs with constants supplied as weights', async () => {
    check(await runWasm(p, inputs, { embedConstants: false }));
    check(await runWasm(p, inputs, { embedConstants: false, shared: true, threads: 2 }));
  });
  it('falls back to one thread for a non-shared build', async () => {
    const { wasm, manifest } = compileWasm(p);
    const m = await loadModel(wasm, manifest, { threads: 4 });
    expect(m.threads).toBe(1);
    check(await m.run([inputs.x]));
    m.dispose();
  });
  it('is deterministic', () => {
    const a = compileWasm(p), c = compileWasm(p);
    expect(Buffer.from(a.wasm).equals(Buffer.from(c.wasm))).toBe(true);
    expect(JSON.stringify(a.manifest)).toBe(JSON.stringify(c.manifest));
    const s1 = compileWasm(p, { shared: true }), s2 = compileWasm(p, { shared: true });
    expect(Buffer.from(s1.wasm).equals(Buffer.from(s2.wasm))).toBe(true);
  });
});

describe('wasm runtime', () => {
  const { p, inputs } = model();
  it('checks inputs by name, dtype and length', async () => {
    const { wasm, manifest, weights } = compileWasm(p, { embedConstants: false });
    await expect(loadModel(wasm, manifest)).rejects.toThrow(/needs its weights/);
    const m = await loadModel(wasm, manifest, { weights });
    await expect(m.run({ x: new Int32Array(R * K) })).rejects.toThrow(/'x' is f32 and wants a Float32Array, got Int32Array/);
    await expect(m.run({ x: new Float32Array(3) })).rejects.toThrow(/'x' has shape \[888\] \(888 elements\), got 3/);
    await expect(m.run({ x: inputs.x, y: inputs.x })).rejects.toThrow(/no input 'y'/);
    await expect(m.run({})).rejects.toThrow(/missing input 'x'/);
    await expect(m.run([])).rejects.toThrow(/takes 1 inputs/);
    expect((await m.run(inputs)).out2.length).toBe(R * K);
    m.dispose();
  });
  it('reports a trap and stays unusable after it', async () => {
    // A kernel that divides by zero in wasm terms would not trap (XLA semantics), so trap on memory.
    const bad = program('bad', [{ name: 'x', dtype: 'f32', size: 4, role: 'input' }, { name: 'y', dtype: 'f32', size: 4, role: 'output' }], [
      { name: 'oob', args: ['x', 'y'], body: [b.store(1, b.int(0), b.load(0, b.int(1 << 29), 'f32'))] },
    ]);
    const { wasm, manifest } = compileWasm(bad, { shared: true });
    const m = await loadModel(wasm, manifest, { threads: 2 });
    await expect(m.run({ x: new Float32Array(4) })).rejects.toThrow();
    await expect(m.run({ x: new Float32Array(4) })).rejects.toThrow(/unusable/);
    m.dispose();
  });
  it('makes small modules', () => {
    const add = program('add', [
      { name: 'a', dtype: 'f32', size: 1024, role: 'input' }, { name: 'b', dtype: 'f32', size: 1024, role: 'input' },
      { name: 'c', dtype: 'f32', size: 1024, role: 'output' }], [
      { name: 'add', args: ['a', 'b', 'c'], body: [b.loop('j', 0, 256, [b.store(2, b.mul(v('j'), b.int(4)),
        b.binary('add', b.load(0, b.mul(v('j'), b.int(4)), 'f32', 4), b.load(1, b.mul(v('j'), b.int(4)), 'f32', 4)))], 'parallel')] }]);
    expect(compileWasm(add).wasm.length).toBeLessThan(400);
  });
});
