// fromOnnx: an ONNX model as a function of its weights and inputs, for tracing, jit and
// grad: `apply(params, inputs)` inlines the imported module into the caller's graph, so
// fine-tuning an ONNX model is valueAndGrad over `params` like any traced function.
import type { ArrayShape } from '../../../ir/shape.js';
import type { DType } from '../../../runtime/core/dtype.js';
import type { OnnxOptions } from '../../api/types.js';
import { asKilnError } from '../../api/compile.js';
import { inline } from './emit.js';
import { arrayOfLiteral } from '../../io/typed_arrays.js';
import { dataNode } from './node.js';
import { Tensor } from './tensor.js';

export interface OnnxFunction {
  /** Each floating-point initializer, by its ONNX name. */
  params: Record<string, Tensor>;
  /** Each graph input's shape and dtype, by name (symbolic dims bound by the options). */
  inputs: Record<string, { shape: number[]; dtype: DType }>;
  /** The graph's output names, in order. */
  outputs: string[];
  /** The model on these weights and inputs: its outputs by name. Traceable and differentiable. */
  apply(params: Readonly<Record<string, Tensor>>, inputs: Readonly<Record<string, Tensor>>): Record<string, Tensor>;
}

/** Imports an ONNX model's bytes (as `compile` does; `dims`/`shapes` bind symbolic dims). */
export async function fromOnnx(bytes: Uint8Array, options: OnnxOptions & { name?: string } = {}): Promise<OnnxFunction> {
  try {
    const [{ importOnnx }, { verified }] = await Promise.all([import('../onnx/import.js'), import('../../verified.js')]);
    const name = options.name ?? '<model>';
    const imported = importOnnx(bytes, name, { shapes: options.shapes, dims: options.dims, weightsAsParameters: true });
    const module = verified(imported.module, name);
    const params = Object.fromEntries(imported.weights.map((w) => [w.name, new Tensor(dataNode(w.value.shape, arrayOfLiteral(w.value)))]));
    const graphInputs = imported.inputs.slice(0, imported.inputs.length - imported.weights.length);
    const shapes = module.entry.params.map((p) => p.shape as ArrayShape);
    const inputs = Object.fromEntries(graphInputs.map((n, i) => [n, { shape: [...shapes[i].dims], dtype: shapes[i].dtype as DType }]));
    const apply = (ps: Readonly<Record<string, Tensor>>, xs: Readonly<Record<string, Tensor>>): Record<string, Tensor> => {
      const args = imported.inputs.map((n, i) => {
        const t = i < graphInputs.length ? xs[n] : ps[n];
        if (!(t instanceof Tensor)) throw new Error(`kiln: ${name}: ${i < graphInputs.length ? 'input' : 'parameter'} '${n}' is missing`);
        const want = shapes[i];
        if (t.dtype !== want.dtype || t.shape.join() !== want.dims.join())
          throw new Error(`kiln: ${name}: '${n}' must be ${want.dtype}[${want.dims}], got ${t.dtype}[${t.shape}]`);
        return t.node;
      });
      const outs = inline(module, args);
      return Object.fromEntries(imported.outputs.map((n, i) => [n, new Tensor(outs[i])]));
    };
    return { params, inputs, outputs: imported.outputs, apply };
  } catch (e) {
    throw await asKilnError(e);
  }
}
