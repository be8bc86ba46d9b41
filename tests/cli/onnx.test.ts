// The CLI on ONNX models as exporters write them: names with ':' and '=', symbolic dims,
// shape inputs, ops kiln lacks. Each case runs the real `kiln` in a process of its own.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kiln, readArray, tensor, weight, writeArray, writeOnnx } from './kiln.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-cli-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);
const values = (file: string) => Array.from(readArray(file).data as ArrayLike<number>);

const X = [-1, 2, -3, 4, -5, 6];
const RELU_X = [0, 2, 0, 4, 0, 6];

describe('kiln on ONNX models', () => {
  it('exits 4 (not imported), not 3, on a valid model with an op kiln lacks', () => {
    const m = writeOnnx(at('unknown_op.onnx'), [{ opType: 'NoSuchOp', name: 'n0', input: ['x'], output: ['y'] }],
      [tensor('x', 'f32', [2])], [tensor('y', 'f32', [2])]);
    const r = kiln(['run', m]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/not imported: .*node 'n0' \(NoSuchOp, opset 13\): kiln has no lowering for this op/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 on a file that is not an ONNX model', () => {
    const r = kiln(['run', writeArray(at('not_a_model.onnx'), 'f32', [2], [1, 2])]);
    expect(r.status).toBe(3);
  });

  it("takes an input by its ONNX name as written (':' and '=' in it) and by kiln's parameter name", () => {
    const m = writeOnnx(at('names.onnx'), [
      { opType: 'Relu', input: ['onnx::Flatten_0'], output: ['a'] },
      { opType: 'Add', input: ['a', 'w=1'], output: ['y'] },
    ], [tensor('onnx::Flatten_0', 'f32', [2, 3]), tensor('w=1', 'f32', [2, 3])], [tensor('y', 'f32', [2, 3])]);
    const x = writeArray(at('x.npy'), 'f32', [2, 3], X);
    const w = writeArray(at('w.npy'), 'f32', [2, 3], [10, 10, 10, 10, 10, 10]);
    for (const name of ['onnx::Flatten_0', 'onnx__Flatten_0', '0']) {
      const out = at(`names-${name}`);
      const r = kiln(['run', m, '--input', `${name}=${x}`, '--input', `w=1=${w}`, '--output-dir', out]);
      expect(r.stderr, name).toBe('');
      expect(r.status).toBe(0);
      expect(values(join(out, 'y.npy'))).toEqual(RELU_X.map((v) => v + 10));
    }
    const wrong = kiln(['run', m, '--input', `onnx::Flatten=${x}`]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/--input onnx::Flatten: no such parameter \(parameters: 0:onnx::Flatten_0, 1:w=1\)/);
  });

  it('writes outputs under their own names, escaping only what a file name cannot hold, as model.js keys them', () => {
    const name = 'onnx::Relu_1/out';
    const m = writeOnnx(at('outname.onnx'), [{ opType: 'Relu', input: ['x'], output: [name] }],
      [tensor('x', 'f32', [2, 3])], [tensor(name, 'f32', [2, 3])]);
    const r = kiln(['run', m, '--input', `x=${writeArray(at('x.npy'), 'f32', [2, 3], X)}`, '--output-dir', at('outname')]);
    expect(r.status).toBe(0);
    const file = join(at('outname'), 'onnx%3A%3ARelu_1%2Fout.npy');
    expect(r.stdout.trim()).toBe(file);
    expect(values(file)).toEqual(RELU_X);
    const c = kiln(['compile', m, '-o', at('outname-wasm')]);
    expect(c.status).toBe(0);
    expect(JSON.parse(readFileSync(join(at('outname-wasm'), 'model.json'), 'utf8')).outputs[0].name).toBe(name);
    expect(readFileSync(join(at('outname-wasm'), 'model.d.ts'), 'utf8')).toContain(JSON.stringify(name));
  });

  it("takes a symbolic dimension from the array --input gives", () => {
    const m = writeOnnx(at('batch.onnx'), [{ opType: 'Relu', input: ['x'], output: ['y'] }],
      [tensor('x', 'f32', ['batch', 3])], [tensor('y', 'f32', ['batch', 3])]);
    const r = kiln(['run', m, '--input', `x=${writeArray(at('x.npy'), 'f32', [2, 3], X)}`]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^y: f32\[2,3\] \{ \{ 0, 2, 0 \}, \{ 4, 0, 6 \} \}/);
    const fixed = writeOnnx(at('fixed.onnx'), [{ opType: 'Relu', input: ['x'], output: ['y'] }],
      [tensor('x', 'f32', [3, 3])], [tensor('y', 'f32', [3, 3])]);
    const bad = kiln(['run', fixed, '--input', `x=${at('x.npy')}`]);
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/has shape \[2,3\], parameter x wants f32\[3,3\]/);
  });

  it('binds an input an op needs at compile time when --input gives it, and says so', () => {
    const m = writeOnnx(at('reshape.onnx'), [{ opType: 'Reshape', name: 'r', input: ['x', 'shape'], output: ['y'] }],
      [tensor('x', 'f32', [2, 3]), tensor('shape', 's64', [2])], [tensor('y', 'f32', [3, 2])]);
    const x = writeArray(at('x.npy'), 'f32', [2, 3], X);
    const shape = writeArray(at('shape.npy'), 's64', [2], [3, 2]);
    for (const backend of ['interpreter', 'wasm']) {
      const r = kiln(['run', m, '--input', `x=${x}`, '--input', `shape=${shape}`, '--backend', backend]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.trim()).toBe(`kiln run: note: input 'shape' is bound at compile time to ${shape}, as --bind shape=${shape} would: node 'r' (Reshape, opset 13) needs its values`);
      expect(r.stdout).toMatch(/^y: f32\[3,2\] \{ \{ -1, 2 \}, \{ -3, 4 \}, \{ -5, 6 \} \}/);
    }
    const unbound = kiln(['run', m, '--input', `x=${x}`]);
    expect(unbound.status).toBe(3);
    expect(unbound.stderr).toMatch(/node 'r' \(Reshape, opset 13\): input 1 \(.*\) must be known at compile time/);
  });

  it('takes weights made parameters (--weights-as-params) by their ONNX names too', () => {
    const m = writeOnnx(at('weights.onnx'), [{ opType: 'Add', input: ['x', 'onnx::w'], output: ['y'] }],
      [tensor('x', 'f32', [2])], [tensor('y', 'f32', [2])], [weight('onnx::w', [2], [1, 2])]);
    const x = writeArray(at('x2.npy'), 'f32', [2], [10, 20]);
    expect(kiln(['run', m, '--input', `x=${x}`]).stdout).toMatch(/^y: f32\[2\] \{11, 22\}/);
    const w = writeArray(at('w2.npy'), 'f32', [2], [100, 200]);
    const r = kiln(['run', m, '--weights-as-params', '--input', `x=${x}`, '--input', `onnx::w=${w}`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^y: f32\[2\] \{110, 220\}/);
  });
});
