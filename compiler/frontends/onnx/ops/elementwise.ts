// Elementwise ONNX ops with numpy-style (multidirectional) broadcasting.
import type { Instruction } from '../../../../ir/module.js';
import type { LowerCtx } from './types.js';
import { op } from './types.js';
import { broadcastAll } from './util.js';

type Bin = 'add' | 'subtract' | 'multiply' | 'divide';

const binary = (opcode: Bin) => op({
  opsets: [7, 17],
  attrs: {},
  lower: (ctx) => {
    const [x, y] = broadcastAll(ctx, [ctx.input(0), ctx.input(1)]);
    return [ctx.b.op(opcode, [x, y], {})];
  },
});

export const ELEMENTWISE_OPS = {
  Add: binary('add'),
  Sub: binary('subtract'),
  Mul: binary('multiply'),
  Div: binary('divide'),
  Relu: op({
    opsets: [6, 17],
    attrs: {},
    lower: (ctx) => {
      const x = ctx.input(0);
      return [ctx.b.maximum(x, zerosLike(ctx, x))];
    },
  }),
  Identity: op({ opsets: [1, 17], attrs: {}, lower: (ctx) => [ctx.input(0)] }),
};

function zerosLike(ctx: LowerCtx, x: Instruction): Instruction {
  const s = x.shape.kind === 'array' ? x.shape : ctx.fail('expected an array');
  return ctx.b.broadcast(ctx.b.constantScalar(s.dtype, 0), s.dims);
}
