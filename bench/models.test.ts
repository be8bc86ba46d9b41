// The bench's models must stay valid input for kiln (its ONNX frontend is the oracle
// of what a well-formed model is here) and byte-for-byte reproducible. No timing here.
import { describe, expect, it } from 'vitest';
import { importOnnx } from '../compiler/frontends/onnx/import.js';
import { modelInputs, onnxModels } from './models.js';

describe('bench models', () => {
  const models = onnxModels();

  it('are the same bytes every time', () => {
    const again = onnxModels();
    models.forEach(({ bytes }, i) => expect(Buffer.from(bytes).equals(Buffer.from(again[i]!.bytes))).toBe(true));
    expect(modelInputs(models[0]!.model)).toEqual(modelInputs(models[0]!.model));
  });

  it.each(models.map((m) => [m.model.name, m] as const))('%s imports into kiln with its declared inputs and outputs', (_, { model, bytes }) => {
    const imported = importOnnx(bytes, model.name);
    expect(imported.inputs).toEqual(model.inputs.map((t) => t.name));
    expect(imported.outputs).toEqual(model.outputs.map((t) => t.name));
  });
});
