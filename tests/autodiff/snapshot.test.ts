// What the gradient HLO looks like: small enough to read, so it documents the rules'
// output (no transposes around dots, one shared reducer, scalars broadcast only where
// an elementwise op needs an array, no zeros for branches without a cotangent).
import { expect, it } from 'vitest';
import { ModuleBuilder } from '../../ir/builder.js';
import { printModule } from '../../ir/print.js';
import { array, scalar } from '../../ir/shape.js';
import { grad } from '../../passes/autodiff/index.js';

it('grad of sum(tanh(x·w)) with respect to w', () => {
  const b = new ModuleBuilder('layer');
  const add = b.computation('add', (c) => c.add(c.parameter(scalar('f32')), c.parameter(scalar('f32'))));
  b.entry('main', (c) => {
    const x = c.parameter(array('f32', [2, 3]), 'x'), w = c.parameter(array('f32', [3, 4]), 'w');
    return c.reduce(c.tanh(c.dot(x, w)), c.constantScalar('f32', 0), [0, 1], add);
  });
  const text = printModule(grad(b.build(), { wrt: [1] }), { percent: false, operandShapes: false, signatures: false });
  expect(text).toMatchInlineSnapshot(`
    "HloModule layer_grad

    add {
      p0 = f32[] parameter(0)
      p1 = f32[] parameter(1)
      ROOT add = f32[] add(p0, p1)
    }

    ENTRY main {
      x = f32[2,3]{1,0} parameter(0)
      w = f32[3,4]{1,0} parameter(1)
      dot = f32[2,4]{1,0} dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
      tanh = f32[2,4]{1,0} tanh(dot)
      constant = f32[] constant(0)
      reduce = f32[] reduce(tanh, constant), dimensions={0,1}, to_apply=add
      constant.1 = f32[] constant(1)
      broadcast = f32[2,4]{1,0} broadcast(constant.1)
      multiply = f32[2,4]{1,0} multiply(tanh, tanh)
      subtract = f32[2,4]{1,0} subtract(broadcast, multiply)
      dot.1 = f32[3,4]{1,0} dot(x, subtract), lhs_contracting_dims={0}, rhs_contracting_dims={0}
      ROOT tuple = (f32[], f32[3,4]{1,0}) tuple(reduce, dot.1)
    }
    "
  `);
});
