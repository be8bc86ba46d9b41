// The kernel IR executor as a hostile GPU: parallel iterations run shuffled, barriers
// split them into phases, and invocations that race on an element are reported by
// kernel, buffer and element.
import { describe, expect, it } from 'vitest';
import * as k from '../../ir/kernel/build.js';
import { allocateMemory, KernelBarrierMismatch, KernelRace, runKernel, runProgram, type ExecOptions } from '../../ir/kernel/interpret.js';
import type { Expr, Kernel, KernelParam, Program, Stmt } from '../../ir/kernel/kernel.js';

const i = k.variable('i'), lid = k.variable('lid'), wg = k.variable('wg');
const SEEDS = [1, 2, 3, 0xdead, 12345];

function kernel(name: string, params: KernelParam[], body: Stmt[]): Kernel {
  return { name, params, body, schedule: {}, source: name };
}
const f32 = (name: string, size: number, access: KernelParam['access']): KernelParam => ({ name, dtype: 'f32', size, access });

/** Runs `kern` over f32 memories holding `inputs` (and zeros for the rest); returns every memory as numbers. */
function run(kern: Kernel, inputs: number[][], options?: ExecOptions): number[][] {
  const mems = kern.params.map((p, j) => {
    const a = new Float32Array(p.size);
    a.set(inputs[j] ?? []);
    return a;
  });
  runKernel(kern, mems.map((a) => new Uint8Array(a.buffer)), options);
  return mems.map((a) => [...a]);
}

const X = [1, 2, 3, 4, 5, 6, 7, 8];

describe('parallel loops run shuffled', () => {
  // y[i] = 2·x[i] + x[(i+1) % 8]: reads neighbours' inputs, writes its own output.
  const good = kernel('good', [f32('x', 8, 'read'), f32('y', 8, 'write')], [
    k.loop('i', 0, 8, [k.store(1, i, k.binary('add',
      k.binary('multiply', k.load(0, i, 'f32'), k.constant('f32', 2)), k.load(0, k.mod(k.add(i, k.int(1)), 8), 'f32')))], 'parallel'),
  ]);
  const expected = X.map((x, j) => 2 * x + X[(j + 1) % 8]);

  it('gives a correct kernel the same result under every seed and in order', () => {
    for (const seed of SEEDS) expect(run(good, [X], { seed })[1]).toEqual(expected);
    expect(run(good, [X], { order: 'inOrder' })[1]).toEqual(expected);
  });

  it('runs iterations in an order the seed picks, the same order for the same seed', () => {
    // With race checks off, the last of 16 invocations to write y[0] shows the order.
    const last = kernel('last', [f32('y', 1, 'write')], [k.loop('i', 0, 16, [k.store(0, k.int(0), k.convert(i, 'f32'))], 'parallel')]);
    const winner = (o: ExecOptions): number => run(last, [], { races: false, ...o })[0][0];
    expect(winner({ order: 'inOrder' })).toBe(15);
    const winners = SEEDS.map((seed) => winner({ seed }));
    expect(new Set(winners).size).toBeGreaterThan(1);
    expect(SEEDS.map((seed) => winner({ seed }))).toEqual(winners);
  });

  it('gives each invocation its own copy of variables and private arrays declared outside the loop', () => {
    const kern = kernel('own', [f32('x', 8, 'read'), f32('y', 8, 'write')], [
      k.letStmt('acc', k.constant('f32', 0)),
      { k: 'array', name: 'tmp', type: 'f32', size: 1, scope: 'private' },
      k.loop('i', 0, 8, [
        k.assign('acc', k.binary('add', k.variable('acc', k.F32), k.load(0, i, 'f32'))),
        { k: 'localStore', array: 'tmp', index: k.int(0), value: k.binary('add', k.local('tmp', k.int(0), 'f32'), k.variable('acc', k.F32)) },
        k.store(1, i, k.local('tmp', k.int(0), 'f32')),
      ], 'parallel'),
    ]);
    for (const seed of SEEDS) expect(run(kern, [X], { seed })[1]).toEqual(X);
  });
});

describe('races', () => {
  it('reports two invocations writing one element, naming kernel, loop, buffer and element', () => {
    const kern = kernel('halve', [f32('x', 8, 'read'), f32('y', 4, 'write')], [
      k.loop('i', 0, 8, [k.store(1, k.div(i, 2), k.load(0, i, 'f32'))], 'parallel'),
    ]);
    for (const seed of SEEDS) {
      const e = catchError(() => run(kern, [X], { seed }));
      expect(e).toBeInstanceOf(KernelRace);
      expect(e.message).toMatch(/^kernel halve: invocations (\d) and (\d) of parallel loop i both write buffer y\[element (\d)\]$/);
      const [, a, b, el] = /invocations (\d) and (\d).*element (\d)/.exec(e.message)!.map(Number);
      expect([a, b]).toEqual([2 * el, 2 * el + 1]);
    }
  });

  it('reports an invocation reading what another writes in the same phase', () => {
    // y[i] = x[i]; z[i] = y[(i+1) % 8]: reads a neighbour's output.
    const kern = kernel('shift', [f32('x', 8, 'read'), f32('y', 8, 'readwrite'), f32('z', 8, 'write')], [
      k.loop('i', 0, 8, [
        k.store(1, i, k.load(0, i, 'f32')),
        k.store(2, i, k.load(1, k.mod(k.add(i, k.int(1)), 8), 'f32')),
      ], 'parallel'),
    ]);
    for (const seed of SEEDS) {
      const e = catchError(() => run(kern, [X], { seed }));
      expect(e).toBeInstanceOf(KernelRace);
      const m = /^kernel shift: invocation (\d) of parallel loop i reads buffer y\[element (\d)\], which invocation (\d) writes, with no barrier between$/.exec(e.message);
      expect(m, e.message).not.toBeNull();
      const [, reader, el, writer] = m!.map(Number);
      expect([writer, (reader + 1) % 8]).toEqual([el, el]);
    }
  });

  it('counts every lane of a vector access', () => {
    // Invocation j stores y[2j..2j+3]: neighbours overlap on two elements.
    const kern = kernel('vec', [f32('y', 8, 'write')], [
      k.loop('i', 0, 3, [k.store(0, k.mul(i, k.int(2)), k.splat(k.convert(i, 'f32')))], 'parallel'),
    ]);
    expect(() => run(kern, [], { order: 'inOrder' })).toThrow(/invocations 0 and 1 of parallel loop i both write buffer y\[element 2\]/);
  });

  it('allows writes of identical bytes unless asked to report them', () => {
    const same = kernel('same', [f32('y', 1, 'write')], [k.loop('i', 0, 4, [k.store(0, k.int(0), k.constant('f32', 1))], 'parallel')]);
    expect(run(same, [])[0]).toEqual([1]);
    expect(() => run(same, [], { identicalWrites: 'report' })).toThrow(KernelRace);
    const differ = kernel('differ', [f32('y', 1, 'write')], [k.loop('i', 0, 4, [k.store(0, k.int(0), k.convert(i, 'f32'))], 'parallel')]);
    expect(() => run(differ, [])).toThrow(/kernel differ: invocations \d and \d of parallel loop i both write buffer y\[element 0\]/);
  });

  it('reports narrow elements of one 32-bit word written by two invocations only with wordRaces', () => {
    const bytes = kernel('bytes', [{ name: 'y', dtype: 'u8', size: 8, access: 'write' }], [
      k.loop('i', 0, 8, [k.store(0, i, k.convert(i, 'u32'))], 'parallel'),
    ]);
    const y = new Uint8Array(8);
    runKernel(bytes, [y]);
    expect([...y]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(() => runKernel(bytes, [new Uint8Array(8)], { wordRaces: true }))
      .toThrow(/kernel bytes: invocations \d and \d of parallel loop i write buffer y\[elements \d and \d\], which share one 32-bit word/);
  });

  it('shares records between two parameters bound to one buffer (an in-place kernel)', () => {
    // x and y are one buffer: y[i] = x[i + 1] reads what invocation i + 1 writes.
    const shift = kernel('inplace', [f32('x', 8, 'read'), f32('y', 7, 'write')], [
      k.loop('i', 0, 7, [k.store(1, i, k.load(0, k.add(i, k.int(1)), 'f32'))], 'parallel'),
    ]);
    const p: Program = {
      name: 'inplace', kernels: [shift], steps: [{ k: 'launch', kernel: 0, args: [0, 0] }], inputs: [], outputs: [],
      buffers: [{ id: 0, name: 'buf', dtype: 'f32', dims: [8], region: 'arena', offset: 0, bytes: 32 }],
      constantsBytes: 0, arenaBytes: 32,
    };
    expect(() => runProgram(p, allocateMemory(p))).toThrow(/kernel inplace: invocation (\d) of parallel loop i reads buffer [xy]\[element \d\], which invocation \d writes/);
    const mem = allocateMemory(p);
    new Float32Array(mem.arena.buffer).set(X);
    runProgram(p, mem, { order: 'inOrder', races: false });
    expect([...new Float32Array(mem.arena.buffer)]).toEqual([2, 3, 4, 5, 6, 7, 8, 8]);
  });

  it('checks nothing when races are off', () => {
    const kern = kernel('racy', [f32('y', 1, 'write')], [k.loop('i', 0, 4, [k.store(0, k.int(0), k.convert(i, 'f32'))], 'parallel')]);
    expect(run(kern, [], { races: false, order: 'inOrder' })[0]).toEqual([3]);
  });
});

/** sums[lid] = x[base + lid]; barrier; invocation 0 adds them into y[out]. */
function reduction(n: number, base: Expr, out: Expr, withBarrier: boolean): Stmt[] {
  const j = k.variable('j');
  return [
    { k: 'localStore', array: 'sums', index: lid, value: k.load(0, k.add(base, lid), 'f32') },
    ...(withBarrier ? [{ k: 'barrier' } as const] : []),
    k.ifStmt(k.compare('EQ', lid, k.int(0)), [
      k.letStmt('acc', k.constant('f32', 0)),
      k.loop('j', 0, n, [k.assign('acc', k.binary('add', k.variable('acc', k.F32), k.local('sums', j, 'f32')))]),
      k.store(1, out, k.variable('acc', k.F32)),
    ]),
  ];
}
const sums = (n: number): Stmt => ({ k: 'array', name: 'sums', type: 'f32', size: n, scope: 'workgroup' });

describe('barriers', () => {
  const oneGroup = (withBarrier: boolean): Kernel => kernel('reduce', [f32('x', 8, 'read'), f32('y', 1, 'write')], [
    sums(8),
    k.loop('lid', 0, 8, reduction(8, k.int(0), k.int(0), withBarrier), 'parallel'),
  ]);

  it('runs a two-phase workgroup reduction right under every seed', () => {
    for (const seed of SEEDS) expect(run(oneGroup(true), [X], { seed })[1]).toEqual([36]);
    expect(run(oneGroup(true), [X], { order: 'inOrder', races: false })[1]).toEqual([36]);
  });

  it('reports the same reduction without its barrier', () => {
    for (const seed of SEEDS) {
      const e = catchError(() => run(oneGroup(false), [X], { seed }));
      expect(e).toBeInstanceOf(KernelRace);
      expect(e.message).toMatch(/^kernel reduce: invocation 0 of parallel loop lid reads workgroup array sums\[element ([1-7])\], which invocation \1 writes, with no barrier between$/);
    }
  });

  it('gives each workgroup its own workgroup array, and reports races across workgroups', () => {
    const groups = (out: Expr): Kernel => kernel('groups', [f32('x', 8, 'read'), f32('y', 2, 'write')], [
      k.loop('wg', 0, 2, [sums(4), k.loop('lid', 0, 4, reduction(4, k.mul(wg, k.int(4)), out, true), 'parallel')], 'parallel'),
    ]);
    for (const seed of SEEDS) expect(run(groups(wg), [X], { seed })[1]).toEqual([10, 26]);
    expect(() => run(groups(k.int(0)), [X]))
      .toThrow(/^kernel groups: invocations wg=0, lid=0 and wg=1, lid=0 of parallel loop wg both write buffer y\[element 0\]$/);
  });

  it('reports invocations that do not all reach the same barrier', () => {
    const kern = kernel('diverge', [f32('y', 8, 'write')], [
      k.loop('lid', 0, 8, [k.ifStmt(k.compare('LT', lid, k.int(2)), [{ k: 'barrier' }]), k.store(0, lid, k.constant('f32', 1))], 'parallel'),
    ]);
    const e = catchError(() => run(kern, []));
    expect(e).toBeInstanceOf(KernelBarrierMismatch);
    expect(e.message).toBe('kernel diverge: barrier not reached uniformly in parallel loop lid: invocation 0 waits at barrier #1 while invocation 2 has finished');
  });

  it('orders a read before a barrier and a neighbour\'s write after it', () => {
    // Phase 1 reads the neighbour's slot, phase 2 overwrites its own: no race.
    const kern = kernel('rotate', [f32('x', 8, 'read'), f32('y', 8, 'write')], [
      sums(8),
      k.loop('lid', 0, 8, [
        { k: 'localStore', array: 'sums', index: lid, value: k.load(0, lid, 'f32') },
        { k: 'barrier' },
        k.letStmt('v', k.local('sums', k.mod(k.add(lid, k.int(1)), 8), 'f32')),
        { k: 'barrier' },
        { k: 'localStore', array: 'sums', index: lid, value: k.variable('v', k.F32) },
        k.store(1, lid, k.variable('v', k.F32)),
      ], 'parallel'),
    ]);
    for (const seed of SEEDS) expect(run(kern, [X], { seed })[1]).toEqual(X.map((_, j) => X[(j + 1) % 8]));
  });

  it('runs barriers inside a serial loop of the invocation, phase by phase', () => {
    // Three rounds of: publish own value, barrier, take the neighbour's, barrier.
    const r = k.variable('r');
    const kern = kernel('rounds', [f32('x', 4, 'read'), f32('y', 4, 'write')], [
      sums(4),
      k.loop('lid', 0, 4, [
        k.letStmt('v', k.load(0, lid, 'f32')),
        k.loop('r', 0, 3, [
          { k: 'localStore', array: 'sums', index: lid, value: k.variable('v', k.F32) },
          { k: 'barrier' },
          k.assign('v', k.binary('add', k.local('sums', k.mod(k.add(lid, k.int(1)), 4), 'f32'), k.convert(r, 'f32'))),
          { k: 'barrier' },
        ]),
        k.store(1, lid, k.variable('v', k.F32)),
      ], 'parallel'),
    ]);
    // After three rotations by one, each takes the value three places on, plus 0 + 1 + 2.
    for (const seed of SEEDS) expect(run(kern, [[1, 2, 3, 4]], { seed })[1]).toEqual([4 + 3, 1 + 3, 2 + 3, 3 + 3]);
  });
});

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
