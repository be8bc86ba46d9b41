// The models tests/onnx/pytorch/export.py writes, with how each is imported: shared by
// tests/onnx/pytorch.test.ts (held to PyTorch on every backend) and
// tests/cuda/nvcc_conformance.test.ts (their CUDA through nvcc).
import type { ImportOptions } from '../../compiler/frontends/onnx/import.js';

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
