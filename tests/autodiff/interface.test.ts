// The public interface's contract: parameter and result layout of vjp, grad and jvp,
// integer outputs and parameters, unused parameters, outputs listed twice, and results
// that verify with no dead code.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../ir/builder.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { array, scalar, shapeToString } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import { dce } from '../../passes/dce.js';
import { grad, jvp, vjp } from '../../passes/autodiff/index.js';
import { leavesOf } from './harness.js';

/** (x: f64[3], n: s32[3], y: f64[3]) -> (x*y, (convert(n), x*y)) with y unused by the int leaf. */
function mixed(): Module {
  const b = new ModuleBuilder('mixed');
  b.entry('main', (c) => {
    const x = c.parameter(array('f64', [3]), 'x'), n = c.parameter(array('s32', [3]), 'n'), y = c.parameter(array('f64', [3]), 'y');
    c.parameter(array('f64', [2]), 'unused');
    const p = c.multiply(x, y);
    return c.tuple([p, c.tuple([c.add(n, n), p])]);
  });
  return b.build();
}

const sig = (m: Module) => ({ params: m.entry.params.map((p) => shapeToString(p.shape, { layout: false })), root: shapeToString(m.entry.root.shape, { layout: false }).replace(/\/\*index=\d+\*\//g, '') });
const lit = (dims: number[], v: number[], t: 'f64' | 's32' = 'f64') => arrayLiteral(array(t, dims), v);

describe('autodiff: the interface', () => {
  it('vjp: params then one cotangent per float output leaf; outputs then one gradient per wrt param', () => {
    const v = vjp(mixed());
    expect(sig(v)).toEqual({
      params: ['f64[3]', 's32[3]', 'f64[3]', 'f64[2]', 'f64[3]', 'f64[3]'],
      root: '(f64[3], s32[3], f64[3], f64[3], f64[3], f64[2])',
    });
    const out = leavesOf(interpret(v, [lit([3], [1, 2, 3]), lit([3], [1, 1, 1], 's32'), lit([3], [4, 5, 6]), lit([2], [0, 0]), lit([3], [1, 0, 0]), lit([3], [0, 1, 1])]));
    expect(Array.from(out[3].data as Float64Array)).toEqual([4, 5, 6]); // d<ct, xy>/dx = (ct0 + ct2)·y
    expect(Array.from(out[4].data as Float64Array)).toEqual([1, 2, 3]);
    expect(Array.from(out[5].data as Float64Array)).toEqual([0, 0]);
  });

  it('jvp: params then one tangent per wrt param; outputs then one tangent per float output leaf', () => {
    expect(sig(jvp(mixed(), { wrt: [2] }))).toEqual({
      params: ['f64[3]', 's32[3]', 'f64[3]', 'f64[2]', 'f64[3]'],
      root: '(f64[3], s32[3], f64[3], f64[3], f64[3])',
    });
  });

  it('grad: params as the original; (value, gradients)', () => {
    const b = new ModuleBuilder('g');
    const add = b.computation('add', (c) => c.add(c.parameter(scalar('f32')), c.parameter(scalar('f32'))));
    b.entry('main', (c) => {
      const x = c.parameter(array('f32', [4]), 'x');
      return c.reduce(c.multiply(x, x), c.constantScalar('f32', 0), [0], add);
    });
    const g = grad(b.build());
    expect(sig(g)).toEqual({ params: ['f32[4]'], root: '(f32[], f32[4])' });
    const out = leavesOf(interpret(g, [arrayLiteral(array('f32', [4]), [1, -2, 3, 0.5])]));
    expect(Array.from(out[1].data as Float64Array)).toEqual([2, -4, 6, 1]);
  });

  it('results verify and hold no dead code', () => {
    for (const m of [vjp(mixed()), jvp(mixed()), grad(mixedScalar())]) {
      verifyModule(m);
      expect(dce(m).entry.instructions.length).toBe(m.entry.instructions.length);
    }
  });
});

function mixedScalar(): Module {
  const b = new ModuleBuilder('s');
  const add = b.computation('add', (c) => c.add(c.parameter(scalar('f64')), c.parameter(scalar('f64'))));
  b.entry('main', (c) => c.reduce(c.sine(c.parameter(array('f64', [3]))), c.constantScalar('f64', 0), [0], add));
  return b.build();
}
