// Reading ONNX files: a model file (and its external data, from its folder only) and
// TensorProto files (ONNX's test data). The node: half of the ONNX frontend (model.ts
// decodes bytes and needs none).
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import type { ArrayLiteral } from '../../../ir/literal.js';
import { fileKind, withRegularFile } from '../../io/regular_file.js';
import { OnnxError } from './errors.js';
import { importModel, type ImportedModel, type ImportOptions } from './import.js';
import { decodeModel, MAX_MODEL_BYTES, type LoadedModel } from './model.js';
import { TensorProtoSchema, type TensorProto } from './proto/onnx_pb.js';
import { MAX_TENSOR_ELEMENTS, tensorToLiteral } from './tensor.js';

export function importOnnxFile(path: string, opts: ImportOptions = {}): ImportedModel {
  return importModel(readModel(path), opts);
}

export function readModel(path: string): LoadedModel {
  const bytes = readRegularFile(path, (msg) => new OnnxError(`${path}: ${msg}`), MAX_MODEL_BYTES);
  const dir = dirname(path);
  return { ...decodeModel(bytes, path, dir), readExternal: (t, where, location) => readExternal(t, where, location, dir) };
}

/**
 * `length` bytes at `offset` of a regular file (all of it when no range is given), at most
 * `maxBytes`: compiler/io/regular_file.ts refuses FIFOs, devices and folders and reads the
 * range alone, so a file over Node's 2 GiB readFile limit is never loaded whole.
 */
function readRegularFile(path: string, err: (msg: string) => Error, maxBytes: number, range?: { offset: number; length: number }): Uint8Array {
  const fail = (msg: string): never => { throw err(msg); };
  return withRegularFile(path, fail, (f) => {
    const { offset, length } = range ?? { offset: 0, length: f.size };
    if (offset + length > f.size) fail(`range ${offset}+${length} is outside the file (${f.size} bytes)`);
    if (length > maxBytes) fail(`${length} bytes is more than kiln reads (${maxBytes})`);
    return f.read(offset, length);
  });
}

/** A TensorProto file (ONNX's test data `input_0.pb`). */
export function readTensorFile(path: string): ArrayLiteral {
  const bytes = readRegularFile(path, (msg) => new OnnxError(`${path}: ${msg}`), MAX_MODEL_BYTES);
  let t: TensorProto;
  try {
    t = fromBinary(TensorProtoSchema, bytes);
  } catch (e) {
    throw new OnnxError(`${path}: not a TensorProto (${(e as Error).message})`);
  }
  return tensorToLiteral(t, path);
}

/** External data at `location`, which must stay inside `dir` (no absolute paths, no `..` out of it, no symlinks out of it). */
function readExternal(t: TensorProto, where: string, location: string, dir: string): Uint8Array {
  const info = new Map(t.externalData.map((e) => [e.key, e.value]));
  if (isAbsolute(location)) throw new OnnxError(`${where}: external data path '${location}' is absolute`);
  const root = realpathSync(dir);
  const path = resolve(root, location);
  const escapes = (p: string) => {
    const rel = relative(root, p);
    return rel.startsWith('..') || isAbsolute(rel);
  };
  if (escapes(path)) throw new OnnxError(`${where}: external data path '${location}' leaves the model's folder`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new OnnxError(`${where}: external data file '${location}' does not exist`);
  }
  if (escapes(real)) throw new OnnxError(`${where}: external data path '${location}' leaves the model's folder`);
  const st = statSync(real);
  if (!st.isFile()) throw new OnnxError(`${where}: external data '${location}' is not a regular file (${fileKind(st)})`);
  const size = st.size;
  const offset = Number(info.get('offset') ?? 0);
  const length = info.has('length') ? Number(info.get('length')) : size - offset;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size)
    throw new OnnxError(`${where}: external data range ${offset}+${length} is outside '${location}' (${size} bytes)`);
  // A tensor is at most MAX_TENSOR_ELEMENTS of 8 bytes; anything longer cannot be the tensor it claims to be.
  return readRegularFile(real, (msg) => new OnnxError(`${where}: external data '${location}': ${msg}`), 8 * MAX_TENSOR_ELEMENTS, { offset, length });
}
