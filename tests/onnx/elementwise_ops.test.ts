// Elementwise and activation ops on hand-built one-node models, for the semantics ONNX's
// backend tests barely exercise: integer division and modulo signs, mixed-type Pow, Cast
// truncation, pre-opset-7 broadcasting and attribute-style Clip.
import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import { ModelProtoSchema } from '../../compiler/frontends/onnx/proto/onnx_pb.js';
import type { DType } from '../../ir/dtype.js';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import { array } from '../../ir/shape.js';

const ONNX_TYPE: Partial<Record<DType, number>> = { f32: 1, u8: 2, s8: 3, s32: 6, s64: 7, pred: 9, f64: 11 };

interface Tensor { dtype: DType; dims: number[]; values: (number | bigint | boolean)[] }
type Attr = number | string | { f: number };

const t = (dtype: DType, dims: number[], values: Tensor['values']): Tensor => ({ dtype, dims, values });

/** An ONNX attribute: integers as INT, strings as STRING, `{ f }` as FLOAT. */
function attribute(name: string, v: Attr) {
  if (typeof v === 'number') return { name, type: 2, i: BigInt(v) };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  return { name, type: 1, f: v.f };
}

function valueInfo(name: string, x?: Tensor) {
  const tensorType = x
    ? { elemType: ONNX_TYPE[x.dtype], shape: { dim: x.dims.map((d) => ({ value: { case: 'dimValue', value: BigInt(d) } })) } }
    : { elemType: 1 };
  return { name, type: { value: { case: 'tensorType', value: tensorType } } };
}

/** Runs one node of `opType` on the inputs (all graph inputs) and returns its output. */
function run(opType: string, inputs: Tensor[], attrs: Record<string, Attr> = {}, opset = 17): ArrayLiteral {
  const names = inputs.map((_, i) => `x${i}`);
  const bytes = toBinary(ModelProtoSchema, create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [{ domain: '', version: BigInt(opset) }],
    graph: {
      name: 'g',
      node: [{ name: 'n', opType, input: names, output: ['y'], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) }],
      input: inputs.map((x, i) => valueInfo(names[i], x)),
      output: [valueInfo('y')],
    },
  } as never));
  const m = importOnnx(bytes);
  const args = inputs.map((x) => arrayLiteral(array(x.dtype, x.dims), x.values));
  return interpret(m.module, args) as ArrayLiteral;
}

const values = (x: ArrayLiteral) => Array.from(x.data as ArrayLike<number | bigint>, Number);

describe('ONNX elementwise ops', () => {
  it('integer Div truncates toward zero, like C', () => {
    expect(values(run('Div', [t('s32', [4], [7, -7, 7, -7]), t('s32', [4], [2, 2, -2, -2])]))).toEqual([3, -3, -3, 3]);
  });

  it('Mod takes the divisor sign by default and the dividend sign with fmod=1', () => {
    const x = t('s32', [4], [7, -7, 7, -7]), y = t('s32', [4], [3, 3, -3, -3]);
    expect(values(run('Mod', [x, y]))).toEqual([1, 2, -2, -1]);
    expect(values(run('Mod', [x, y], { fmod: 1 }))).toEqual([1, -1, 1, -1]);
  });

  it('Pow keeps the base type when the exponent type differs', () => {
    const out = run('Pow', [t('s32', [3], [1, 2, 3]), t('f32', [3], [4, 5, 0.5])]);
    expect(out.shape.dtype).toBe('s32');
    expect(values(out)).toEqual([1, 32, 1]);
  });

  it('Cast truncates floats toward zero and maps non-zero to true', () => {
    const x = t('f32', [4], [1.7, -1.7, 0, 0.25]);
    expect(values(run('Cast', [x], { to: 6 }))).toEqual([1, -1, 0, 0]);
    expect(values(run('Cast', [x], { to: 9 }))).toEqual([1, 1, 0, 1]);
  });

  it('Round rounds halves to even', () => {
    expect(values(run('Round', [t('f32', [5], [0.5, 1.5, 2.5, -0.5, -1.5])]))).toEqual([0, 2, 2, -0, -2]);
  });

  it('IsInf honours detect_negative and detect_positive', () => {
    const x = t('f32', [3], [Infinity, -Infinity, 1]);
    expect(values(run('IsInf', [x]))).toEqual([1, 1, 0]);
    expect(values(run('IsInf', [x], { detect_positive: 0 }))).toEqual([0, 1, 0]);
    expect(values(run('IsInf', [x], { detect_negative: 0 }))).toEqual([1, 0, 0]);
  });

  it('Atan has no HLO opcode and goes through atan2', () => {
    expect(values(run('Atan', [t('f64', [2], [1, -1])]))).toEqual([Math.PI / 4, -Math.PI / 4]);
  });

  it('Mean averages inputs broadcast together', () => {
    expect(values(run('Mean', [t('f32', [2], [1, 3]), t('f32', [1], [5])]))).toEqual([3, 4]);
  });

  it('opset 6 Add with broadcast=1 aligns the second input at axis', () => {
    const out = run('Add', [t('f32', [2, 3], [0, 0, 0, 0, 0, 0]), t('f32', [2], [1, 2])], { broadcast: 1, axis: 0 }, 6);
    expect(values(out)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('Clip reads min/max attributes before opset 11 and inputs after', () => {
    const x = t('f32', [3], [-5, 0, 5]);
    expect(values(run('Clip', [x], { min: { f: -1 }, max: { f: 1 } }, 6))).toEqual([-1, 0, 1]);
    expect(values(run('Clip', [x, t('f32', [], [-2]), t('f32', [], [2])]))).toEqual([-2, 0, 2]);
  });
});

describe('ONNX activation ops', () => {
  it('PRelu before opset 7 applies a per-channel slope along axis 1', () => {
    const x = t('f32', [1, 2, 2], [-1, 1, -1, 1]);
    expect(values(run('PRelu', [x, t('f32', [2], [0.5, 2])], {}, 6))).toEqual([-0.5, 1, -2, 1]);
  });

  it('Selu, ThresholdedRelu and Shrink follow their piecewise definitions', () => {
    const x = t('f64', [3], [-1, 0.5, 2]);
    const selu = values(run('Selu', [x], { alpha: { f: 2 }, gamma: { f: 3 } }));
    expect(selu[0]).toBeCloseTo(3 * 2 * (Math.exp(-1) - 1), 12);
    expect(selu.slice(1)).toEqual([1.5, 6]);
    expect(values(run('ThresholdedRelu', [x], { alpha: { f: 1 } }))).toEqual([0, 0, 2]);
    expect(values(run('Shrink', [x], { lambd: { f: 0.75 }, bias: { f: 0.5 } }))).toEqual([-0.5, 0, 1.5]);
  });

  it('Softplus does not overflow for large inputs', () => {
    const out = values(run('Softplus', [t('f32', [2], [100, -100])]));
    expect(out[0]).toBeCloseTo(100, 4);
    expect(out[1]).toBeGreaterThanOrEqual(0);
  });
});
