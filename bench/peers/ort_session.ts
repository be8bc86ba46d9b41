// One model on an ONNX Runtime session, as both ORT peers run it (onnxruntime-web and
// onnxruntime-node share onnxruntime-common's API): inputs as float32 tensors by name,
// outputs read back in the model's order.
import type { BenchModel, Prepared } from '../runner.js';

type Ort = typeof import('onnxruntime-web');

export async function ortSession(ort: Ort, model: BenchModel & { onnx: string }, options: import('onnxruntime-web').InferenceSession.SessionOptions): Promise<Prepared> {
  const session = await ort.InferenceSession.create(model.onnx, options);
  return {
    async run(inputs) {
      const feeds: Record<string, import('onnxruntime-web').Tensor> = {};
      model.inputs.forEach((t, i) => (feeds[t.name] = new ort.Tensor('float32', inputs[i]!, t.dims)));
      const results = await session.run(feeds);
      // ort copies outputs out of its heap into fresh arrays, as kiln's runtime does.
      return model.outputs.map((t) => results[t.name]!.data as Float32Array);
    },
    dispose: () => session.release(),
  };
}
