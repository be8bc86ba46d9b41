// Hand-built ONNX models for tests: value infos, nodes with int, tensor and graph
// attributes, and graphs nested in them, encoded with the same protobuf schema kiln reads.
import { create, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema, type AttributeProto, type GraphProto, type NodeProto, type ValueInfoProto,
} from '../../compiler/frontends/onnx/proto/onnx_pb.js';
import { arrayLiteral, type ArrayLiteral, type Literal } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import { array, scalar } from '../../ir/shape.js';

export const FLOAT = 1, INT64 = 7, BOOL = 9;

/** A tensor value info; dims undefined leaves the shape out (as loop bodies often do). */
export function vi(name: string, elemType = FLOAT, dims?: number[]): ValueInfoProto {
  const shape = dims && { dim: dims.map((d) => ({ value: { case: 'dimValue', value: BigInt(d) } })) };
  return { name, type: { value: { case: 'tensorType', value: { elemType, ...(shape ? { shape } : {}) } } } } as unknown as ValueInfoProto;
}

type Attr = number | number[] | string | GraphProto | { floats: number[]; dims: number[] } | { int64s: number[]; dims: number[] };

function attribute(name: string, v: Attr): Partial<AttributeProto> {
  if (typeof v === 'number') return { name, type: 2, i: BigInt(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v.map(BigInt) };
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if ('floats' in v) return { name, type: 4, t: { dims: v.dims.map(BigInt), dataType: FLOAT, floatData: v.floats } as never };
  if ('int64s' in v) return { name, type: 4, t: { dims: v.dims.map(BigInt), dataType: INT64, int64Data: v.int64s.map(BigInt) } as never };
  return { name, type: 5, g: v };
}

export function node(opType: string, input: string[], output: string[], attrs: Record<string, Attr> = {}, name = ''): NodeProto {
  return { opType, input, output, name, domain: '', attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) } as unknown as NodeProto;
}

/** A Constant node holding f32 values (or int64 ones with int: true). */
export function constant(out: string, values: number[], dims: number[] = [values.length], int = false): NodeProto {
  return node('Constant', [], [out], { value: int ? { int64s: values, dims } : { floats: values, dims } });
}

export function graph(name: string, nodes: NodeProto[], inputs: ValueInfoProto[], outputs: ValueInfoProto[]): GraphProto {
  return { name, node: nodes, input: inputs, output: outputs, initializer: [] } as unknown as GraphProto;
}

export function model(g: GraphProto, opset = 13): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [{ domain: '', version: BigInt(opset) }], graph: g } as never));
}

export const f32 = (dims: number[], v: number[]) => arrayLiteral(array('f32', dims), v);
export const bool = (v: boolean) => arrayLiteral(scalar('pred'), [v]);
export const values = (l: Literal): number[] => Array.from((l as ArrayLiteral).data as ArrayLike<number>, Number);
/** Every opcode in a module, to check what control flow an import produced. */
export const opcodes = (m: Module): Set<string> => new Set(m.computations.flatMap((c) => c.instructions.map((i) => i.opcode)));

