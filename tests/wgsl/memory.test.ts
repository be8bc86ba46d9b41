// Loads and stores of every 32-bit-or-narrower storage type on WebGPU, widening to each
// compute type and narrowing back (HLO convert rounding: f16/bf16 round to nearest even,
// narrow ints saturate from floats and wrap from ints), scalar and 4-lane. Each kernel's
// parallel loop is 64 invocations storing neighbouring narrow elements into shared words
// at once: a lost byte would show as a wrong element (the atomic stores of memory.ts).
// tests/wasm/memory.test.ts is the same test on wasm, with 64-bit types.
import { describe, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import { STORAGE_TYPES, computeTypeOf, isWide, type ScalarType, type StorageType } from '../../ir/kernel/kernel.js';
import { fill, program, referenceAll, type BufferSpec, type KernelSpec } from '../wasm/harness.js';
import { expectClose } from '../wasm/check.js';
import { runWebGpu, unavailable } from './harness.js';

const N = 64;

/** Raw element values (bit patterns for f16/bf16) covering each type's edges. */
function raw(dt: StorageType): (number | bigint)[] {
  const rnd = (k: number) => Array.from({ length: k }, (_, i) => Math.sin(i * 12.9898 + 1) * 43758.5453 % 1);
  switch (dt) {
    case 'pred': return [0, 1, 2, 255, ...rnd(60).map((r) => (r > 0 ? 1 : 0))];
    case 's8': return [-128, 127, -1, 0, 1, 64, -65, 100, ...rnd(56).map((r) => Math.round(r * 127))];
    case 'u8': return [0, 255, 1, 128, 127, 200, 17, 3, ...rnd(56).map((r) => Math.round(Math.abs(r) * 255))];
    case 's16': return [-32768, 32767, -1, 0, 1, 1000, -1000, 12345, ...rnd(56).map((r) => Math.round(r * 32767))];
    case 'u16': return [0, 65535, 1, 32768, 32767, 40000, 7, 3, ...rnd(56).map((r) => Math.round(Math.abs(r) * 65535))];
    case 's32': return [-2147483648, 2147483647, -1, 0, 1, 16777217, -16777217, 65536, ...rnd(56).map((r) => Math.round(r * 2 ** 31))];
    case 'u32': return [0, 4294967295, 1, 2147483648, 2147483647, 16777217, 33554435, 65535, ...rnd(56).map((r) => Math.round(Math.abs(r) * 2 ** 32) >>> 0)];
    case 'f16': return [0, 0x8000, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x0001, 0x03ff, 0x0400, 0x8001, 0x3555, 0x4248, 0x7d00,
      ...rnd(48).map((r) => Math.round(Math.abs(r) * 65535))];
    case 'bf16': return [0, 0x8000, 0x3f80, 0xbf80, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x0001, 0x007f, 0x0080, 0x8001, 0x3eaa, 0x4049, 0x7fa0,
      ...rnd(48).map((r) => Math.round(Math.abs(r) * 65535))];
    case 'f32': return [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 65504, 65519, 65520, -65520, 1e-8, 6e-8, 3e-8, 2.98e-8, 1e10, -1e10, 300, -300, 255.5, -128.5,
      127.5, 40000, 1e-40, -1e-45, Infinity, -Infinity, NaN, 3.4e38, 1.0009765625, 1.00048828125, 1.000732421875, 0.333333, 2 ** -14, 2 ** -24,
      2 ** -25, 1.5 * 2 ** -25, 4294967296, 4294967040, -2147483904, 2147483520, ...rnd(22).map((r) => r * 1000)].map(Math.fround);
    default: throw new Error(`no 64-bit types on WebGPU: ${dt}`);
  }
}

const TYPES = STORAGE_TYPES.filter((t) => !isWide(computeTypeOf(t)));

describe.skipIf(unavailable)('webgpu loads and stores', () => {
  for (const src of TYPES) {
    it(`from ${src}`, async () => {
      const buffers: BufferSpec[] = [{ name: 'x', dtype: src, size: N, role: 'input' }];
      const kernels: KernelSpec[] = [];
      const i = b.variable('i'), j4 = b.mul(b.variable('j'), b.int(4));
      // Load as each compute type (widening, with convert when it differs from the storage's own).
      const computes: ScalarType[] = ['f32', 's32', 'u32', 'pred'];
      for (const ct of computes) for (const dst of TYPES) {
        if (ct !== computeTypeOf(src) && ct !== computeTypeOf(dst)) continue;
        const name = `${ct}.${dst}`;
        buffers.push({ name, dtype: dst, size: N, role: 'output' });
        kernels.push({ name: `s_${ct}_${dst}`, args: ['x', name], body: [b.loop('i', 0, N, [b.store(1, i, b.load(0, i, ct))], 'parallel')] });
        buffers.push({ name: `${name}.v`, dtype: dst, size: N, role: 'output' });
        kernels.push({ name: `v_${ct}_${dst}`, args: ['x', `${name}.v`], body: [b.loop('j', 0, N / 4, [b.store(1, j4, b.load(0, j4, ct, 4))], 'parallel')] });
      }
      const p = program(`mem_${src}`, buffers, kernels);
      const xs = raw(src);
      const inputs = { x: fill(src, xs) };
      const want = referenceAll(p, inputs) as typeof got, got = await runWebGpu(p, inputs);
      for (const buf of buffers.slice(1)) expectClose(`${src} → ${buf.name}`, buf.dtype, got[buf.name], want[buf.name], undefined, xs);
    });
  }
});
