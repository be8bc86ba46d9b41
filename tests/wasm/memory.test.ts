// Loads and stores of every storage type, widening to each compute type and narrowing
// back (HLO convert rounding: f16/bf16 round to nearest even, narrow ints saturate from
// floats and wrap from ints), scalar and 4-lane.
import { describe, it } from 'vitest';
import { STORAGE_TYPES, type ScalarType } from '../../ir/kernel/kernel.js';
import { fill, referenceAll, runWasmAll } from './harness.js';
import { expectClose } from './check.js';
import { loadStoreProgram, rawValues } from '../kernel_cases.js';

describe('wasm loads and stores', () => {
  for (const src of STORAGE_TYPES) {
    it(`from ${src}`, async () => {
      const computes: ScalarType[] = ['f32', 's32', 'u32', 'pred', 'f64', 's64', 'u64'];
      const { program: p, buffers } = loadStoreProgram(src, STORAGE_TYPES, computes);
      const xs = rawValues(src);
      const inputs = { x: fill(src, xs) };
      const want = referenceAll(p, inputs), got = await runWasmAll(p, inputs);
      for (const buf of buffers.slice(1)) expectClose(`${src} → ${buf.name}`, buf.dtype, got[buf.name], want[buf.name], undefined, xs);
    });
  }
});
