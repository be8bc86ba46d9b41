// s64/u64 operators over edge values on WebGPU (emulated on vec2<u32>): tests/int64_suite.ts;
// and WGSL's refusal of f64.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import type { TypedArray } from '../../runtime/wasm/index.js';
import { compileWgsl } from '../../targets/wgsl/index.js';
import { NotSupported } from '../../targets/wgsl/errors.js';
import { int64Suite } from '../int64_suite.js';
import { scalarKernel as kernel } from '../kernel_cases.js';
import { program } from '../wasm/harness.js';
import { runWebGpu, unavailable } from './harness.js';

int64Suite({ name: 'webgpu', unavailable, run: async (p, inputs) => (await runWebGpu(p, inputs)) as Record<string, TypedArray> });

describe('webgpu and f64', () => {
  it('refuses f64, naming the kernel', () => {
    const p = program('f64', [{ name: 'x', dtype: 's64', size: 4, role: 'input' }, { name: 'y', dtype: 'f64', size: 4, role: 'output' }],
      [kernel('k_f64', 'y', ['x'], ['s64'], 4, ([x]) => b.convert(x, 'f64'))]);
    expect(() => compileWgsl(p)).toThrow(NotSupported);
    expect(() => compileWgsl(p)).toThrow('k_f64: f64 buffer y: WGSL has no 64-bit floats');
  });
});
