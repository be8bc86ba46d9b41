// TopK onto a multi-operand HLO sort and the Scatter family onto HLO scatter, on the
// interpreter: ONNX's tie order (equal values keep the lower index first), k that must be
// known at compile time, and every scatter reduction (none, add, mul, max, min).
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { interpret } from '../../ir/interpret/index.js';
import type { Literal, TupleLiteral } from '../../ir/literal.js';
import { FLOAT, INT64, constant, f32, graph, model, node, opcodes, values, vi } from './build.js';

const outputs = (l: Literal): number[][] => (l as TupleLiteral).elements.map(values);

function topK(k: number, largest: number, x: number[]): number[][] {
  const m = importOnnx(model(graph('g', [constant('k', [k], [1], true), node('TopK', ['x', 'k'], ['v', 'i'], { largest })],
    [vi('x', FLOAT, [x.length])], [vi('v'), vi('i', INT64)]))).module;
  expect(opcodes(m).has('sort')).toBe(true);
  return outputs(interpret(m, [f32([x.length], x)]));
}

describe('ONNX TopK', () => {
  it('keeps the lower index first among equal values, largest and smallest', () => {
    expect(topK(3, 1, [3, 1, 3, 2, 3])).toEqual([[3, 3, 3], [0, 2, 4]]);
    expect(topK(3, 0, [2, 1, 5, 1, 2])).toEqual([[1, 1, 2], [1, 3, 0]]);
  });

  it('refuses a k known only at run time, naming the node', () => {
    const bytes = model(graph('g', [node('TopK', ['x', 'k'], ['v', 'i'], {}, 'top')],
      [vi('x', FLOAT, [4]), vi('k', INT64, [1])], [vi('v'), vi('i', INT64)]));
    expect(() => importOnnx(bytes, 'm.onnx')).toThrow(/m\.onnx: node 'top' \(TopK, opset 13\): input 1 \(k\) must be known at compile time/);
  });
});

describe('ONNX scatter reductions', () => {
  // data [1, 5, 3]; updates 4 and 2 both land on index 1, then 7 on index 0.
  const scatter = (op: 'ScatterElements' | 'ScatterND', reduction: string): number[] => {
    const idxDims = op === 'ScatterND' ? [3, 1] : [3];
    const m = importOnnx(model(graph('g', [
      constant('idx', [1, 1, 0], idxDims, true),
      node(op, ['data', 'idx', 'upd'], ['y'], { reduction }),
    ], [vi('data', FLOAT, [3]), vi('upd', FLOAT, [3])], [vi('y')]), 16)).module;
    expect(opcodes(m).has('scatter')).toBe(true);
    return values(interpret(m, [f32([3], [1, 5, 3]), f32([3], [4, 2, 7])]));
  };
  for (const op of ['ScatterElements', 'ScatterND'] as const)
    it(`${op} applies each reduction in update order`, () => {
      expect(scatter(op, 'add')).toEqual([8, 11, 3]);
      expect(scatter(op, 'mul')).toEqual([7, 40, 3]);
      expect(scatter(op, 'max')).toEqual([7, 5, 3]);
      expect(scatter(op, 'min')).toEqual([1, 2, 3]);
      expect(scatter(op, 'none')[0]).toBe(7); // duplicates under 'none' are unspecified in ONNX
    });
});
