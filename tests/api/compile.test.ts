// The library's compile(): HLO text, ONNX bytes and a Module, on every backend present,
// against the interpreter; inputs by name and by position; dispose; and failures as
// KilnErrors with the CLI's exit codes. From the sources (the built package is
// tests/api/package.test.ts's).
import { describe, expect, it } from 'vitest';
import { compile, KilnError, type BackendName, type Executable, type Output } from '../../compiler/index.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { webgpuUnavailable } from '../../compiler/webgpu_backend.js';
import { onnxBytes, tensor, weight } from '../cli/kiln.js';

const gpuWhy = await webgpuUnavailable();
const BACKENDS: BackendName[] = ['interpreter', 'kernels', 'wasm', ...(gpuWhy ? [] : ['webgpu' as const])];
if (gpuWhy) console.log(`tests/api: webgpu skipped: ${gpuWhy}`);

const MLP = `HloModule mlp
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY e {
  x = f32[2,3] parameter(0)
  w = f32[3,4] parameter(1)
  d = f32[2,4] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  z = f32[] constant(0)
  r = f32[2] reduce(d, z), dimensions={1}, to_apply=add
  ROOT t = (f32[2,4], f32[2]) tuple(d, r)
}`;

const INT64 = `HloModule wide
ENTRY e {
  i = s64[3] parameter(0)
  ROOT n = s64[3] negate(i)
}`;

const x = Float32Array.from([1, -2, 3, 0.5, 4, -1]);
const w = Float32Array.from({ length: 12 }, (_, i) => (i % 5) - 2.5);

/** Outputs agree with the interpreter's within f32 rounding of a short dot. */
function expectClose(actual: Record<string, Output>, expected: Record<string, Output>): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    expect({ name: a.name, dtype: a.dtype, dims: a.dims }).toEqual({ name: e.name, dtype: e.dtype, dims: e.dims });
    expect(a.data.constructor).toBe(e.data.constructor);
    Array.from(a.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(Number(e.data[i]), 4));
  }
}

async function runAndDispose(exe: Executable, inputs: Parameters<Executable['run']>[0]): Promise<Record<string, Output>> {
  try {
    return await exe.run(inputs);
  } finally {
    await exe.dispose();
  }
}

describe('compile(): HLO text', async () => {
  const oracle = await runAndDispose(await compile(MLP, { backend: 'interpreter' }), { x, w });

  it('names inputs and outputs as an artifact does, and computes the dot', () => {
    expect(Object.keys(oracle)).toEqual(['d', 'r']);
    expect(oracle.d.dims).toEqual([2, 4]);
    expect(oracle.r.data).toBeInstanceOf(Float32Array);
    // x row 0 · w column 0: 1*-2.5 + -2*1.5 + 3*0.5 (w = (i % 5) - 2.5 row-major)
    expect(oracle.d.data[0]).toBeCloseTo(1 * -2.5 + -2 * 1.5 + 3 * 0.5, 5);
  });

  it.each(BACKENDS)('%s agrees with the interpreter, inputs by name and by position', async (backend) => {
    const exe = await compile(MLP, { backend });
    expect(exe.backend).toBe(backend);
    expect(exe.inputs).toEqual([{ name: 'x', dtype: 'f32', dims: [2, 3] }, { name: 'w', dtype: 'f32', dims: [3, 4] }]);
    expect(exe.outputs.map((t) => t.name)).toEqual(['d', 'r']);
    expect(Object.isFrozen(exe.outputs[0].dims)).toBe(true);
    expectClose(await exe.run({ x, w }), oracle);
    expectClose(await exe.run([x, w]), oracle);
    await exe.dispose();
    await expect(exe.run([x, w])).rejects.toMatchObject({ name: 'KilnError', code: 2, message: expect.stringMatching(/after dispose/) });
  });

  it('runs on two wasm threads as on one', async () => {
    expectClose(await runAndDispose(await compile(MLP, { backend: 'wasm', threads: 2 }), { x, w }), oracle);
  });

  it.each(BACKENDS)('%s takes and gives s64 as BigInt64Array, exactly', async (backend) => {
    const big = BigInt64Array.from([2n ** 62n + 1n, -5n, 0n]);
    const out = await runAndDispose(await compile(INT64, { backend }), [big]);
    expect(out.n.dtype).toBe('s64');
    expect([...(out.n.data as BigInt64Array)]).toEqual([-(2n ** 62n) - 1n, 5n, 0n]);
  });
});

describe('compile(): ONNX bytes and Modules', () => {
  // y = relu(x @ W): an input whose name is no identifier, an initializer.
  const model = onnxBytes(
    [{ opType: 'MatMul', input: ['onnx::x', 'W'], output: ['h'] }, { opType: 'Relu', input: ['h'], output: ['y'] }],
    [tensor('onnx::x', 'f32', [2, 3])], [tensor('y', 'f32', [2, 4])], [weight('W', [3, 4], Array.from(w))],
  );

  it.each(BACKENDS)('%s runs an ONNX model by its own input and output names', async (backend) => {
    const exe = await compile(model, { backend, name: 'relu.onnx' });
    expect(exe.inputs).toEqual([{ name: 'onnx::x', dtype: 'f32', dims: [2, 3] }]);
    const out = await runAndDispose(exe, { 'onnx::x': x });
    const d = (await runAndDispose(await compile(MLP, { backend: 'interpreter' }), { x, w })).d.data;
    expect(Array.from(out.y.data as Float32Array)).toEqual(Array.from(d as Float32Array, (v) => Math.max(v, 0)));
  });

  it("takes an ONNX input by kiln's parameter name too", async () => {
    const out = await runAndDispose(await compile(model, { backend: 'interpreter' }), { onnx__x: x });
    expect(out.y.dims).toEqual([2, 4]);
  });

  it('compiles a Module', async () => {
    const m = parseHlo(MLP, 'mlp.hlo');
    expectClose(await runAndDispose(await compile(m, { backend: 'wasm' }), { x, w }), await runAndDispose(await compile(m, { backend: 'interpreter' }), [x, w]));
  });
});

describe('compile(): failures are KilnErrors with the CLI exit code', () => {
  const fails = async (p: Promise<unknown>) => {
    const e = await p.then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(KilnError);
    return e as KilnError;
  };

  it('malformed HLO: code 3, naming line and column', async () => {
    const e = await fails(compile('HloModule m\nENTRY e {\n  ROOT z = f32[] bogus()\n}', { name: 'bad.hlo' }));
    expect({ code: e.code, kind: e.kind }).toEqual({ code: 3, kind: 'error' });
    expect(e.message).toMatch(/^bad\.hlo:3:\d+: .*bogus/);
  });

  it('an invalid module (the verifier): code 3', async () => {
    const e = await fails(compile('HloModule m\nENTRY e {\n  a = f32[2] parameter(0)\n  ROOT b = f32[3] negate(a)\n}', { backend: 'interpreter' }));
    expect(e.code).toBe(3);
  });

  it('bytes that are no ONNX model: code 3', async () => {
    const e = await fails(compile(new Uint8Array([1, 2, 3, 255, 255]), { name: 'junk.onnx' }));
    expect(e.code).toBe(3);
    expect(e.message).toMatch(/junk\.onnx/);
  });

  it('an ONNX op kiln does not import: code 4', async () => {
    const m = onnxBytes([{ opType: 'NoSuchOp', input: ['x'], output: ['y'] }], [tensor('x', 'f32', [2])], [tensor('y', 'f32', [2])]);
    expect((await fails(compile(m, { backend: 'interpreter' }))).code).toBe(4);
  });

  it('bad options: code 2', async () => {
    expect((await fails(compile(MLP, { backend: 'cuda' as BackendName }))).code).toBe(2);
    expect((await fails(compile(MLP, { threads: 0 }))).code).toBe(2);
    expect((await fails(compile(42 as unknown as string))).code).toBe(2);
    expect((await fails(compile(MLP, null as unknown as undefined))).code).toBe(2);
    expect((await fails(compile(MLP, { backend: 'interpreter', threads: 2 }))).message).toMatch(/wasm backend only/);
  });

  it('wrong inputs: code 3, saying which and why', async () => {
    const exe = await compile(MLP, { backend: 'interpreter' });
    expect((await fails(exe.run({ x }))).message).toMatch(/input 'w' is missing/);
    expect((await fails(exe.run({ x, w, v: x }))).message).toMatch(/no input named 'v'/);
    expect((await fails(exe.run([x]))).message).toMatch(/takes 2 inputs/);
    const e = await fails(exe.run({ x: Int32Array.from(x), w }));
    expect(e.code).toBe(3);
    expect(e.message).toMatch(/input 'x' is f32 and wants a Float32Array, got Int32Array/);
    expect((await fails(exe.run({ x: x.subarray(1), w }))).message).toMatch(/input 'x' has shape \[2, 3\]/);
  });
});
