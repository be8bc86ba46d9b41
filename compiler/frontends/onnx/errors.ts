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
