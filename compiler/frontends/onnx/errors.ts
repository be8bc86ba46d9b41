// Errors of the ONNX frontend. Every message names where: the file, and for a node its
// name, op type and the opset it was imported at.

/** A model kiln cannot read or import: malformed, hostile, or using what kiln lacks. */
export class OnnxError extends Error {
  override name = 'OnnxError';
}

/** Where a node problem is: `node 'conv1' (Conv, opset 13)`. */
export function nodeLabel(node: { name: string; opType: string; domain: string }, opset: number): string {
  const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType;
  return `node '${node.name || '(unnamed)'}' (${op}, opset ${opset})`;
}

/** A valid model using what kiln does not import yet: an op, a domain, an op's opset (the CLI's exit code 4). */
export class OnnxUnsupported extends OnnxError {
  override name = 'OnnxUnsupported';
}

/**
 * An op needs an input's values at compile time (Reshape's shape, TopK's k) and they come
 * from graph inputs, known only when the model runs. `inputs` names those graph inputs, so
 * a caller that has their values (`kiln run --input`) can import again with them bound;
 * `node` is the node that needs them (`node 'r' (Reshape, opset 13)`).
 */
export class NeedsConstant extends OnnxError {
  override name = 'NeedsConstant';
  constructor(message: string, readonly inputs: readonly string[], readonly node: string) {
    super(message);
  }
}
