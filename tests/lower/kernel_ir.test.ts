// The kernel IR's reference executor: what its constructs mean, and that it refuses
// out-of-bounds access instead of reading garbage.
import { describe, expect, it } from 'vitest';
import * as k from '../../ir/kernel/build.js';
import { allocateMemory, KernelOutOfBounds, runProgram } from '../../ir/kernel/interpret.js';
import type { Kernel, Program, Stmt } from '../../ir/kernel/kernel.js';
import { printKernel } from '../../ir/kernel/print.js';

/** A program of one kernel over f32 buffers x (in) and y (out) of n elements each. */
function program(n: number, body: Stmt[], dtype: 'f32' | 'f16' | 's8' = 'f32'): Program {
  const bytes = n * (dtype === 'f32' ? 4 : dtype === 'f16' ? 2 : 1);
  const kernel: Kernel = {
    name: 't', source: 't', schedule: {}, body,
    params: [{ name: 'x', dtype, size: n, access: 'read' }, { name: 'y', dtype, size: n, access: 'write' }],
  };
  return {
    name: 't', kernels: [kernel], steps: [{ k: 'launch', kernel: 0, args: [0, 1] }], inputs: [], outputs: [],
    buffers: [
      { id: 0, name: 'x', dtype, dims: [n], region: 'arena', offset: 0, bytes },
      { id: 1, name: 'y', dtype, dims: [n], region: 'arena', offset: 64, bytes },
    ],
    constantsBytes: 0, arenaBytes: 64 + bytes,
  };
}

function run(p: Program, x: number[]): number[] {
  const mem = allocateMemory(p);
  const f32 = new Float32Array(mem.arena.buffer);
  f32.set(x, 0);
  runProgram(p, mem);
  return [...f32.slice(16, 16 + x.length)];
}

describe('kernel IR executor', () => {
  it('runs a vector loop with a scalar tail', () => {
    const j = k.variable('j');
    const body = [
      k.loop('j', 0, 4, [k.store(1, j, k.binary('multiply', k.load(0, j, 'f32', 4), k.constant('f32', 2, 4)))], 'serial', 4),
      k.loop('j', 4, 6, [k.store(1, j, k.binary('add', k.load(0, j, 'f32'), k.constant('f32', 1)))]),
    ];
    expect(run(program(6, body), [1, 2, 3, 4, 5, 6])).toEqual([2, 4, 6, 8, 6, 7]);
  });

  it('rounds f32 arithmetic like f32', () => {
    const body = [k.store(1, k.int(0), k.binary('add', k.load(0, k.int(0), 'f32'), k.constant('f32', 1e-9)))];
    expect(run(program(1, body), [1])).toEqual([1]);
  });

  it('means what HLO means: integer x/0 = -1, float→int saturates, f16 stores round to nearest even', () => {
    const p = program(1, [k.store(1, k.int(0), k.convert(k.binary('divide', k.int(7), k.int(0)), 'f32'))]);
    expect(run(p, [0])).toEqual([-1]);
    const sat = program(1, [k.store(1, k.int(0), k.convert(k.convert(k.constant('f32', 3e9), 's32'), 'f32'))]);
    expect(run(sat, [0])).toEqual([2147483648]);
    const half = program(1, [k.store(1, k.int(0), k.load(0, k.int(0), 'f32'))], 'f16');
    const mem = allocateMemory(half);
    new DataView(mem.arena.buffer).setUint16(0, 0x3c01, true); // 1 + 2^-10
    runProgram(half, mem);
    expect(new DataView(mem.arena.buffer).getUint16(64, true)).toBe(0x3c01);
  });

  it('refuses reads and writes outside a buffer', () => {
    const over = program(4, [k.store(1, k.int(0), k.load(0, k.int(2), 'f32', 4))]);
    expect(() => run(over, [1, 2, 3, 4])).toThrow(KernelOutOfBounds);
    const under = program(4, [k.store(1, k.int(-1), k.constant('f32', 0))]);
    expect(() => run(under, [1, 2, 3, 4])).toThrow(/outside 0..3/);
  });

  it('prints kernels as C-like text', () => {
    const j = k.variable('j');
    const text = printKernel(program(8, [k.loop('j', 0, 8, [k.store(1, j, k.unary('exponential', k.load(0, j, 'f32', 4)))], 'parallel', 4)]).kernels[0]);
    expect(text).toBe([
      'kernel t(in f32[8] x, out f32[8] y) {  // t',
      '  parallel for (j = 0; j < 8; j += 4) {',
      '    y.v4[j] = exponential(x.v4[j]);',
      '  }',
      '}',
    ].join('\n'));
  });

  it('computes s64 and u64 exactly beyond 2^53, with HLO\'s 64-bit rules', () => {
    const wide: Program = {
      ...program(4, []), buffers: [{ id: 0, name: 'y', dtype: 's64', dims: [4], region: 'arena', offset: 0, bytes: 32 }],
      kernels: [{
        name: 't', source: 't', schedule: {}, params: [{ name: 'y', dtype: 's64', size: 4, access: 'write' }],
        body: [
          // (2^53 + 1) · 3 + 1, exact; INT64_MIN / −1 wraps; 1 << 64 is 0; u64 −1 (2^64 − 1) >> 63 is 1.
          k.store(0, k.int(0), k.binary('add', k.binary('multiply', k.constant('s64', 2n ** 53n + 1n), k.constant('s64', 3)), k.constant('s64', 1))),
          k.store(0, k.int(1), k.binary('divide', k.constant('s64', -(2n ** 63n)), k.constant('s64', -1))),
          k.store(0, k.int(2), k.binary('shift-left', k.constant('s64', 1), k.constant('s64', 64))),
          k.store(0, k.int(3), k.convert(k.binary('shift-right-logical', k.constant('u64', -1), k.constant('u64', 63)), 's64')),
        ],
      }],
      steps: [{ k: 'launch', kernel: 0, args: [0] }], arenaBytes: 32,
    };
    const mem = allocateMemory(wide);
    runProgram(wide, mem);
    expect([...new BigInt64Array(mem.arena.buffer, 0, 4)]).toEqual([27021597764222980n, -(2n ** 63n), 0n, 1n]);
  });

  it('folds index arithmetic as it builds', () => {
    const i = k.variable('i');
    expect(k.add(k.add(i, k.int(2)), k.int(3))).toEqual(k.add(i, k.int(5)));
    expect(k.mul(i, k.int(1))).toBe(i);
    expect(k.linear([k.int(1), k.int(2)], [3, 4])).toEqual(k.int(6));
  });
});
