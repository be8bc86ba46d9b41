// Helpers targets/cuda emits once per file are keyed by operation and types, so their body
// must be the operation's and nothing more: an unsigned sign test folded to a constant once
// sat in the body of `kiln_lt_u32x4`, and every later u32x4 `<` of the file returned false.
import { expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { fill, program, reference } from '../wasm/harness.js';
import { runCudaCpu, unavailable } from './harness.js';

it.skipIf(unavailable)('a u32x4 `x < 0` and a `x < y` in one file each compare as their own', async () => {
  const n = 8;
  const j4 = b.mul(b.variable('j'), b.int(4));
  const lanes = (buf: number) => b.load(buf, j4, 'u32', 4);
  const p = program('sign_compare', [
    { name: 'x', dtype: 'u32', size: n, role: 'input' }, { name: 'y', dtype: 'u32', size: n, role: 'input' },
    { name: 'negative', dtype: 'pred', size: n, role: 'output' }, { name: 'less', dtype: 'pred', size: n, role: 'output' },
  ], [
    { name: 'k_sign', args: ['x', 'negative'], body: [b.loop('j', 0, n / 4, [b.store(1, j4, b.compare('LT', lanes(0), b.splat(b.constant('u32', 0))))], 'parallel')] },
    { name: 'k_less', args: ['x', 'y', 'less'], body: [b.loop('j', 0, n / 4, [b.store(2, j4, b.compare('LT', lanes(0), lanes(1)))], 'parallel')] },
  ]);
  const inputs = { x: fill('u32', [1, 5, 3, 9, 0, 2, 7, 4]), y: fill('u32', [2, 4, 3, 10, 1, 1, 8, 3]) };
  const got = await runCudaCpu(p, inputs), want = reference(p, inputs);
  expect([...got.less]).toEqual([1, 0, 0, 1, 1, 0, 1, 0]);
  expect([...got.less]).toEqual([...want.less]);
  expect([...got.negative]).toEqual([...want.negative]);
});
