// Loads and stores of every 32-bit-or-narrower storage type on WebGPU, widening to each
// compute type and narrowing back (HLO convert rounding: f16/bf16 round to nearest even,
// narrow ints saturate from floats and wrap from ints), scalar and 4-lane. Each kernel's
// parallel loop is 64 invocations storing neighbouring narrow elements into shared words
// at once: a lost byte would show as a wrong element (the atomic stores of memory.ts).
// tests/wasm/memory.test.ts is the same test on wasm, with 64-bit types (the program and
// values are tests/kernel_cases.ts's).
import { describe, it } from 'vitest';
import { STORAGE_TYPES, computeTypeOf, isWide, type ScalarType } from '../../ir/kernel/kernel.js';
import { fill, referenceAll } from '../wasm/harness.js';
import { expectClose } from '../wasm/check.js';
import { loadStoreProgram, rawValues } from '../kernel_cases.js';
import { runWebGpu, unavailable } from './harness.js';

const TYPES = STORAGE_TYPES.filter((t) => !isWide(computeTypeOf(t)));

describe.skipIf(unavailable)('webgpu loads and stores', () => {
  for (const src of TYPES) {
    it(`from ${src}`, async () => {
      const computes: ScalarType[] = ['f32', 's32', 'u32', 'pred'];
      const { program: p, buffers } = loadStoreProgram(src, TYPES, computes);
      const xs = rawValues(src);
      const inputs = { x: fill(src, xs) };
      const want = referenceAll(p, inputs) as typeof got, got = await runWebGpu(p, inputs);
      for (const buf of buffers.slice(1)) expectClose(`${src} → ${buf.name}`, buf.dtype, got[buf.name], want[buf.name], undefined, xs);
    });
  }
});
