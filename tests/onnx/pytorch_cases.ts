// The models tests/onnx/pytorch/export.py writes, with how each is imported: shared by
// tests/onnx/pytorch.test.ts (held to PyTorch on every backend) and
// tests/cuda/nvcc_conformance.test.ts (their CUDA through nvcc).
import type { ImportOptions } from '../../compiler/frontends/onnx/import.js';
import type { ArrayLiteral } from '../../ir/literal.js';

/** Per model: how to bind its dims, and the inputs to run (batch sizes for LeNet-5). */
export const PYTORCH_CASES: readonly { model: string; opts?: ImportOptions }[] = [
  { model: 'softmax_regression' },
  { model: 'mlp' },
  { model: 'lenet5_b1' },
  { model: 'lenet5_b64' },
  { model: 'resnet_folded' },
  { model: 'resnet_batchnorm' },
  { model: 'mobilenet_block' },
  { model: 'transformer_layer' },
  { model: 'gru' },
  { model: 'mlp_dynamic_batch', opts: { dims: { batch: 5 } } },
];

/** Relative tolerance against PyTorch, with an absolute floor for values near zero. */
export const RTOL = 1e-4, ATOL = 1e-5;

/** Worst (|got − want| − ATOL) / |want| over the elements, and its index. */
export function worstError(got: ArrayLiteral, want: ArrayLiteral): { rel: number; at: number } {
  let rel = 0, at = -1;
  for (let i = 0; i < want.data.length; i++) {
    const a = Number(got.data[i]), b = Number(want.data[i]);
    const r = (Math.abs(a - b) - ATOL) / Math.abs(b);
    if (!(r <= rel)) { rel = r; at = i; }
  }
  return { rel, at };
}

