// Refusals: each names the instruction and says why; bad arguments say which one.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../ir/builder.js';
import type { Opcode } from '../../ir/opcodes.js';
import { array, scalar, tuple } from '../../ir/shape.js';
import { NotBatchableError, RULES, vmap } from '../../passes/batching/index.js';
import { isNotBatchable } from '../../passes/batching/types.js';
import { mod, scalarFn } from './harness.js';

const f32 = (...dims: number[]) => array('f32', dims);

describe('vmap refuses, naming the instruction', () => {
  it('rng with a batched parameter', () => {
    const m = mod([scalar('f32'), scalar('f32')], (c, [lo, hi]) => c.op('rng', [lo, hi], { distribution: 'rng_uniform' }, f32(3), 'draw'));
    expect(() => vmap(m, [0, null], 2)).toThrow(NotBatchableError);
    expect(() => vmap(m, [0, null], 2)).toThrow(/%draw \(rng\)/);
  });

  it('an unbatched rng is kept as it is', () => {
    const m = mod([scalar('f32'), f32(3)], (c, [lo, x]) => c.add(x, c.op('rng', [lo, lo], { distribution: 'rng_uniform' }, f32(3))));
    const out = vmap(m, [null, 0], 2);
    expect(out.entry.instructions.filter((i) => i.opcode === 'rng')[0].shape).toMatchObject({ dims: [3] });
  });

  it('a custom-call on a batched value', () => {
    const m = mod([f32(3)], (c, [x]) => c.op('custom-call', [x], { custom_call_target: 'mystery' }, f32(3), 'cc'));
    expect(() => vmap(m, [0], 2)).toThrow(/%cc \(custom-call\): an opaque target/);
  });

  it('a fusion on a batched value', () => {
    const b = new ModuleBuilder('m');
    const body = b.computation('fused', (c) => c.negate(c.parameter(f32(3))));
    b.entry('main', (c) => c.op('fusion', [c.parameter(f32(3))], { kind: 'kLoop', calls: body }, f32(3), 'fus'));
    expect(() => vmap(b.build(), [0], 2)).toThrow(/%fus \(fusion\): fusion is a backend decision/);
  });

  it('a reduce-window whose init is batched', () => {
    const m = mod([f32(4), scalar('f32')], (c, [x, init], [add]) => c.op('reduce-window', [x, init], {
      window: [{ size: 2, stride: 1, padLow: 1, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false }], to_apply: add,
    }, undefined, 'sums'), (b) => [scalarFn(b, 'add', 'f32', (c, x, y) => c.add(x, y))]);
    expect(() => vmap(m, [0, 0], 2)).toThrow(/%sums \(reduce-window\): its init value is batched/);
    expect(() => vmap(m, [0, null], 2)).not.toThrow();
  });

  it('a batched tuple parameter', () => {
    const m = mod([tuple([f32(2)])], (c, [t]) => c.getTupleElement(t, 0));
    expect(() => vmap(m, [0], 2)).toThrow(/parameter 0 \(%p0\) is a tuple/);
    expect(() => vmap(m, [null], 2)).not.toThrow();
  });

  it('bad arguments', () => {
    const m = mod([f32(2, 3)], (c, [x]) => c.negate(x));
    expect(() => vmap(m, [0, 0], 2)).toThrow(/takes 1 parameters, but 2 in-axes/);
    expect(() => vmap(m, [3], 2)).toThrow(/in-axis 3 of parameter 0 \(%p0\) is not in \[0, 2\]/);
    expect(() => vmap(m, [0], 0)).toThrow(/positive integer/);
    expect(() => vmap(m, [0], 2, [4])).toThrow(/out-axis 4 of output 0/);
    expect(() => vmap(m, [0], 2, [0, 1])).toThrow(/1 out-axes needed/);
  });

  it('every opcode without a rule says why', () => {
    for (const op of Object.keys(RULES) as Opcode[]) {
      const r = RULES[op];
      if (isNotBatchable(r)) expect(r.notBatchable.length, op).toBeGreaterThan(20);
    }
  });
});
