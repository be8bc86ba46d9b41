// The runtime's guards against what a caller or a damaged model.json can hand it: inputs
// reused right after run(), typed arrays that lie about their size, absurd thread counts,
// manifests with impossible sizes. The model is a hand-written module whose run does
// nothing, with outputs at the inputs' addresses: an output shows exactly what was copied in.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadModel, type TypedArray } from '../../runtime/wasm/index.js';
import type { WasmManifest } from '../../runtime/wasm/manifest.js';

/** (module (import "env" "memory" (memory 1 [65536 shared])) (func (export "run_thread") (param i32 i32))) */
function identityWasm(shared: boolean): Uint8Array {
  const limits = shared ? [0x03, 0x01, 0x80, 0x80, 0x04] : [0x00, 0x01];
  const imports = [0x01, 0x03, ...'env'.split('').map((c) => c.charCodeAt(0)), 0x06, ...'memory'.split('').map((c) => c.charCodeAt(0)), 0x02, ...limits];
  const exports = [0x01, 0x0a, ...'run_thread'.split('').map((c) => c.charCodeAt(0)), 0x00, 0x00];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00,
    0x02, imports.length, ...imports,
    0x03, 0x02, 0x01, 0x00,
    0x07, exports.length, ...exports,
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,
  ]);
}

// 'b' is written first but lies above 'a': a copy that overruns 'a' lands in 'b'.
const b = { name: 'b', dtype: 'f32', dims: [4], offset: 80, bytes: 16 } as const;
const a = { name: 'a', dtype: 'f32', dims: [4], offset: 64, bytes: 16 } as const;
const MANIFEST: WasmManifest = {
  format: 'kiln-wasm/1', name: 'identity', shared: false,
  memory: {
    scratchBytes: 64, constantsOffset: 64, constantsBytes: 0, constantsEmbedded: true, arenaOffset: 64, arenaBytes: 64,
    stackOffset: 128, stackBytesPerThread: 16, barrier: { count: 0, generation: 4, abort: 8 },
  },
  inputs: [b, a],
  outputs: [b, a],
};

const load = (manifest: Omit<Partial<WasmManifest>, 'memory'> & { memory?: Partial<WasmManifest['memory']> } = {}, threads?: number) =>
  loadModel(identityWasm(manifest.shared ?? false), { ...MANIFEST, ...manifest, memory: { ...MANIFEST.memory, ...manifest.memory } }, { threads });

const f32 = (...xs: number[]) => Float32Array.from(xs);
const values = (x: TypedArray) => Array.from(x as Float32Array);

describe('wasm runtime guards', () => {
  it('takes the inputs when run() is called, so the caller may reuse its arrays at once', async () => {
    const model = await load();
    const x = f32(1, 2, 3, 4), y = f32(5, 6, 7, 8);
    const first = model.run({ a: x, b: y });
    x.fill(-1);
    y.fill(-1);
    // A second run queued behind the first keeps its own inputs too.
    const second = model.run({ a: f32(9, 9, 9, 9), b: y });
    y.fill(-2);
    expect(values((await first).a)).toEqual([1, 2, 3, 4]);
    expect(values((await first).b)).toEqual([5, 6, 7, 8]);
    expect(values((await second).a)).toEqual([9, 9, 9, 9]);
    expect(values((await second).b)).toEqual([-1, -1, -1, -1]);
  });

  it('refuses a typed array whose length getter lies, before it overruns its slot', async () => {
    const model = await load();
    class Short extends Float32Array {
      override get length() { return 4; }
    }
    const lying = new Short(8).fill(7);
    await expect(model.run({ a: lying, b: f32(0, 0, 0, 0) })).rejects.toThrow(/input 'a' has shape \[4\] \(4 elements\), got 8/);
  });

  it('copies the real bytes of a view whose byteLength getter lies', async () => {
    const model = await load();
    class Long extends Float32Array {
      override get byteLength() { return 32; }
    }
    const backing = f32(1, 2, 3, 4, 66, 66, 66, 66);
    const out = await model.run({ a: new Long(backing.buffer, 0, 4), b: f32(5, 6, 7, 8) });
    expect(values(out.a)).toEqual([1, 2, 3, 4]);
    expect(values(out.b)).toEqual([5, 6, 7, 8]);
  });

  it('checks the element type from the view itself, not instanceof', async () => {
    const model = await load();
    const fake = new Int32Array(4);
    Object.setPrototypeOf(fake, Float32Array.prototype);
    await expect(model.run({ a: fake as unknown as Float32Array, b: f32(0, 0, 0, 0) })).rejects.toThrow(/wants a Float32Array, got Int32Array/);
  });

  it.each([
    [0, RangeError, /integer ≥ 1, got 0/],
    [-1, RangeError, /got -1/],
    [NaN, RangeError, /got NaN/],
    [1.5, RangeError, /got 1.5/],
    ['2', TypeError, /got string 2/],
  ])('refuses threads = %s', async (threads, kind, message) => {
    await expect(load({}, threads as number)).rejects.toThrow(kind);
    await expect(load({}, threads as number)).rejects.toThrow(message);
  });

  it('clamps a huge thread count to the hardware, quickly', async () => {
    const t0 = performance.now();
    const model = await load({ shared: true }, 100_000);
    try {
      expect(model.threads).toBeLessThanOrEqual(availableParallelism());
      expect(values((await model.run({ a: f32(1, 2, 3, 4), b: f32(5, 6, 7, 8) })).a)).toEqual([1, 2, 3, 4]);
    } finally {
      model.dispose();
    }
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it.each([
    [{ arenaBytes: 2 ** 33, stackOffset: 2 ** 33 + 128 }, /memory.arenaBytes is 8589934592, not an integer in \[0, 2\^32\]/],
    [{ arenaBytes: 2 ** 32 - 64, stackOffset: 2 ** 32 }, /needs 4294967312 bytes, more than wasm32's 4 GiB/],
    [{ arenaBytes: 64.5 }, /memory.arenaBytes is 64.5/],
    [{ stackBytesPerThread: -16 }, /stackBytesPerThread is -16/],
    [{ arenaBytes: 256 }, /arenaBytes 256 overlaps the stacks at 128/],
  ])('refuses a manifest with memory %o', async (memory, message) => {
    await expect(load({ memory })).rejects.toThrow(message);
  });

  it('refuses a manifest whose tensor lies outside the memory or disagrees with its shape', async () => {
    await expect(load({ inputs: [b, { ...a, offset: 120 }] })).rejects.toThrow(/tensor 'a' at 120 \(\+16 bytes\) is outside the memory below 128/);
    await expect(load({ outputs: [b, { ...a, dims: [8] }] })).rejects.toThrow(/tensor 'a' is 16 bytes, too few for 8 f32 elements/);
    // The manifest core's checks: a dtype must be the table's own, not an Object.prototype key.
    await expect(load({ inputs: [b, { ...a, dtype: 'constructor' as 'f32' }] })).rejects.toThrow(/tensor 'a' has unknown dtype "constructor"/);
  });

  it.each([
    [{ weights: '../secrets.bin' }, /manifest weights is "..\/secrets.bin", not a file name inside the artifact/],
    [{ weights: '/etc/passwd' }, /manifest weights is "\/etc\/passwd"/],
    [{ modules: { simd128: 'https://example.com/x.wasm' } }, /manifest modules.simd128 is "https:/],
  ])('refuses a manifest that names a file outside the artifact: %o', async (manifest, message) => {
    await expect(load(manifest)).rejects.toThrow(message);
  });

  it('accepts file names inside the artifact', async () => {
    (await load({ weights: 'weights.bin', modules: { simd128: 'model.wasm', relaxedSimd: 'build/model.relaxed.wasm' } })).dispose();
  });
});
