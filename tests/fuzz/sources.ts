// What the fuzz test mutates: small real models, read in a fixed order so a seed gives
// the same mutants everywhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { hloFiles } from '../../compiler/corpus.js';
import { ModelProtoSchema } from '../../compiler/frontends/onnx/proto/onnx_pb.js';
import { ONNX_TESTDATA } from '../../compiler/onnx_backend_tests.js';
import { HLO_CORPUS } from '../corpus/paths.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Small ONNX sources: ONNX's node tests where installed, and models built here. */
export function onnxSources(): Uint8Array[] {
  const out: Uint8Array[] = [builtModel()];
  const node = join(ONNX_TESTDATA, 'node');
  if (!existsSync(node)) return out;
  for (const dir of readdirSync(node).sort()) {
    const path = join(node, dir, 'model.onnx');
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    if (bytes.length <= 2048) out.push(new Uint8Array(bytes));
  }
  return out;
}

/** Conv → Relu → Gemm over an initializer: a model with attributes, weights and several ops. */
function builtModel(): Uint8Array {
  const vi = (name: string, dims: number[]) => ({
    name, type: { value: { case: 'tensorType', value: { elemType: 1, shape: { dim: dims.map((d) => ({ value: { case: 'dimValue', value: BigInt(d) } })) } } } },
  });
  const floats = (n: number) => new Uint8Array(new Float32Array(n).map((_, i) => (i % 7) / 7 - 0.5).buffer);
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, {
    irVersion: 8n, opsetImport: [{ domain: '', version: 13n }],
    graph: {
      name: 'g',
      node: [
        { name: 'c', opType: 'Conv', input: ['x', 'w'], output: ['h'], attribute: [{ name: 'pads', type: 7, ints: [1n, 1n, 1n, 1n] }] },
        { name: 'r', opType: 'Relu', input: ['h'], output: ['a'] },
        { name: 'f', opType: 'Flatten', input: ['a'], output: ['v'] },
        { name: 'g', opType: 'Gemm', input: ['v', 'm'], output: ['y'], attribute: [{ name: 'transB', type: 2, i: 1n }] },
      ],
      input: [vi('x', [1, 1, 4, 4])], output: [vi('y', [1, 3])],
      initializer: [
        { name: 'w', dims: [2n, 1n, 3n, 3n], dataType: 1, rawData: floats(18) },
        { name: 'm', dims: [3n, 32n], dataType: 1, rawData: floats(96) },
      ],
    },
  } as never));
}

/** Small HLO sources: the examples and every 20th corpus module under 1.5 KB. */
export function hloSources(): string[] {
  const examples = ['mlp.hlo', 'lenet5.hlo'].map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8'));
  if (!existsSync(HLO_CORPUS)) return examples;
  const corpus = hloFiles(HLO_CORPUS).map((f) => readFileSync(join(HLO_CORPUS, f), 'utf8')).filter((t) => t.length <= 1500);
  return [...examples, ...corpus.filter((_, i) => i % 20 === 0)];
}
