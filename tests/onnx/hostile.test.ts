// Malformed and hostile ONNX files: each gets an OnnxError that says what is wrong, and
// never a crash, a hang or a huge allocation. Hand-built models for each named threat,
// then 10,000 byte-level mutations of real models.
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { OnnxError } from '../../compiler/frontends/onnx/errors.js';
import { importOnnxFile } from '../../compiler/frontends/onnx/file.js';
import { importOnnx } from '../../compiler/frontends/onnx/import.js';
import {
  ModelProtoSchema, type NodeProto, type TensorProto, type ValueInfoProto,
} from '../../compiler/frontends/onnx/proto/onnx_pb.js';
import { ONNX_TESTDATA } from '../../compiler/onnx_backend_tests.js';
import { rng } from '../../compiler/random.js';

const FLOAT = 1;

function valueInfo(name: string, dims: (number | string)[], elemType = FLOAT): ValueInfoProto {
  return {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType,
          shape: { dim: dims.map((d) => ({ value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } })) },
        },
      },
    },
  } as unknown as ValueInfoProto;
}

interface ModelParts {
  nodes: Partial<NodeProto>[];
  inputs?: ValueInfoProto[];
  outputs?: ValueInfoProto[];
  initializers?: Partial<TensorProto>[];
  opset?: number;
}

function model(parts: ModelParts): Uint8Array {
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [{ domain: '', version: BigInt(parts.opset ?? 13) }],
    graph: {
      name: 'g',
      node: parts.nodes as NodeProto[],
      input: parts.inputs ?? [valueInfo('x', [2])],
      output: parts.outputs ?? [valueInfo('y', [2])],
      initializer: (parts.initializers ?? []) as TensorProto[],
    },
  } as never));
}

/** The OnnxError message importing `bytes` gives (failing the test on any other outcome). */
function rejection(bytes: Uint8Array, file = 'm.onnx'): string {
  try {
    importOnnx(bytes, file);
  } catch (e) {
    if (!(e instanceof OnnxError)) throw e;
    return e.message;
  }
  throw new Error('expected the model to be rejected');
}

const relu = (input: string, output: string, name = 'r'): Partial<NodeProto> => ({ name, opType: 'Relu', input: [input], output: [output] });

describe('hostile ONNX files', () => {
  it('accepts a well-formed model (the baseline the others break)', () => {
    const m = importOnnx(model({ nodes: [relu('x', 'y')] }));
    expect(m.inputs).toEqual(['x']);
    expect(m.outputs).toEqual(['y']);
  });

  it('truncated and random bytes', () => {
    const good = model({ nodes: [relu('x', 'y')] });
    expect(rejection(good.subarray(0, good.length - 7))).toMatch(/^m\.onnx: /);
    expect(rejection(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))).toMatch(/^m\.onnx: not a valid ONNX model/);
  });

  it('a field of the wrong wire type', () => {
    // graph (field 7) written as a varint instead of a length-delimited message.
    expect(rejection(new Uint8Array([0x38, 0x01]))).toMatch(/not a valid ONNX model|has no graph/);
  });

  it('an unknown op names the node, op and opset', () => {
    expect(rejection(model({ nodes: [{ name: 'n1', opType: 'Frobnicate', input: ['x'], output: ['y'] }] })))
      .toBe("m.onnx: node 'n1' (Frobnicate, opset 13): kiln has no lowering for this op");
  });

  it('a missing input and a cycle', () => {
    expect(rejection(model({ nodes: [relu('nope', 'y')] }))).toMatch(/node 'r' \(Relu, opset 13\): input 'nope' is not a graph input/);
    expect(rejection(model({ nodes: [relu('z', 'y', 'a'), relu('y', 'z', 'b')] }))).toMatch(/input 'z' is not/);
  });

  it('huge declared dims allocate nothing', () => {
    const huge: Partial<TensorProto> = { name: 'w', dims: [1n << 40n, 1n << 40n], dataType: FLOAT, rawData: new Uint8Array(8) };
    expect(rejection(model({ nodes: [relu('w', 'y')], initializers: [huge] }))).toMatch(/initializer 'w': .* more than \d+ elements/);
    const lying: Partial<TensorProto> = { name: 'w', dims: [1n << 20n, 64n], dataType: FLOAT, rawData: new Uint8Array(8) };
    expect(rejection(model({ nodes: [relu('w', 'y')], initializers: [lying] }))).toMatch(/raw data has 8 bytes/);
    expect(rejection(model({ nodes: [relu('x', 'y')], inputs: [valueInfo('x', [-3])] }))).toMatch(/dimension -3/);
  });

  it('unbound symbolic dims say how to bind them', () => {
    expect(rejection(model({ nodes: [relu('x', 'y')], inputs: [valueInfo('x', ['batch', 4])] })))
      .toMatch(/input 'x': dimension 0 is symbolic \('batch'\); bind it with --shape x=DIMS or --dim batch=N/);
    const ok = importOnnx(model({ nodes: [relu('x', 'y')], inputs: [valueInfo('x', ['batch', 4])] }), 'm.onnx', { dims: { batch: 3 } });
    expect(ok.module.entry.params[0].shape).toMatchObject({ dims: [3, 4] });
  });

  it('unsupported element types and opsets', () => {
    expect(rejection(model({ nodes: [relu('x', 'y')], inputs: [valueInfo('x', [2], 8)] }))).toMatch(/element type STRING is not supported/);
    expect(rejection(model({ nodes: [relu('x', 'y')], opset: 99 }))).toMatch(/opset 99 is outside/);
  });

  describe('external data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-onnx-'));
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'secret.bin'), new Uint8Array(8));
    writeFileSync(join(dir, 'm', 'w.bin'), new Uint8Array(new Float32Array([1, -2]).buffer));
    symlinkSync(join(dir, 'secret.bin'), join(dir, 'm', 'link.bin'));
    const external = (location: string, extra: { key: string; value: string }[] = []): Partial<TensorProto> => ({
      name: 'w', dims: [2n], dataType: FLOAT, dataLocation: 1, externalData: [{ key: 'location', value: location }, ...extra] as never,
    });
    const write = (t: Partial<TensorProto>) => {
      const path = join(dir, 'm', 'model.onnx');
      writeFileSync(path, model({ nodes: [relu('w', 'y')], inputs: [], initializers: [t] }));
      return path;
    };
    const rejectFile = (path: string): string => {
      try {
        importOnnxFile(path);
      } catch (e) {
        if (e instanceof OnnxError) return e.message;
        throw e;
      }
      throw new Error('expected a rejection');
    };

    it('reads data beside the model', () => {
      expect(importOnnxFile(write(external('w.bin'))).module.entry.root.opcode).toBe('constant');
    });
    it('refuses paths that leave the folder, absolute paths, symlinks out, dangling files and bad ranges', () => {
      expect(rejectFile(write(external('../secret.bin')))).toMatch(/leaves the model's folder/);
      expect(rejectFile(write(external(join(dir, 'secret.bin'))))).toMatch(/is absolute/);
      expect(rejectFile(write(external('link.bin')))).toMatch(/leaves the model's folder/);
      expect(rejectFile(write(external('missing.bin')))).toMatch(/does not exist/);
      expect(rejectFile(write(external('w.bin', [{ key: 'offset', value: '4' }, { key: 'length', value: '8' }])))).toMatch(/outside 'w.bin'/);
    });
    it('refuses a folder and a FIFO without blocking on it', () => {
      mkdirSync(join(dir, 'm', 'folder.bin'));
      execFileSync('mkfifo', [join(dir, 'm', 'fifo.bin')]);
      expect(rejectFile(write(external('folder.bin')))).toMatch(/'folder.bin' is not a regular file \(a directory\)/);
      expect(rejectFile(write(external('fifo.bin')))).toMatch(/'fifo.bin' is not a regular file \(a FIFO\)/);
    });
    it('reads a range of a file over 2 GiB (Node readFile limit) without loading it whole', () => {
      const fd = openSync(join(dir, 'm', 'big.bin'), 'w');
      ftruncateSync(fd, 2 ** 31 + 8); // sparse: takes no disk
      writeSync(fd, new Uint8Array(new Float32Array([3, -4]).buffer), 0, 8, 2 ** 31);
      closeSync(fd);
      const m = importOnnxFile(write(external('big.bin', [{ key: 'offset', value: String(2 ** 31) }, { key: 'length', value: '8' }])));
      expect(Array.from((m.module.entry.root.attrs as { literal: { data: Float64Array } }).literal.data)).toEqual([3, 0]);
    });
  });
});

describe('10,000 mutations of real models', () => {
  const seeds = ['node/test_add_bcast', 'node/test_relu', 'node/test_conv_with_strides_padding', 'node/test_reshape_reordered_all_dims',
    'node/test_gemm_all_attributes', 'pytorch-operator/test_operator_maxpool']
    .map((c) => join(ONNX_TESTDATA, c, 'model.onnx'))
    .filter((p) => { try { readFileSync(p); return true; } catch { return false; } });
  const fallback = model({ nodes: [relu('x', 'y')] });
  const originals = seeds.length ? seeds.map((p) => new Uint8Array(readFileSync(p))) : [fallback];

  function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
    const out = Uint8Array.from(bytes);
    const kind = Math.floor(next() * 4);
    if (kind === 0) return out.subarray(0, Math.floor(next() * out.length)); // truncate
    const edits = 1 + Math.floor(next() * 4);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(next() * out.length);
      if (kind === 1) out[at] ^= 1 << Math.floor(next() * 8); // flip a bit
      else if (kind === 2) out[at] = Math.floor(next() * 256); // replace a byte
      else out[at] = [0x00, 0x7f, 0x80, 0xff][Math.floor(next() * 4)]; // boundary values
    }
    return out;
  }

  for (let part = 0; part < 10; part++)
    it(`part ${part + 1} of 10: rejects or imports, never anything else`, () => {
      const next = rng(1000 + part);
      const problems: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const src = originals[i % originals.length];
        const bytes = mutate(src, next);
        const t0 = performance.now();
        try {
          importOnnx(bytes, 'mutant.onnx');
        } catch (e) {
          if (!(e instanceof OnnxError)) problems.push(`part ${part} case ${i}: ${(e as Error).name}: ${(e as Error).message}`);
        }
        const ms = performance.now() - t0;
        if (ms > 1000) problems.push(`part ${part} case ${i}: took ${ms.toFixed(0)} ms`);
      }
      expect(problems.slice(0, 10)).toEqual([]);
    });
});
