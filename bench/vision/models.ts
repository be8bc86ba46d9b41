// The vision cases as the harness's BenchModels: each runner loads the exported
// model.onnx and runs it on the exported input, and PyTorch's output is the reference.
import { join } from 'node:path';
import { readNpyFile } from '../../compiler/io/npy.js';
import { exportedModels } from '../../tests/onnx/pytorch/exported.js';
import type { BenchModel } from '../runner.js';
import { selectCases, VISION_EXPORT_SCRIPT } from './cases.js';

/** The exported folder: export.py's output, exported now unless cached (tests/onnx/pytorch/exported.ts). */
export const visionDir = (): string => exportedModels(VISION_EXPORT_SCRIPT);

export function visionModels(dir: string, only: readonly string[]): BenchModel[] {
  return selectCases(only).map(({ name }) => {
    const d = join(dir, name);
    const dims = (file: string) => [...readNpyFile(join(d, file)).shape.dims];
    return {
      name,
      family: 'vision',
      params: {},
      onnx: join(d, 'model.onnx'),
      inputs: [{ name: 'input', dims: dims('input_0.npy') }],
      outputs: [{ name: 'output', dims: dims('output_0.npy') }],
      inputFiles: [join(d, 'input_0.npy')],
      weights: new Map(),
    };
  });
}

/** PyTorch's outputs, as a runner's would be, for the cross-check. */
export function pytorchOutputs(dir: string, model: BenchModel): Float32Array[] {
  return [Float32Array.from(readNpyFile(join(dir, model.name, 'output_0.npy')).data as Float64Array)];
}
