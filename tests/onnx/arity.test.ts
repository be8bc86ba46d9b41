// The arity table (compiler/frontends/onnx/ops/arity.ts) covers the op table, and its
// checks name the node and say what the op takes.
import { describe, expect, it } from 'vitest';
import { OnnxError } from '../../compiler/frontends/onnx/errors.js';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { ARITY } from '../../compiler/frontends/onnx/ops/arity.js';
import { ONNX_OPS } from '../../compiler/frontends/onnx/ops/index.js';
import { onnxModel, valueInfo } from '../hostile/onnx_cases.js';

function rejection(bytes: Uint8Array): string {
  try {
    importOnnx(bytes, 'm.onnx');
  } catch (e) {
    if (e instanceof OnnxError) return e.message;
    throw e;
  }
  throw new Error('expected a rejection');
}
const node = (opType: string, input: string[], output = ['y']) => ({ name: 'n', opType, input, output });

describe('ONNX arity table', () => {
  it('has a row for every op kiln imports, and none for ops it does not', () => {
    expect(Object.keys(ONNX_OPS).filter((op) => !Object.hasOwn(ARITY, op))).toEqual([]);
    expect(Object.keys(ARITY).filter((op) => !Object.hasOwn(ONNX_OPS, op))).toEqual([]);
  });
  it('rows are well-formed ranges', () => {
    for (const [op, a] of Object.entries(ARITY)) {
      expect(a.inputs[0], op).toBeLessThanOrEqual(a.inputs[1]);
      expect(a.outputs[0], op).toBeLessThanOrEqual(a.outputs[1]);
    }
  });
  it('too few, too many, a missing required input and no output are refused naming the node', () => {
    expect(rejection(onnxModel({ nodes: [node('Concat', [])] }))).toBe("m.onnx: node 'n' (Concat, opset 13): takes at least 1 input(s), the node has 0");
    expect(rejection(onnxModel({ nodes: [node('Add', ['x', 'x', 'x'])] }))).toMatch(/\(Add, opset 13\): takes 2 input\(s\), the node has 3/);
    expect(rejection(onnxModel({ nodes: [node('Where', ['', 'x', 'x'])] }))).toMatch(/input 0 is required/);
    expect(rejection(onnxModel({ nodes: [node('Relu', ['x'], [])], outputs: ['x'] }))).toMatch(/has 1 output\(s\), the node has 0/);
  });
  it('element types and ranks an op does not define', () => {
    expect(rejection(onnxModel({ nodes: [node('Atan', ['x'])], inputs: [valueInfo('x', [2], 7)] })))
      .toMatch(/input 0 is s64; Atan is defined for floating-point tensors only/);
    expect(rejection(onnxModel({ nodes: [node('Add', ['x', 'z'])], inputs: [valueInfo('x', [2]), valueInfo('z', [2], 11)] })))
      .toMatch(/inputs 0 and 1 are f32 and f64; Add needs one element type/);
    expect(rejection(onnxModel({ nodes: [node('GlobalAveragePool', ['x'])], inputs: [valueInfo('x', [5])] })))
      .toMatch(/input 0 has rank 1 \(f32\[5\]\); GlobalAveragePool needs rank 3 or more/);
  });
  it('a well-formed node still imports', () => {
    const ok = importOnnx(onnxModel({ nodes: [node('Sum', ['x', 'x', 'x'])] }));
    expect(ok.module.entry.root.opcode).toBe('add');
  });
});
