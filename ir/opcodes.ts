// The opcode table: one row per HLO opcode kiln knows. A row gives the opcode's
// attribute schema (from which its attribute type is derived), how many operands it
// takes, and its family. Every other per-opcode table in kiln (shape inference, the
// interpreter, lowering) is a mapped type over `Opcode`, so adding a row here fails to
// compile until each of them handles it.
import { AttrsOf, Schema, opt, req } from './attrs.js';

export type Family =
  | 'unary' // elementwise, one operand
  | 'binary' // elementwise, two operands of one shape
  | 'structural' // moves data without arithmetic
  | 'compute' // dot, convolution, reductions...
  | 'control' // call, while, conditional, fusion
  | 'opaque'; // parsed, printed, verified by its written shape, not computed

/** Operand count: exact, or a [min, max] range (max Infinity for variadic). */
export type Arity = number | readonly [number, number];

interface Row<S extends Schema> {
  readonly schema: S;
  readonly arity: Arity;
  readonly family: Family;
}

const row = <S extends Schema>(family: Family, arity: Arity, schema: S): Row<S> => ({ family, arity, schema });
const ANY: Arity = [0, Infinity];
const unary = row('unary', 1, {});
const binary = row('binary', 2, {});
const opaque = row('opaque', ANY, {});
/** The later halves of an asynchronous op (`*-done`, `async-update`): at least one operand, the state. */
const opaqueDone = row('opaque', [1, Infinity], {});

const dotSchema = {
  lhs_batch_dims: opt('ints', []),
  lhs_contracting_dims: opt('ints', []),
  rhs_batch_dims: opt('ints', []),
  rhs_contracting_dims: opt('ints', []),
  operand_precision: opt('enums'),
  algorithm: opt('enum'),
} as const;

const windowed = { window: opt('window') } as const;

export const OPCODES = {
  parameter: row('structural', 0, { parameter_number: req('int') }),
  constant: row('structural', 0, { literal: req('literal') }),
  iota: row('structural', 0, { iota_dimension: req('int') }),

  abs: unary, negate: unary, exponential: unary, 'exponential-minus-one': unary, log: unary,
  'log-plus-one': unary, tanh: unary, logistic: unary, sqrt: unary, rsqrt: unary, cbrt: unary,
  sine: unary, cosine: unary, tan: unary, floor: unary, ceil: unary, 'round-nearest-afz': unary,
  'round-nearest-even': unary, sign: unary, not: unary, 'is-finite': unary, popcnt: unary, clz: unary,
  erf: unary, copy: unary, real: unary, imag: unary,
  acos: unary, acosh: unary, asin: unary, asinh: unary, atanh: unary, cosh: unary, sinh: unary,
  'reduce-precision': row('unary', 1, { exponent_bits: req('int'), mantissa_bits: req('int') }),

  add: binary, subtract: binary, multiply: binary, divide: binary, remainder: binary, power: binary,
  maximum: binary, minimum: binary, atan2: binary, and: binary, or: binary, xor: binary,
  'shift-left': binary, 'shift-right-arithmetic': binary, 'shift-right-logical': binary, complex: binary,

  compare: row('binary', 2, { direction: req('enum'), type: opt('enum') }),
  select: row('compute', 3, {}),
  clamp: row('compute', 3, {}),
  convert: row('unary', 1, {}),
  'bitcast-convert': row('structural', 1, {}),
  'stochastic-convert': row('opaque', 2, {}),

  // Old dumps broadcast scalars without `dimensions`; XLA reads that as `dimensions={}`.
  broadcast: row('structural', 1, { dimensions: opt('ints', []) }),
  reshape: row('structural', 1, { inferred_dimension: opt('int') }),
  'dynamic-reshape': row('opaque', ANY, {}),
  bitcast: row('structural', 1, {}),
  transpose: row('structural', 1, { dimensions: req('ints') }),
  slice: row('structural', 1, { slice: req('slice') }),
  'dynamic-slice': row('structural', [1, Infinity], { dynamic_slice_sizes: req('ints') }),
  'dynamic-update-slice': row('structural', [2, Infinity], {}),
  concatenate: row('structural', [1, Infinity], { dimensions: req('ints') }),
  pad: row('structural', 2, { padding: req('padding') }),
  reverse: row('structural', 1, { dimensions: req('ints') }),

  dot: row('compute', 2, dotSchema),
  convolution: row('compute', 2, {
    ...windowed,
    dim_labels: req('convDims'),
    feature_group_count: opt('int', 1),
    batch_group_count: opt('int', 1),
    operand_precision: opt('enums'),
  }),
  reduce: row('compute', [2, Infinity], { dimensions: req('ints'), to_apply: req('computation') }),
  'reduce-window': row('compute', [2, Infinity], { ...windowed, to_apply: req('computation') }),
  'select-and-scatter': row('compute', 3, { ...windowed, select: req('computation'), scatter: req('computation') }),
  gather: row('compute', 2, {
    offset_dims: req('ints'),
    collapsed_slice_dims: opt('ints', []),
    start_index_map: req('ints'),
    operand_batching_dims: opt('ints', []),
    start_indices_batching_dims: opt('ints', []),
    index_vector_dim: req('int'),
    slice_sizes: req('ints'),
    indices_are_sorted: opt('bool', false),
  }),
  scatter: row('compute', [3, Infinity], {
    update_window_dims: req('ints'),
    inserted_window_dims: opt('ints', []),
    scatter_dims_to_operand_dims: req('ints'),
    input_batching_dims: opt('ints', []),
    scatter_indices_batching_dims: opt('ints', []),
    index_vector_dim: req('int'),
    indices_are_sorted: opt('bool', false),
    unique_indices: opt('bool', false),
    to_apply: req('computation'),
  }),
  sort: row('compute', [1, Infinity], { dimensions: req('ints'), is_stable: opt('bool', false), to_apply: req('computation') }),
  map: row('compute', [1, Infinity], { dimensions: opt('ints'), to_apply: req('computation') }),
  rng: row('compute', 2, { distribution: req('enum') }),
  'rng-bit-generator': row('compute', 1, { algorithm: req('enum') }),

  tuple: row('structural', ANY, {}),
  'get-tuple-element': row('structural', 1, { index: req('int') }),
  call: row('control', ANY, { to_apply: req('computation') }),
  fusion: row('control', ANY, { kind: req('enum'), calls: req('computation') }),
  while: row('control', 1, { condition: req('computation'), body: req('computation') }),
  conditional: row('control', [1, Infinity], {
    branch_computations: opt('computations'),
    true_computation: opt('computation'),
    false_computation: opt('computation'),
  }),
  'custom-call': row('opaque', ANY, {
    custom_call_target: req('string'),
    to_apply: opt('computation'),
    called_computations: opt('computations'),
  }),

  // Parsed and kept so real dumps verify and round-trip; kiln computes none of them yet.
  'after-all': opaque, 'add-dependency': opaque, 'all-gather': opaque, 'all-gather-start': opaque,
  'all-gather-done': opaqueDone, 'all-reduce': opaque, 'all-reduce-start': opaque, 'all-reduce-done': opaqueDone,
  'all-to-all': opaque, 'ragged-all-to-all': opaque, 'reduce-scatter': opaque, 'collective-broadcast': opaque,
  'collective-permute': opaque, 'collective-permute-start': opaque, 'collective-permute-done': opaqueDone,
  'async-start': opaque, 'async-update': opaqueDone, 'async-done': opaqueDone, 'copy-start': opaque, 'copy-done': opaqueDone,
  send: opaque, 'send-done': opaqueDone, recv: opaque, 'recv-done': opaqueDone, infeed: opaque, outfeed: opaque,
  domain: opaque, 'opt-barrier': opaque, 'partition-id': opaque, 'replica-id': opaque,
  'get-dimension-size': opaque, 'set-dimension-size': opaque, 'rng-get-and-update-state': opaque,
  cholesky: opaque, 'triangular-solve': opaque, fft: opaque, topk: opaque, scan: opaque,
  'batch-norm-training': opaque, 'batch-norm-inference': opaque, 'batch-norm-grad': opaque,
  'ragged-dot': opaque, 'scaled-dot': opaque,
} as const;

export type Opcode = keyof typeof OPCODES;
export type OpSchema<K extends Opcode> = (typeof OPCODES)[K]['schema'];
export type OpAttrs<K extends Opcode> = AttrsOf<OpSchema<K>>;

export function isOpcode(s: string): s is Opcode {
  return Object.prototype.hasOwnProperty.call(OPCODES, s);
}

export const familyOf = (op: Opcode): Family => OPCODES[op].family;

/** Opcodes the interpreter and lowering treat as elementwise maps over their operands. */
export const isElementwise = (op: Opcode): boolean =>
  OPCODES[op].family === 'unary' || OPCODES[op].family === 'binary' || op === 'select' || op === 'clamp';
