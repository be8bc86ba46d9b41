// The ONNX op table: one entry per op type of the default domain. Each file holds one
// family; this object joins them explicitly (no registration by import side effect).
import type { OnnxOp } from './types.js';
import { ACTIVATION_OPS } from './activation.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { CONTROL_OPS } from './control.js';
import { LINALG_OPS } from './linalg.js';
import { LOOP_OPS } from './loop.js';
import { SCAN_OPS } from './scan.js';
import { LOSS_OPS } from './loss.js';
import { NN_OPS } from './nn.js';
import { QUANT_OPS } from './quant.js';
import { REDUCE_OPS } from './reduce.js';
import { RESIZE_OPS } from './resize.js';
import { RNN_OPS } from './rnn.js';
import { SHAPE_OPS } from './shape.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ONNX_OPS: Readonly<Record<string, OnnxOp<any>>> = {
  ...ELEMENTWISE_OPS,
  ...ACTIVATION_OPS,
  ...SHAPE_OPS,
  ...REDUCE_OPS,
  ...LINALG_OPS,
  ...NN_OPS,
  ...RESIZE_OPS,
  ...RNN_OPS,
  ...LOSS_OPS,
  ...QUANT_OPS,
  ...CONTROL_OPS,
  ...LOOP_OPS,
  ...SCAN_OPS,
};
