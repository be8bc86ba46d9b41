// runtime/cuda on a fake driver (fake_libcuda.cpp, built here with g++): a hand-made
// manifest of two launches, a while loop and a switch runs through the real runtime code
// and the real koffi binding; only the driver and the kernels (fake_kernels.cpp, for the
// CPU) stand in for NVIDIA's. It proves the runtime's side of the contract — checks,
// addresses, kernelParams, copies, control flow, errors, cleanup — not that PTX runs on a GPU.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildFakeDriver, buildFakeKernels } from './fake_driver.js';
import { CudaError, CudaUnavailable, cudaUnavailable, loadModel, type CudaArg, type CudaManifest, type CudaStep, type Model } from '../../runtime/cuda/index.js';

const HERE = import.meta.dirname;
const haveGxx = spawnSync('g++', ['--version']).status === 0;
const haveRealDriver = /libcuda\.so\.1\b/.test(spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout ?? '');

const A = (offset: number) => ({ region: 'arena', offset }) as const;
const C = (offset: number) => ({ region: 'constants', offset }) as const;
const launch = (kernel: number, grid: [number, number, number], block: [number, number, number], args: CudaArg[]): CudaStep =>
  ({ k: 'launch', kernel, grid, block, args });
const kernel = (entry: string, params: number) => ({ entry, source: entry, params, sharedBytes: 0 });

// Arena: x f32[8] @0, y @32, z @64, n s32 @96 (the loop counter, output `count` too), pred @100, sel s32 @104.
// z = x*2 + w; while (n < 5) { n++; z += 1 }; switch (sel) { 0: z = -z; default: nothing }.
const MANIFEST: CudaManifest = {
  format: 'kiln-cuda/1', name: 'fake', id: 'test', arch: 'sm_90', ptx: 'model.ptx', weights: 'weights.bin',
  constantsBytes: 32, arenaBytes: 112,
  inputs: [
    { name: 'x', dtype: 'f32', dims: [8], bytes: 32, offset: 0 },
    { name: 'n', dtype: 's32', dims: [], bytes: 4, offset: 96 },
    { name: 'sel', dtype: 's32', dims: [], bytes: 4, offset: 104 },
  ],
  outputs: [
    { name: 'z', dtype: 'f32', dims: [8], bytes: 32, offset: 64 },
    { name: 'count', dtype: 's32', dims: [], bytes: 4, offset: 96 },
  ],
  kernels: [kernel('test_twice', 2), kernel('test_add', 3), kernel('test_less5', 2), kernel('test_step', 2), kernel('test_negate', 1)],
  steps: [
    launch(0, [2, 1, 1], [4, 1, 1], [A(0), A(32)]),
    launch(1, [2, 1, 1], [2, 2, 1], [A(32), C(0), A(64)]),
    { k: 'while', cond: [launch(2, [1, 1, 1], [1, 1, 1], [A(96), A(100)])], pred: 100, body: [launch(3, [1, 1, 1], [8, 1, 1], [A(96), A(64)])] },
    { k: 'switch', index: 104, indexType: 's32', branches: [[launch(4, [1, 1, 1], [8, 1, 1], [A(64)])], []] },
  ],
};
const PTX = '// fake PTX\n.version 8.0\n.target sm_90\n';
const X = Float32Array.from({ length: 8 }, (_, i) => i + 0.5);
const W = Float32Array.from({ length: 8 }, (_, i) => 100 * i);
const WEIGHTS = new Uint8Array(W.buffer);

/** What the model computes, in JS. */
function expected(n: number, sel: number): { z: number[]; count: number } {
  const z = [...X].map((x, i) => (x * 2 + W[i] + Math.max(0, 5 - n)) * (sel === 0 ? -1 : 1));
  return { z, count: Math.max(n, 5) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a damaged manifest is any JSON
type Edit = (m: any) => void;
const edit = (f: Edit): CudaManifest => {
  const m = structuredClone(MANIFEST);
  f(m);
  return m;
};

describe.skipIf(!haveGxx)('runtime/cuda on the fake driver', () => {
  let dir: string;
  let library: string;
  let fake: { live(): number; modules(): number; retained(): number; lastImage(): string };
  // Every model a test loads is disposed after it, passed or failed, so the leak counts of the next test start at 0.
  const models: Model[] = [];
  const load = async (m: CudaManifest = MANIFEST, weights: Uint8Array | undefined = WEIGHTS) => {
    const model = await loadModel(PTX, m, { library, weights });
    models.push(model);
    return model;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-fake-cuda-'));
    [library] = await Promise.all([buildFakeDriver(dir), buildFakeKernels([join(HERE, 'fake_kernels.cpp')], join(dir, 'kernels.so'))]);
    process.env.KILN_FAKE_CUDA_KERNELS = join(dir, 'kernels.so');
    const koffi = (await import('koffi')).default;
    const lib = koffi.load(library);
    fake = {
      live: lib.func('int kiln_fake_live_allocations()'),
      modules: lib.func('int kiln_fake_live_modules()'),
      retained: lib.func('int kiln_fake_retained()'),
      lastImage: lib.func('const char *kiln_fake_last_image()'),
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    models.splice(0).forEach((m) => m.dispose());
    delete process.env.KILN_FAKE_CUDA_FAIL;
    delete process.env.KILN_FAKE_CUDA_DEVICES;
  });

  it('runs two launches, a while loop and a switch, inputs by name', async () => {
    const model = await load();
    expect(model.deviceName).toBe('Fake CUDA device 0 (CPU)');
    expect(fake.lastImage()).toBe(PTX); // NUL-terminated, intact
    for (const [n, sel] of [[0, 1], [2, 0], [7, 9], [5, -1]]) {
      const out = await model.run({ x: X, n: Int32Array.of(n), sel: Int32Array.of(sel) });
      const want = expected(n, sel);
      expect(out.z).toBeInstanceOf(Float32Array);
      expect([...out.z]).toEqual(want.z);
      expect([...out.count]).toEqual([want.count]);
    }
    model.dispose();
  });

  it('takes inputs in order, and queues runs one at a time', async () => {
    const model = await load();
    const runs = [[1, 0], [3, 1], [9, 0]].map(([n, sel]) => model.run([X, Int32Array.of(n), Int32Array.of(sel)]));
    const outs = await Promise.all(runs);
    outs.forEach((out, i) => expect([...out.z]).toEqual(expected([1, 3, 9][i], [0, 1, 0][i]).z));
    model.dispose();
  });

  it('reads a pred index for a switch (true → branch 0)', async () => {
    const model = await load(edit((m) => { m.steps[3].indexType = 'pred'; }));
    expect([...(await model.run([X, Int32Array.of(5), Int32Array.of(1)])).z]).toEqual(expected(5, 0).z);
    expect([...(await model.run([X, Int32Array.of(5), Int32Array.of(0)])).z]).toEqual(expected(5, 1).z);
    model.dispose();
  });

  it('frees what it allocated on dispose, and refuses runs after', async () => {
    const model = await load();
    expect([fake.live(), fake.modules(), fake.retained()]).toEqual([2, 1, 1]);
    model.dispose();
    expect([fake.live(), fake.modules(), fake.retained()]).toEqual([0, 0, 0]);
    await expect(model.run([X, Int32Array.of(0), Int32Array.of(0)])).rejects.toThrow(/kiln cuda: fake: disposed/);
  });

  it('refuses inputs of the wrong type, size or number', async () => {
    const model = await load();
    const n = Int32Array.of(0), sel = Int32Array.of(0);
    await expect(model.run({ x: new Int32Array(8), n, sel })).rejects.toThrow("kiln cuda: input 'x' is f32 and wants a Float32Array, got Int32Array");
    await expect(model.run({ x: new Float32Array(7), n, sel })).rejects.toThrow("kiln cuda: input 'x' has shape [8] (8 elements), got 7");
    await expect(model.run({ x: X, n })).rejects.toThrow("kiln cuda: fake: missing input 'sel'");
    await expect(model.run({ x: X, n, sel, y: X })).rejects.toThrow("kiln cuda: fake has no input 'y'");
    await expect(model.run([X, n])).rejects.toThrow('kiln cuda: fake takes 3 inputs (x, n, sel), got 2');
    model.dispose();
  });

  it('refuses a damaged manifest before touching the driver', async () => {
    const cases: [Edit, RegExp][] = [
      [(m) => { m.format = 'kiln-cuda/2'; }, /manifest format is "kiln-cuda\/2", not 'kiln-cuda\/1'/],
      [(m) => { m.steps[1].args[2].offset = 200; }, /manifest steps\[1\] arg 2 \(0 bytes at 200\) lies outside the arena \(112 bytes\)/],
      [(m) => { m.steps[1].args[1].offset = 33; }, /manifest steps\[1\] arg 1 .* lies outside the constants \(32 bytes\)/],
      [(m) => { m.steps[2].body[0].kernel = 5; }, /manifest steps\[2\]\.body\[0\] kernel is 5, not one of the 5 kernels/],
      [(m) => { m.steps[0].grid = [0, 1, 1]; }, /manifest steps\[0\] grid is \[0,1,1\], not three positive integers/],
      [(m) => { m.steps[0].block = [4.5, 1, 1]; }, /manifest steps\[0\] block/],
      [(m) => { m.steps[0].args.pop(); }, /manifest steps\[0\] args are not the 2 pointers test_twice takes/],
      [(m) => { m.steps[2].pred = 112; }, /manifest steps\[2\] pred .* lies outside the arena/],
      [(m) => { m.steps[3].index = 110; }, /manifest steps\[3\] index \(4 bytes at 110\) lies outside the arena/],
      [(m) => { m.outputs[0].offset = 100; }, /manifest tensor 'z' \(32 bytes at 100\) lies outside the arena/],
      [(m) => { m.kernels[0].entry = 'a b'; }, /manifest kernel 0 entry is "a b", not a C identifier/],
      [(m) => { m.steps.push({ k: 'jump' }); }, /manifest steps\[4\] has unknown kind "jump"/],
      [(m) => { m.weights = '../etc/passwd'; }, /manifest weights is "..\/etc\/passwd", not a file name inside the artifact/],
    ];
    for (const [f, message] of cases) await expect(load(edit(f))).rejects.toThrow(message);
    expect(fake.live()).toBe(0);
  });

  it('refuses weights of the wrong size, or none', async () => {
    await expect(load(MANIFEST, new Uint8Array(31))).rejects.toThrow('kiln cuda: fake: expected 32 bytes of weights (weights.bin), got 31');
    await expect(loadModel(PTX, MANIFEST, { library })).rejects.toThrow('kiln cuda: fake: expected 32 bytes of weights (weights.bin), got none');
  });

  it('surfaces a driver error naming the kernel, the call and the error, and runs again after', async () => {
    const model = await load();
    process.env.KILN_FAKE_CUDA_FAIL = 'cuLaunchKernel:719';
    const run = model.run([X, Int32Array.of(0), Int32Array.of(0)]);
    await expect(run).rejects.toBeInstanceOf(CudaError);
    await expect(run).rejects.toThrow('kiln cuda: fake: run: test_twice: cuLaunchKernel: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)');
    delete process.env.KILN_FAKE_CUDA_FAIL;
    expect([...(await model.run([X, Int32Array.of(0), Int32Array.of(0)])).z]).toEqual(expected(0, 0).z);
    model.dispose();
  });

  it('names a kernel missing from the module, and leaks nothing', async () => {
    const m = edit((x) => { x.kernels[4].entry = 'test_missing'; });
    await expect(load(m)).rejects.toThrow('kiln cuda: fake: test_missing: cuModuleGetFunction: CUDA_ERROR_NOT_FOUND (named symbol not found)');
    expect([fake.live(), fake.modules(), fake.retained()]).toEqual([0, 0, 0]);
  });

  it('is CudaUnavailable without a device, or without the one asked for', async () => {
    process.env.KILN_FAKE_CUDA_DEVICES = '0';
    await expect(load()).rejects.toThrow(new CudaUnavailable(`no CUDA device: the NVIDIA driver (${library}) sees none`));
    expect(await cudaUnavailable(library)).toBe(`no CUDA device: the NVIDIA driver (${library}) sees none`);
    delete process.env.KILN_FAKE_CUDA_DEVICES;
    await expect(loadModel(PTX, MANIFEST, { library, weights: WEIGHTS, device: 3 })).rejects.toBeInstanceOf(CudaUnavailable);
    expect(await cudaUnavailable(library)).toBeUndefined();
  });

  it('is CudaUnavailable when cuInit fails', async () => {
    const other = join(dir, 'libcuda-noinit.so.1'); // a second copy: the first is initialised already
    copyFileSync(library, other);
    process.env.KILN_FAKE_CUDA_FAIL = 'cuInit:100';
    const err = await loadModel(PTX, MANIFEST, { library: other, weights: WEIGHTS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CudaUnavailable);
    expect((err as Error).message).toBe(`the NVIDIA driver in ${other} did not initialise: cuInit: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)`);
  });
});

describe('runtime/cuda without a driver', () => {
  it('is CudaUnavailable for a library that is not there', async () => {
    const library = '/nonexistent/libcuda.so.1';
    const err = await loadModel(PTX, MANIFEST, { library, weights: WEIGHTS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CudaUnavailable);
    expect((err as Error).message).toMatch(/^no NVIDIA driver: \/nonexistent\/libcuda\.so\.1 could not be loaded \(.+\)$/);
    expect(await cudaUnavailable(library)).toBe((err as Error).message);
  });

  it.skipIf(haveRealDriver)('is CudaUnavailable by default on a machine without libcuda.so.1', async () => {
    expect(await cudaUnavailable()).toMatch(/^no NVIDIA driver: libcuda\.so\.1 could not be loaded \(.+\)$/);
    await expect(loadModel(PTX, MANIFEST, { weights: WEIGHTS })).rejects.toBeInstanceOf(CudaUnavailable);
  });
});
