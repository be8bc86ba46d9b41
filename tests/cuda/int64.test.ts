// s64/u64 operators over edge values as CUDA C (C's own 64-bit integers), on cuda-cpu: tests/int64_suite.ts.
import type { TypedArray } from '../../runtime/core/dtype.js';
import { int64Suite } from '../int64_suite.js';
import { runCudaCpu, unavailable } from './harness.js';

int64Suite({ name: 'cuda-cpu', unavailable, run: async (p, inputs) => (await runCudaCpu(p, inputs)) as Record<string, TypedArray> });
