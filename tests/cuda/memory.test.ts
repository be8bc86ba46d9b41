// Loads and stores of every storage type as CUDA C on cuda-cpu, widening to each compute
// type and narrowing back (HLO convert rounding: f16/bf16 round to nearest even, narrow
// ints saturate from floats and wrap from ints), scalar and 4-lane, 64 threads storing
// neighbouring narrow elements at once. tests/wasm/memory.test.ts is the same test on wasm
// (the program and values are tests/kernel_cases.ts's); all programs build in one g++ call.
import { beforeAll, describe, it } from 'vitest';
import { STORAGE_TYPES, type ScalarType } from '../../ir/kernel/kernel.js';
import type { TypedArray } from '../../runtime/core/dtype.js';
import { fill, referenceAll } from '../wasm/harness.js';
import { expectClose } from '../wasm/check.js';
import { loadStoreProgram, rawValues } from '../kernel_cases.js';
import { runCudaCpuMany, unavailable } from './harness.js';

const computes: ScalarType[] = ['f32', 's32', 'u32', 'pred', 'f64', 's64', 'u64'];
const cases = STORAGE_TYPES.map((src) => {
  const { program, buffers } = loadStoreProgram(src, STORAGE_TYPES, computes);
  const xs = rawValues(src);
  return { src, program, buffers, xs, inputs: { x: fill(src, xs) } };
});

describe.skipIf(unavailable)('cuda-cpu loads and stores', () => {
  let got: Record<string, TypedArray>[] = [];
  beforeAll(async () => { got = await runCudaCpuMany(cases); }, 300_000);
  for (const [i, c] of cases.entries()) {
    it(`from ${c.src}`, () => {
      const want = referenceAll(c.program, c.inputs);
      for (const buf of c.buffers.slice(1)) expectClose(`${c.src} → ${buf.name}`, buf.dtype, got[i][buf.name], want[buf.name], undefined, c.xs);
    });
  }
});
