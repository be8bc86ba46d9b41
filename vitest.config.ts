import { defineConfig } from 'vitest/config';
import { hasRelaxedSimd } from './runtime/wasm/index.js';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'tmp/**'],
    testTimeout: 120_000,
    // Hooks build things (g++, nvcc, exports) on two shared cores: 10 s, the default, is not enough.
    hookTimeout: 300_000,
    pool: 'forks',
    // Test on an engine with relaxed SIMD, as browsers and Node 22+ ship it: the wasm
    // backend then runs dots and convolutions with fused multiply-adds (Node 20 has them
    // behind this flag). The plain SIMD128 builds are tested too (tests/wasm/relaxed_simd).
    poolOptions: { forks: { execArgv: hasRelaxedSimd() ? [] : ['--experimental-wasm-relaxed-simd'] } },
  },
});
