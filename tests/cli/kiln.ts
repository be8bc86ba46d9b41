// Helpers for the CLI tests: the real `kiln` in a process of its own (bin/kiln.mjs, the
// built dist/ as users run it), small ONNX models built here, and .npy files.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type NodeProto, type TensorProto, type ValueInfoProto } from '../../compiler/frontends/onnx/proto/onnx_pb.js';
import { readNpy, writeNpy } from '../../compiler/io/npy.js';
import type { DType } from '../../ir/dtype.js';
import { arrayLiteral, type ArrayLiteral } from '../../ir/literal.js';
import { array } from '../../ir/shape.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const KILN = join(ROOT, 'bin', 'kiln.mjs');

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user does, from `cwd` (default the repository). */
export function kiln(args: readonly string[], cwd = ROOT): Ran {
  const r = spawnSync(process.execPath, [KILN, ...args], { cwd, encoding: 'utf8', timeout: 100_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ELEM_TYPE: Partial<Record<DType, number>> = { f32: 1, s64: 7 };

/** A graph input or output: dims are sizes or symbol names. */
export function tensor(name: string, dtype: DType, dims: (number | string)[]): ValueInfoProto {
  const dim = dims.map((d) => ({ value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } }));
  return { name, type: { value: { case: 'tensorType', value: { elemType: ELEM_TYPE[dtype], shape: { dim } } } } } as unknown as ValueInfoProto;
}

/** An f32 initializer. */
export const weight = (name: string, dims: number[], values: number[]): Partial<TensorProto> =>
  ({ name, dims: dims.map(BigInt), dataType: 1, floatData: values });

/** An opset-13 ONNX model of `nodes`, as bytes. */
export function onnxBytes(nodes: Partial<NodeProto>[], inputs: ValueInfoProto[], outputs: ValueInfoProto[], initializer: Partial<TensorProto>[] = []): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, {
    irVersion: 8n, opsetImport: [{ domain: '', version: 13n }],
    graph: { name: 'g', node: nodes as NodeProto[], input: inputs, output: outputs, initializer: initializer as TensorProto[] },
  } as never));
}

/** Writes an opset-13 ONNX model of `nodes` to `path`. */
export function writeOnnx(
  path: string, nodes: Partial<NodeProto>[], inputs: ValueInfoProto[], outputs: ValueInfoProto[], initializer: Partial<TensorProto>[] = [],
): string {
  writeFileSync(path, onnxBytes(nodes, inputs, outputs, initializer));
  return path;
}

export function writeArray(path: string, dtype: DType, dims: number[], values: number[]): string {
  writeFileSync(path, writeNpy(arrayLiteral(array(dtype, dims), dtype === 's64' ? values.map(BigInt) : values)));
  return path;
}

export const readArray = (path: string): ArrayLiteral => readNpy(readFileSync(path), path);
