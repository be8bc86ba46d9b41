// The target-neutral analyses of passes/kernel that renderers call: index folding, an
// index as linear terms, non-negative variables, let values along a walk, the loop a
// target may split over threads, and how local arrays are indexed.
import { describe, expect, it } from 'vitest';
import * as k from '../../ir/kernel/build.js';
import type { Expr, Kernel, Stmt } from '../../ir/kernel/kernel.js';
import { printExpr } from '../../ir/kernel/print.js';
import { foldIndex } from '../../passes/kernel/fold.js';
import { isInvariant, isStatic, pureIndex } from '../../passes/kernel/invariant.js';
import { LetValues } from '../../passes/kernel/let_values.js';
import { linearIndex } from '../../passes/kernel/linear_index.js';
import { isNonNegative, nonNegativeVars } from '../../passes/kernel/non_negative.js';
import { localArrayUses, splittableLoop } from '../../passes/kernel/parallel.js';

const i = k.variable('i'), j = k.variable('j');
const kernel = (body: Stmt[]): Kernel => ({
  name: 't', source: 't', schedule: {}, body, params: [{ name: 'y', dtype: 'f32', size: 64, access: 'write' }],
});

describe('foldIndex', () => {
  it('folds with the reference semantics, wrapping like s32', () => {
    const consts = new Map([['i', 7]]);
    expect(foldIndex(k.binary('divide', i, k.int(0)), consts)).toBe(-1); // XLA: x / 0 = -1
    expect(foldIndex(k.binary('multiply', i, k.int(0x40000000)), consts)).toBe(-0x40000000);
    expect(foldIndex(k.binary('shift-left', i, k.int(40)), consts)).toBe(0);
    expect(foldIndex(k.add(i, j), consts)).toBeUndefined();
    expect(foldIndex(k.load(0, i, 's32'), consts)).toBeUndefined();
  });
});

describe('linearIndex', () => {
  it('splits sums, constant differences and constant products into terms and a constant', () => {
    // (i·4 + j − 3)·2 + 5 = 8·i + 2·j − 1
    const e = k.binary('add', k.binary('multiply', k.binary('subtract', k.binary('add', k.binary('multiply', i, k.int(4)), j), k.int(3)), k.int(2)), k.int(5));
    const { terms, constant } = linearIndex(e, (x) => foldIndex(x, new Map()), () => undefined);
    expect(terms.map((t) => `${t.k}*${printExpr(t.e)}`)).toEqual(['8*i', '2*j']);
    expect(constant).toBe(-1n);
  });
  it('splits through a variable the caller expands', () => {
    const base = k.binary('add', k.binary('multiply', j, k.int(16)), k.int(4));
    const { terms, constant } = linearIndex(k.binary('add', k.variable('b'), i), (x) => foldIndex(x, new Map()),
      (v) => (v.k === 'var' && v.name === 'b' ? base : undefined));
    expect(terms.map((t) => `${t.k}*${printExpr(t.e)}`)).toEqual(['16*j', '1*i']);
    expect(constant).toBe(4n);
  });
});

describe('nonNegativeVars', () => {
  it('keeps loop variables from non-negative starts and lets over them, drops what may go negative', () => {
    const kern = kernel([k.loop('i', 0, 8, [
      k.letStmt('a', k.binary('add', k.mul(i, k.int(8)), k.int(1))),
      k.letStmt('b', k.binary('subtract', i, k.int(1))),
      k.letStmt('c', k.binary('divide', k.variable('a'), k.int(2))),
    ], 'parallel')]);
    const nn = nonNegativeVars(kern);
    expect([...nn].sort()).toEqual(['a', 'c', 'i']);
    expect(isNonNegative(k.binary('remainder', k.variable('a'), k.int(3)), nn)).toBe(true);
    expect(isNonNegative(k.variable('b'), nn)).toBe(false);
    expect(isNonNegative(k.variable('b'), nn, new Map([['b', 2]]))).toBe(true);
  });
});

describe('invariance', () => {
  it('pure index expressions read no memory; invariance is about the variables a loop defines', () => {
    const e: Expr = k.binary('add', k.mul(j, k.int(8)), k.int(1));
    expect(pureIndex(e)).toBe(true);
    expect(pureIndex(k.load(0, j, 's32'))).toBe(false);
    expect(isInvariant(e, new Set(['i']))).toBe(true);
    expect(isInvariant(e, new Set(['j']))).toBe(false);
    expect(isInvariant(k.load(0, j, 'f32'), new Set(['i']))).toBe(false);
    expect(isInvariant(k.load(0, j, 'f32'), new Set(['i']), new Set([1]))).toBe(true);
    expect(isStatic(e, new Set(['j']))).toBe(true);
  });
  it('LetValues forgets a definition once a variable it read changes', () => {
    const lets = new LetValues();
    lets.define('a', k.add(j, k.int(1)));
    expect(lets.valueOf('a') && printExpr(lets.valueOf('a')!)).toBe('j + 1');
    lets.redefine(['j']);
    expect(lets.valueOf('a')).toBeUndefined();
    lets.define('f', k.load(0, j, 'f32'));
    expect(lets.valueOf('f')).toBeUndefined(); // only pure index expressions
  });
});

describe('splittableLoop and localArrayUses', () => {
  it('finds the first parallel loop when every store is inside it', () => {
    const store = k.store(0, i, k.constant('f32', 1));
    expect(splittableLoop(kernel([k.letStmt('x', k.int(1)), k.loop('i', 0, 8, [store], 'parallel')]))).toBe(1);
    expect(splittableLoop(kernel([k.loop('i', 0, 8, [store], 'parallel'), k.store(0, k.int(0), k.constant('f32', 2))]))).toBeUndefined();
    expect(splittableLoop(kernel([k.loop('i', 0, 8, [store], 'serial')]))).toBeUndefined();
  });
  it('marks arrays indexed by anything but unrolled loop variables as dynamic', () => {
    const uses = localArrayUses(kernel([
      { k: 'array', name: 'r', type: 'f32', size: 4, scope: 'private' },
      { k: 'array', name: 'm', type: 'f32', size: 4, scope: 'private' },
      k.loop('j', 0, 4, [{ k: 'localStore', array: 'r', index: j, value: k.constant('f32', 0) }], 'unroll'),
      k.loop('i', 0, 4, [{ k: 'localStore', array: 'm', index: i, value: k.constant('f32', 0) }], 'serial'),
    ]));
    expect(uses.get('r')!.dynamic).toBe(false);
    expect(uses.get('m')!.dynamic).toBe(true);
  });
});
