// Hostile ONNX models: every op of kiln's table with too few and too many inputs, nodes
// whose attributes or element types make no sense, shapes that fold to sizes no memory
// holds, and external data that is not a regular file.
import { create, toBinary } from '@bufbuild/protobuf';
import { ARITY } from '../../compiler/frontends/onnx/ops/arity.js';
import { ONNX_OPS } from '../../compiler/frontends/onnx/ops/index.js';
import {
  ModelProtoSchema, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from '../../compiler/frontends/onnx/proto/onnx_pb.js';
import type { HostileFile } from './types.js';

const FLOAT = 1, INT64 = 7, DOUBLE = 11;

export function valueInfo(name: string, dims: number[], elemType = FLOAT): ValueInfoProto {
  const dim = dims.map((d) => ({ value: { case: 'dimValue', value: BigInt(d) } }));
  return { name, type: { value: { case: 'tensorType', value: { elemType, shape: { dim } } } } } as unknown as ValueInfoProto;
}

/** 12 GB to 24 TiB: exact sizes, so imported; refused by every backend kiln has. */
const VALID_BUT_BIG = ['import', 'opt'];

interface Parts {
  mayPass?: HostileFile['mayPass'];
  only?: HostileFile['only'];
  nodes: Partial<NodeProto>[];
  inputs?: ValueInfoProto[];
  initializers?: Partial<TensorProto>[];
  outputs?: string[];
  opset?: number;
}

export function onnxModel(p: Parts): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [{ domain: '', version: BigInt(p.opset ?? 13) }],
    graph: {
      name: 'hostile', node: p.nodes as NodeProto[],
      input: p.inputs ?? [valueInfo('x', [2, 3])],
      output: (p.outputs ?? ['y']).map((n) => valueInfo(n, [])),
      initializer: (p.initializers ?? []) as TensorProto[],
    },
  } as never));
}

const ints64 = (name: string, values: bigint[]): Partial<TensorProto> =>
  ({ name, dims: [BigInt(values.length)], dataType: INT64, int64Data: values });
const attrInt = (name: string, i: number): Partial<AttributeProto> => ({ name, type: 2, i: BigInt(i) });
const attrInts = (name: string, v: number[]): Partial<AttributeProto> => ({ name, type: 7, ints: v.map(BigInt) });
const node = (opType: string, input: string[], attribute: Partial<AttributeProto>[] = [], output = ['y']): Partial<NodeProto> =>
  ({ name: `n_${opType}`, opType, input, output, attribute: attribute as AttributeProto[] });

/** Every op of the table with no inputs, one input too many, and no outputs. */
function arity(): HostileFile[] {
  return Object.keys(ONNX_OPS).flatMap((op) => {
    const max = ARITY[op]?.inputs[1] ?? 11;
    const files = [
      { name: `arity_none_${op}.onnx`, bytes: onnxModel({ nodes: [node(op, [])] }) },
      { name: `arity_no_output_${op}.onnx`, bytes: onnxModel({ nodes: [node(op, ['x'], [], [])], outputs: ['x'] }) },
    ];
    // Variadic ops (Sum, Concat) take any number: there is no "one too many".
    if (Number.isFinite(max)) files.push({ name: `arity_too_many_${op}.onnx`, bytes: onnxModel({ nodes: [node(op, Array(max + 1).fill('x'))] }) });
    return files;
  });
}

/** int64 holds at most 2^63 - 1, so sizes of 2^80 and more come from several dims. */
/**
 * Every op with the fewest inputs it takes, all one scalar, then all one vector: valid for
 * many ops, so exit 0 is allowed, but a lowering must never trip over a rank it did not
 * expect (a TypeError is exit 70).
 */
function oddRanks(): HostileFile[] {
  return Object.keys(ONNX_OPS).flatMap((op) => {
    const n = Math.max(1, ARITY[op]?.inputs[0] ?? 1);
    const outs = Array.from({ length: Math.max(1, ARITY[op]?.outputs[0] ?? 1) }, (_, k) => (k === 0 ? 'y' : `y${k}`));
    return [[], [3]].map((dims) => ({
      name: `rank${dims.length}_${op}.onnx`, mayPass: 'all' as const, only: ['import'],
      bytes: onnxModel({ nodes: [node(op, Array(n).fill('x'), [], outs)], inputs: [valueInfo('x', dims)] }),
    }));
  });
}

const TWO_40 = 1n << 40n, TWO_62 = 1n << 62n;

/** Nodes that are well-formed protobuf but mean nothing a model can run. */
function semantic(): HostileFile[] {
  const m = (name: string, p: Parts): HostileFile => ({ name: `${name}.onnx`, bytes: onnxModel(p), mayPass: p.mayPass, only: p.only });
  const x1 = [valueInfo('x', [5])];
  return [
    m('concat_no_inputs', { nodes: [node('Concat', [], [attrInt('axis', 0)])] }),
    m('global_pool_rank1', { nodes: [node('GlobalAveragePool', ['x'])], inputs: x1 }),
    m('global_maxpool_rank1', { nodes: [node('GlobalMaxPool', ['x'])], inputs: x1 }),
    m('reshape_negative', { nodes: [node('Reshape', ['x', 's'])], initializers: [ints64('s', [-5n, 2n])] }),
    m('constant_of_shape_negative', { nodes: [node('ConstantOfShape', ['s'])], initializers: [ints64('s', [-1n])] }),
    m('topk_empty_k', { nodes: [node('TopK', ['x', 'k'], [], ['y', 'i'])], initializers: [ints64('k', [])] }),
    m('topk_huge_k', { nodes: [node('TopK', ['x', 'k'], [], ['y', 'i'])], initializers: [ints64('k', [TWO_40])] }),
    m('depth_to_space_minus1', { nodes: [node('DepthToSpace', ['x'], [attrInt('blocksize', -1)])], inputs: [valueInfo('x', [1, 4, 2, 2])] }),
    m('space_to_depth_zero', { nodes: [node('SpaceToDepth', ['x'], [attrInt('blocksize', 0)])], inputs: [valueInfo('x', [1, 4, 2, 2])] }),
    m('atan_int64', { nodes: [node('Atan', ['x'])], inputs: [valueInfo('x', [2], INT64)] }),
    m('sqrt_int64', { nodes: [node('Sqrt', ['x'])], inputs: [valueInfo('x', [2], INT64)] }),
    m('add_f32_f64', { nodes: [node('Add', ['x', 'z'])], inputs: [valueInfo('x', [2]), valueInfo('z', [2], DOUBLE)] }),
    m('matmul_f32_f64', { nodes: [node('MatMul', ['x', 'z'])], inputs: [valueInfo('x', [2, 2]), valueInfo('z', [2, 2], DOUBLE)] }),
    m('expand_2p80', { nodes: [node('Expand', ['x', 's'])], initializers: [ints64('s', [TWO_40, TWO_40, 3n])] }),
    m('expand_2p40', { mayPass: VALID_BUT_BIG, nodes: [node('Expand', ['x', 's'])], initializers: [ints64('s', [TWO_40, 2n, 3n])] }),
    m('expand_4e9', { mayPass: VALID_BUT_BIG, nodes: [node('Expand', ['x', 's'])], initializers: [ints64('s', [2000000000n, 2n, 3n])] }),
    m('tile_2p80', { nodes: [node('Tile', ['x', 'r'])], initializers: [ints64('r', [TWO_40, TWO_40])] }),
    m('tile_2p40', { mayPass: VALID_BUT_BIG, nodes: [node('Tile', ['x', 'r'])], initializers: [ints64('r', [TWO_40, 1n])] }),
    m('constant_of_shape_2p80', { nodes: [node('ConstantOfShape', ['s'])], initializers: [ints64('s', [TWO_40, TWO_40, TWO_40])] }),
    m('constant_of_shape_2p62', { nodes: [node('ConstantOfShape', ['s'])], initializers: [ints64('s', [TWO_62])] }),
    m('constant_of_shape_2p40', { nodes: [node('ConstantOfShape', ['s'])], initializers: [ints64('s', [TWO_40, TWO_40])] }),
    m('constant_of_shape_folded_big', { mayPass: VALID_BUT_BIG, nodes: [node('ConstantOfShape', ['s'], [], ['c']), node('Add', ['c', 'c'])], initializers: [ints64('s', [3000000000n])] }),
    m('range_2p40', { nodes: [node('Range', ['a', 'b', 'd'])], inputs: [], initializers: [
      { name: 'a', dims: [], dataType: INT64, int64Data: [0n] }, { name: 'b', dims: [], dataType: INT64, int64Data: [TWO_40] },
      { name: 'd', dims: [], dataType: INT64, int64Data: [1n] }] }),
    m('pad_2p40', { mayPass: VALID_BUT_BIG, nodes: [node('Pad', ['x', 'p'])], initializers: [ints64('p', [0n, 0n, TWO_40, 0n])] }),
    m('pad_negative_huge', { nodes: [node('Pad', ['x', 'p'])], initializers: [ints64('p', [0n, 0n, -TWO_40, 0n])] }),
    m('conv_transpose_2p40', {
      nodes: [node('ConvTranspose', ['x', 'w'], [attrInts('strides', [1 << 30, 1 << 30])])],
      inputs: [valueInfo('x', [1, 1, 1025, 1025]), valueInfo('w', [1, 1, 3, 3])],
    }),
    m('conv_transpose_output_shape', {
      nodes: [node('ConvTranspose', ['x', 'w'], [attrInts('output_shape', [1 << 30, 1 << 30])])],
      inputs: [valueInfo('x', [1, 1, 4, 4]), valueInfo('w', [1, 1, 3, 3])],
    }),
    m('unsqueeze_huge_axis', { nodes: [node('Unsqueeze', ['x', 'a'])], initializers: [ints64('a', [1000000000n])] }),
    m('transpose_bad_perm', { nodes: [node('Transpose', ['x'], [attrInts('perm', [0, 0])])] }),
    m('split_zero_outputs', { nodes: [node('Split', ['x'], [attrInt('axis', 0)], [])], outputs: ['x'] }),
    // ONNX calls the index an error, HLO's gather clamps it; kiln imports the HLO meaning.
    m('gather_out_of_range', { mayPass: 'all', only: ['import'], nodes: [node('Gather', ['c', 'i'])], inputs: [], initializers: [ints64('c', [1n, 2n]), ints64('i', [7n])] }),
    m('reshape_two_minus_one', { nodes: [node('Reshape', ['x', 's'])], initializers: [ints64('s', [-1n, -1n])] }),
    m('onehot_huge_depth', { mayPass: VALID_BUT_BIG, nodes: [node('OneHot', ['i', 'd', 'v'])], inputs: [valueInfo('i', [2], INT64)], initializers: [
      ints64('d', [TWO_40]), { name: 'v', dims: [2n], dataType: FLOAT, floatData: [0, 1] }] }),
    m('softmax_axis_huge', { nodes: [node('Softmax', ['x'], [attrInt('axis', 99)])] }),
    m('cast_to_string', { nodes: [node('Cast', ['x'], [attrInt('to', 8)])] }),
    m('cast_to_bad_type', { nodes: [node('Cast', ['x'], [attrInt('to', 99)])] }),
    m('conv_rank1', { nodes: [node('Conv', ['x', 'w'])], inputs: [valueInfo('x', [4]), valueInfo('w', [4])] }),
    m('maxpool_no_kernel', { nodes: [node('MaxPool', ['x'])], inputs: [valueInfo('x', [1, 1, 4, 4])] }),
    m('maxpool_kernel_zero', { nodes: [node('MaxPool', ['x'], [attrInts('kernel_shape', [0, 0])])], inputs: [valueInfo('x', [1, 1, 4, 4])] }),
    m('resize_huge_scale', { nodes: [node('Resize', ['x', '', 's'])], inputs: [valueInfo('x', [1, 1, 2, 2])], initializers: [
      { name: 's', dims: [4n], dataType: FLOAT, floatData: [1, 1, 1e12, 1e12] }] }),
    m('einsum_garbage', { nodes: [node('Einsum', ['x'], [{ name: 'equation', type: 3, s: new TextEncoder().encode('((->') }])] }),
    m('lstm_rank1', { nodes: [node('LSTM', ['x', 'w', 'r'])], inputs: [valueInfo('x', [4]), valueInfo('w', [4]), valueInfo('r', [4])] }),
  ];
}

/** Initializers whose data lives in a file that is not a regular file, or is too big to read whole. */
function externalData(): HostileFile[] {
  const ext = (location: string, extra: { key: string; value: string }[] = []): Partial<TensorProto> => ({
    name: 'w', dims: [2n], dataType: FLOAT, dataLocation: 1,
    externalData: [{ key: 'location', value: location }, ...extra] as never,
  });
  // External data is read by the importer: `import` is the command that exercises it.
  const m = (name: string, t: Partial<TensorProto>, extra: HostileFile['extra'], mayPass?: 'all'): HostileFile => ({
    name: `${name}.onnx`, extra, mayPass, only: ['import'],
    bytes: onnxModel({ nodes: [node('Relu', ['w'])], inputs: [], initializers: [t] }),
  });
  return [
    m('external_dir', ext('ext_dir'), [{ name: 'ext_dir', kind: 'dir' }]),
    m('external_fifo', ext('ext.fifo'), [{ name: 'ext.fifo', kind: 'fifo' }]),
    m('external_dev_zero', ext('ext_zero'), [{ name: 'ext_zero', link: '/dev/zero' }]),
    // A sparse file just over 2 GiB: the 8 bytes at its end are read without loading the rest.
    m('external_over_2g', ext('ext_big.bin', [{ key: 'offset', value: String(2 ** 31) }, { key: 'length', value: '8' }]),
      [{ name: 'ext_big.bin', kind: 'sparse', size: 2 ** 31 + 8 }], 'all'),
    m('external_over_2g_whole', ext('ext_big2.bin'), [{ name: 'ext_big2.bin', kind: 'sparse', size: 2 ** 31 + 8 }]),
    m('external_offset_huge', ext('ext_small.bin', [{ key: 'offset', value: '1e300' }]), [{ name: 'ext_small.bin', bytes: new Uint8Array(8) }]),
  ];
}

/** Bytes that are not a model, and good models cut short. */
function malformed(): HostileFile[] {
  const good = onnxModel({ nodes: [node('Relu', ['x'])] });
  const out: HostileFile[] = [
    { name: 'onnx_empty.onnx', bytes: new Uint8Array(0) },
    { name: 'onnx_text.onnx', text: 'HloModule not_onnx\n' },
    { name: 'onnx_varint_forever.onnx', bytes: new Uint8Array(64).fill(0xff) },
    { name: 'onnx_length_past_end.onnx', bytes: Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x00]) },
    { name: 'onnx_no_graph.onnx', bytes: Uint8Array.from([0x08, 0x08]) },
  ];
  for (const cut of [3, 11, 29, 47]) out.push({ name: `onnx_truncated_${cut}.onnx`, bytes: good.subarray(0, Math.floor((good.length * cut) / 64)) });
  return out;
}

export function onnxCases(): HostileFile[] {
  return [...arity(), ...oddRanks(), ...semantic(), ...externalData(), ...malformed()];
}
