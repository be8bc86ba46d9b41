// How many inputs and outputs each op of the table takes, which element types it accepts
// and which inputs must share one: ONNX's operator schemas (opsets 1-17) as data, checked
// for every node before its lowering runs, so that a lowering never reads an input that is
// not there (a TypeError, which is a kiln bug) and never sees types its op does not define.
// A column of the op table kept in its own file so the table's families stay one file each;
// tests/onnx/arity.test.ts checks that every op of ONNX_OPS has a row.

export interface Arity {
  /** Fewest and most inputs (listed inputs, optional ones may be ''); the first `min` are required. */
  readonly inputs: readonly [number, number];
  /** Fewest and most outputs. */
  readonly outputs: readonly [number, number];
  /** Input 0 must be a floating-point tensor (ONNX's T is float16/float/double/bfloat16 only). */
  readonly float?: true;
  /** Inputs that ONNX types with one T: they must have the same element type. */
  readonly same?: readonly number[] | 'all';
  /** The least rank input 0 may have (N, C and at least one spatial dim for pooling and convolution). */
  readonly minRank?: number;
}

const MANY = Infinity;
const row = (inputs: [number, number], outputs: [number, number] = [1, 1], extra: Partial<Arity> = {}): Arity => ({ inputs, outputs, ...extra });
const unary = row([1, 1]);
const unaryFloat = row([1, 1], [1, 1], { float: true });
const binary = row([2, 2], [1, 1], { same: [0, 1] });
const variadic = row([1, MANY], [1, 1], { same: 'all' });
const reduce = row([1, 2]); // axes became an input (ReduceSum at 13, the others at 18)
const spatial = (inputs: [number, number], outputs: [number, number] = [1, 1], extra: Partial<Arity> = {}) =>
  row(inputs, outputs, { float: true, minRank: 3, ...extra });

export const ARITY: Readonly<Record<string, Arity>> = {
  // elementwise
  Add: binary, Sub: binary, Mul: binary, Div: binary, Mod: binary, Pow: row([2, 2]),
  Neg: unary, Abs: unary, Sign: unary, Not: unary, Identity: unary, Erf: unary,
  Sqrt: unaryFloat, Exp: unaryFloat, Log: unaryFloat, Reciprocal: unaryFloat, Floor: unaryFloat, Ceil: unaryFloat,
  Round: unaryFloat, Sin: unaryFloat, Cos: unaryFloat, Tan: unaryFloat, Asin: unaryFloat, Acos: unaryFloat,
  Atan: unaryFloat, Sinh: unaryFloat, Cosh: unaryFloat, Asinh: unaryFloat, Acosh: unaryFloat, Atanh: unaryFloat,
  IsNaN: unaryFloat, IsInf: unaryFloat,
  Clip: row([1, 3], [1, 1], { same: [0, 1, 2] }),
  Max: variadic, Min: variadic, Sum: variadic, Mean: row([1, MANY], [1, 1], { same: 'all', float: true }),
  Equal: binary, Less: binary, Greater: binary, LessOrEqual: binary, GreaterOrEqual: binary,
  And: binary, Or: binary, Xor: binary, BitShift: binary,
  Where: row([3, 3], [1, 1], { same: [1, 2] }),
  Cast: unary, CastLike: row([2, 2]),
  // activations
  Relu: unary, LeakyRelu: unaryFloat, PRelu: binary, ThresholdedRelu: unaryFloat, Elu: unaryFloat, Selu: unaryFloat,
  Celu: unaryFloat, Sigmoid: unaryFloat, Tanh: unaryFloat, HardSigmoid: unaryFloat, HardSwish: unaryFloat,
  Softplus: unaryFloat, Softsign: unaryFloat, Shrink: unary,
  // shapes and data movement
  Constant: row([0, 0]), Shape: unary, Size: unary, Reshape: row([1, 2]), Flatten: unary,
  Squeeze: row([1, 2]), Unsqueeze: row([1, 2]), Transpose: unary, Concat: variadic,
  Split: row([1, 2], [1, MANY]), Slice: row([1, 5]), Gather: row([2, 2]), GatherElements: row([2, 2]), GatherND: row([2, 2]),
  Expand: row([2, 2]), Tile: row([2, 3]), Pad: row([1, 4]), ConstantOfShape: unary, Range: row([3, 3], [1, 1], { same: 'all' }),
  Dropout: row([1, 3], [1, 2]), DepthToSpace: row([1, 1], [1, 1], { minRank: 4 }), SpaceToDepth: row([1, 1], [1, 1], { minRank: 4 }),
  Trilu: row([1, 2]), OneHot: row([3, 3]),
  ScatterElements: row([3, 3], [1, 1], { same: [0, 2] }), Scatter: row([3, 3], [1, 1], { same: [0, 2] }), ScatterND: row([3, 3], [1, 1], { same: [0, 2] }),
  // reductions
  ReduceSum: reduce, ReduceMean: reduce, ReduceMax: reduce, ReduceMin: reduce, ReduceProd: reduce, ReduceL1: reduce,
  ReduceL2: reduce, ReduceSumSquare: reduce, ReduceLogSum: reduce, ReduceLogSumExp: reduce,
  ArgMax: unary, ArgMin: unary, Softmax: unaryFloat, LogSoftmax: unaryFloat, Hardmax: unaryFloat,
  // linear algebra
  MatMul: binary, MatMulInteger: row([2, 4]), Gemm: row([2, 3], [1, 1], { same: [0, 1, 2] }), Einsum: variadic,
  TopK: row([1, 2], [2, 2]), CumSum: row([2, 2]),
  // neural networks
  Conv: spatial([2, 3], [1, 1], { same: [0, 1, 2] }), ConvTranspose: spatial([2, 3], [1, 1], { same: [0, 1, 2] }),
  MaxPool: row([1, 1], [1, 2], { minRank: 3 }), AveragePool: spatial([1, 1]), LpPool: spatial([1, 1]),
  GlobalAveragePool: spatial([1, 1]), GlobalMaxPool: spatial([1, 1]), GlobalLpPool: spatial([1, 1]),
  BatchNormalization: row([5, 5], [1, 5], { float: true, minRank: 2 }), InstanceNormalization: spatial([3, 3], [1, 1], { same: [0, 1, 2] }),
  LayerNormalization: row([2, 3], [1, 3], { float: true }), LpNormalization: unaryFloat, LRN: spatial([1, 1]),
  Resize: row([1, 4]), Upsample: row([1, 2]),
  RNN: row([3, 6], [0, 2], { float: true }), GRU: row([3, 6], [0, 2], { float: true }), LSTM: row([3, 8], [0, 3], { float: true }),
  // losses and quantisation
  NegativeLogLikelihoodLoss: row([2, 3]), SoftmaxCrossEntropyLoss: row([2, 3], [1, 2]),
  QuantizeLinear: row([2, 3]), DequantizeLinear: row([2, 3]), DynamicQuantizeLinear: row([1, 1], [3, 3], { float: true }),
  // control flow: If's one input is its condition. Loop's M and cond may both be '', and opset 8's Scan
  // starts with an optional sequence_lens: none of their inputs is required here (their lowerings check).
  If: row([1, 1], [1, MANY]), Loop: row([0, MANY], [1, MANY]), Scan: row([0, MANY], [1, MANY]),
};
