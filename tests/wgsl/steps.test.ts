// Control steps (while, switch) on WebGPU: the runtime reads the loop's predicate and the
// switch's index back from the arena that dispatches wrote, between submits, and a
// parallel kernel inside the loop runs as 64 invocations. The program is
// tests/wasm/steps.test.ts's.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { S32 } from '../../ir/kernel/build.js';
import type { Program, Step } from '../../ir/kernel/kernel.js';
import { fill, program, reference, type KernelSpec } from '../wasm/harness.js';
import { runWebGpu, unavailable } from './harness.js';

const N = 64;
const v = (n: string, t = S32) => b.variable(n, t);
const launch = (kernel: number): Step => ({ k: 'launch', kernel, args: [] });

/** acc[j] = Σ_{i<n} (j + i), then out = acc × 10·(branch + 1) by `sel`, and flag = loop predicate's last value. */
function loopAndSwitch(): Program {
  const scale = (c: number) => b.loop('j', 0, N, [b.store(1, v('j'), b.binary('multiply', b.load(0, v('j'), 'f32'), b.constant('f32', c)))], 'parallel');
  const kernels: KernelSpec[] = [
    { name: 'init', args: ['i', 'acc'], body: [b.store(0, b.int(0), b.int(0)), b.loop('j', 0, N, [b.store(1, v('j'), b.constant('f32', 0))], 'parallel')] },
    { name: 'cond', args: ['i', 'n', 'go'], body: [b.store(2, b.int(0), b.compare('LT', b.load(0, b.int(0), 's32'), b.load(1, b.int(0), 's32')))] },
    { name: 'body', args: ['i', 'acc'], body: [b.loop('j', 0, N, [b.store(1, v('j'), b.binary('add', b.load(1, v('j'), 'f32'),
      b.convert(b.add(v('j'), b.load(0, b.int(0), 's32')), 'f32')))], 'parallel')] },
    { name: 'inc', args: ['i'], body: [b.store(0, b.int(0), b.add(b.load(0, b.int(0), 's32'), b.int(1)))] },
    { name: 'b0', args: ['acc', 'out'], body: [scale(10)] },
    { name: 'b1', args: ['acc', 'out'], body: [scale(20)] },
    { name: 'b2', args: ['acc', 'out'], body: [scale(30)] },
    { name: 'yes', args: ['flag'], body: [b.store(0, b.int(0), b.int(1))] },
    { name: 'no', args: ['flag'], body: [b.store(0, b.int(0), b.int(2))] },
  ];
  const p = program('steps', [
    { name: 'n', dtype: 's32', size: 1, role: 'input' },
    { name: 'sel', dtype: 's32', size: 1, role: 'input' },
    { name: 'i', dtype: 's32', size: 1, role: 'temp' },
    { name: 'go', dtype: 'pred', size: 1, role: 'temp' },
    { name: 'acc', dtype: 'f32', size: N, role: 'output' },
    { name: 'out', dtype: 'f32', size: N, role: 'output' },
    { name: 'flag', dtype: 's32', size: 1, role: 'output' },
  ], kernels);
  // program() launches every kernel in order; these steps use each where control flow says.
  const withArgs = (s: Step): Step => (s.k === 'launch' ? p.steps[s.kernel] : s);
  const steps: Step[] = [
    launch(0),
    { k: 'while', cond: [launch(1)], pred: 3, body: [launch(2), launch(3)] },
    { k: 'switch', index: 1, indexType: 's32', branches: [[launch(4)], [launch(5)], [launch(6)]] },
    // The loop ended with go = false: branch 1.
    { k: 'switch', index: 3, indexType: 'pred', branches: [[launch(7)], [launch(8)]] },
  ];
  const deep = (ss: Step[]): Step[] => ss.map((s) => s.k === 'launch' ? withArgs(s)
    : s.k === 'while' ? { ...s, cond: deep([...s.cond]), body: deep([...s.body]) } : { ...s, branches: s.branches.map((br) => deep([...br])) });
  return { ...p, steps: deep(steps) };
}

describe.skipIf(unavailable)('webgpu control steps', () => {
  const p = loopAndSwitch();
  it.each([[5, 0, 10], [5, 1, 20], [3, 2, 30], [4, 7, 30], [2, -1, 30], [0, 1, 20]])('n = %i, sel = %i: scale %i', async (n, sel, scale) => {
    const inputs = { n: fill('s32', [n]), sel: fill('s32', [sel]) };
    const acc = Array.from({ length: N }, (_, j) => n * j + (n * (n - 1)) / 2);
    const want = { acc: acc, out: acc.map((x) => x * scale), flag: [2] };
    const ref = reference(p, inputs);
    expect({ acc: [...ref.acc], out: [...ref.out], flag: [...ref.flag] }).toEqual(want);
    const got = await runWebGpu(p, inputs);
    expect({ acc: [...got.acc], out: [...got.out], flag: [...got.flag] }).toEqual(want);
  });
});
