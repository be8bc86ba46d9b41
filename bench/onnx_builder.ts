// A tiny ONNX graph builder for the benchmark models: just enough of the protobuf
// (f32 tensors, int64 shape constants, int/float attributes) to write the graphs
// in models.ts with the repo's generated onnx_pb.ts, so no Python or onnx package
// is needed to produce them.
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  TensorProto_DataType,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from '../compiler/frontends/onnx/proto/onnx_pb.js';

export type Attr = number | number[];

/** An f32 tensor held in memory: an initializer, an input or an output. */
export interface Tensor {
  dims: number[];
  data: Float32Array;
}

/** An attribute: integers (and integer lists) become INT(S), other numbers FLOAT. */
function attribute(name: string, v: Attr): AttributeProto {
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INTS, ints: v.map(BigInt) });
  if (Number.isInteger(v)) return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.INT, i: BigInt(v) });
  return create(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.FLOAT, f: v });
}

function valueInfo(name: string, dims: readonly number[]): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: { elemType: TensorProto_DataType.FLOAT, shape: { dim: dims.map((d) => ({ value: { case: 'dimValue' as const, value: BigInt(d) } })) } },
      },
    },
  });
}

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly inits: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private next = 0;
  /** The f32 initializers by name, for peers that rebuild the graph by hand (tfjs). */
  readonly weights = new Map<string, Tensor>();

  input(name: string, dims: readonly number[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: readonly number[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** An f32 initializer, stored as raw little-endian bytes (what exporters write). */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    this.weights.set(name, { dims: [...dims], data });
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.inits.push(create(TensorProtoSchema, { name, dims: dims.map(BigInt), dataType: TensorProto_DataType.FLOAT, rawData: raw }));
    return name;
  }

  /** An int64 initializer, for Reshape's shape operand. */
  int64s(name: string, values: readonly number[]): string {
    this.inits.push(create(TensorProtoSchema, { name, dims: [BigInt(values.length)], dataType: TensorProto_DataType.INT64, int64Data: values.map(BigInt) }));
    return name;
  }

  /** Adds a node with one output and returns the output's name (`out` or a fresh one). */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, out?: string): string {
    const name = out ?? `t${this.next++}`;
    this.nodes.push(
      create(NodeProtoSchema, {
        name: `${opType}_${this.nodes.length}`,
        opType,
        input: [...inputs],
        output: [name],
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return name;
  }

  /** The serialized ModelProto (IR version 8, default-domain opset `opset`). */
  toBytes(graphName: string, opset: number): Uint8Array {
    const model = create(ModelProtoSchema, {
      irVersion: 8n,
      producerName: 'kiln-bench',
      opsetImport: [{ domain: '', version: BigInt(opset) }],
      graph: create(GraphProtoSchema, { name: graphName, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs }),
    });
    return toBinary(ModelProtoSchema, model);
  }
}
