// Decoding an ONNX model: protobuf decoding (generated code from onnx.proto with
// @bufbuild/protobuf; see proto/README.md), then the checks that keep a malformed or
// hostile model from crashing, hanging or allocating without bound. Reading model files
// and their external data is file.ts's: this file needs no node: module, so ONNX bytes
// import in a browser (the library, docs/api.md).
import { fromBinary } from '@bufbuild/protobuf';
import type { ArrayLiteral } from '../../../ir/literal.js';
import { OnnxError } from './errors.js';
import { ModelProtoSchema, type ModelProto, type TensorProto } from './proto/onnx_pb.js';
import { tensorToLiteral } from './tensor.js';

/** Largest model file kiln reads (bytes): a protobuf message is limited to 2 GiB anyway. */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

export interface LoadedModel {
  proto: ModelProto;
  /** Where the model was read from (for messages), and the folder external data lives in. */
  file: string;
  dir?: string;
  /** Reads a tensor's external data (its location checked): a model read from a file has one (file.ts). */
  readExternal?: (t: TensorProto, where: string, location: string) => Uint8Array;
}

/** Decodes a ModelProto; protobuf errors become OnnxErrors naming the file. */
export function decodeModel(bytes: Uint8Array, file = '<model>', dir?: string): LoadedModel {
  if (bytes.length > MAX_MODEL_BYTES) throw new OnnxError(`${file}: ${bytes.length} bytes is larger than a protobuf message may be`);
  let proto: ModelProto;
  try {
    proto = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new OnnxError(`${file}: not a valid ONNX model (protobuf: ${(e as Error).message})`);
  }
  if (!proto.graph) throw new OnnxError(`${file}: the model has no graph`);
  return { proto, file, ...(dir !== undefined ? { dir } : {}) };
}

/**
 * A tensor's values, reading external data through the model's reader (file.ts: from the
 * model's folder, which the location must stay inside). Decoded bytes have no folder.
 */
export function tensorValues(t: TensorProto, where: string, model: LoadedModel): ArrayLiteral {
  if (t.dataLocation !== 1 /* EXTERNAL */) return tensorToLiteral(t, where);
  const location = new Map(t.externalData.map((e) => [e.key, e.value])).get('location');
  if (!location) throw new OnnxError(`${where}: external data without a location`);
  if (!model.readExternal || model.dir === undefined) throw new OnnxError(`${where}: external data '${location}' needs the model's folder`);
  return tensorToLiteral(t, where, model.readExternal(t, where, location));
}
