// Loop-invariant code motion on kernel IR (passes/kernel/hoist.ts): what moves, what must
// not, and that the kernel computes the same before and after.
import { describe, expect, it } from 'vitest';
import * as k from '../../ir/kernel/build.js';
import { allocateMemory, runProgram, type ExecOptions } from '../../ir/kernel/interpret.js';
import type { Expr, Kernel, Program, Stmt } from '../../ir/kernel/kernel.js';
import { printKernel } from '../../ir/kernel/print.js';
import { hoistInvariants } from '../../passes/kernel/hoist.js';

const ROWS = 3, COLS = 8;

/** x: f32[ROWS, COLS] in, s: f32[ROWS] in, y: f32[ROWS, COLS] out (read back too when `rw`). */
function kernel(body: Stmt[], rw = false): Kernel {
  return {
    name: 't', source: 't', schedule: {}, body,
    params: [
      { name: 'x', dtype: 'f32', size: ROWS * COLS, access: 'read' },
      { name: 's', dtype: 'f32', size: ROWS, access: 'read' },
      { name: 'y', dtype: 'f32', size: ROWS * COLS, access: rw ? 'readwrite' : 'write' },
    ],
  };
}

function run(kern: Kernel, x: number[], s: number[], options?: ExecOptions): number[] {
  const n = ROWS * COLS;
  const p: Program = {
    name: 't', kernels: [kern], steps: [{ k: 'launch', kernel: 0, args: [0, 1, 2] }], inputs: [], outputs: [],
    buffers: [
      { id: 0, name: 'x', dtype: 'f32', dims: [n], region: 'arena', offset: 0, bytes: 4 * n },
      { id: 1, name: 's', dtype: 'f32', dims: [ROWS], region: 'arena', offset: 4 * n, bytes: 4 * ROWS },
      { id: 2, name: 'y', dtype: 'f32', dims: [n], region: 'arena', offset: 4 * (n + ROWS), bytes: 4 * n },
    ],
    constantsBytes: 0, arenaBytes: 4 * (2 * n + ROWS),
  };
  const mem = allocateMemory(p);
  const f = new Float32Array(mem.arena.buffer);
  f.set(x, 0);
  f.set(s, n);
  f.fill(1, n + ROWS, 2 * n + ROWS);
  runProgram(p, mem, options);
  return [...f.slice(n + ROWS, 2 * n + ROWS)];
}

const x = Array.from({ length: ROWS * COLS }, (_, i) => i * 0.25 - 2);
const s = [4, 9, 0.5];
const p = k.variable('p'), j = k.variable('j');
const row = (e: Expr = p) => k.mul(e, k.int(COLS));

/** y[p, j..j+3] = x[p, j..j+3] · rsqrt(splat(s[p]) + 1), the LayerNorm shape. */
function layerNormLike(mode: 'serial' | 'parallel'): Stmt[] {
  const inner = [
    k.letStmt('sp', k.load(1, p, 'f32')),
    k.store(2, k.add(row(), j), k.binary('multiply', k.load(0, k.add(row(), j), 'f32', 4),
      k.unary('rsqrt', k.binary('add', k.splat(k.variable('sp', k.F32)), k.constant('f32', 1, 4))))),
  ];
  return [k.loop('p', 0, ROWS, [k.loop('j', 0, COLS, inner, mode, 4)], 'parallel')];
}

describe('hoistInvariants', () => {
  it('moves a row value out of the serial element loop, once, and computes the same', () => {
    const before = kernel(layerNormLike('serial'));
    const after = hoistInvariants(before);
    const text = printKernel(after);
    const loopAt = text.indexOf('for (j');
    expect(text.indexOf('rsqrt')).toBeGreaterThan(0);
    expect(text.indexOf('rsqrt')).toBeLessThan(loopAt);
    expect(text.indexOf('let sp')).toBeLessThan(loopAt);
    expect(text.match(/rsqrt/g)).toHaveLength(1);
    expect(run(after, x, s)).toEqual(run(before, x, s));
  });

  it('never moves work out of a parallel loop', () => {
    const before = kernel(layerNormLike('parallel'));
    expect(printKernel(hoistInvariants(before))).toBe(printKernel(before));
  });

  it('leaves loads of a buffer the kernel writes, and anything under an if', () => {
    // y[p·COLS + j] += y[0] inside the loop: y[0] changes as the loop runs (p = 0, j = 0).
    const body: Stmt[] = [k.loop('p', 0, ROWS, [k.loop('j', 0, COLS, [
      k.store(2, k.add(row(), j), k.binary('add', k.load(2, k.add(row(), j), 'f32'), k.load(2, k.int(0), 'f32'))),
      k.ifStmt(k.compare('GT', j, k.int(2)), [k.store(2, k.add(row(), j), k.unary('exponential', k.load(1, p, 'f32')))]),
    ])], 'parallel')];
    const before = kernel(body, true);
    const after = hoistInvariants(before);
    const text = printKernel(after);
    const loopAt = text.indexOf('for (j');
    expect(text.indexOf('y[0]')).toBeGreaterThan(loopAt);
    expect(text.indexOf('exponential')).toBeGreaterThan(text.indexOf('if ('));
    // Racy on purpose (invocation 0 writes the y[0] all others read): run it in order, unchecked.
    const inOrder: ExecOptions = { order: 'inOrder', races: false };
    expect(run(after, x, s, inOrder)).toEqual(run(before, x, s, inOrder));
  });

  it('moves pure invariant arithmetic out of a loop that may not run, but not its loads', () => {
    // for (j = 0; j < n; j++) with n read at run time: the loop may run zero times.
    const n = k.load(1, k.int(0), 'f32');
    const body: Stmt[] = [k.loop('p', 0, ROWS, [
      k.letStmt('n', k.convert(n, 's32')),
      k.loop('j', 0, k.variable('n'), [k.store(2, k.add(row(), j), k.binary('multiply',
        k.unary('exponential', k.convert(p, 'f32')), k.load(1, k.int(1), 'f32')))]),
    ], 'parallel')];
    const before = kernel(body);
    const after = printKernel(hoistInvariants(before));
    const loopAt = after.indexOf('for (j');
    expect(after.indexOf('exponential')).toBeLessThan(loopAt);
    expect(after.lastIndexOf('s[1]')).toBeGreaterThan(loopAt);
  });
});
