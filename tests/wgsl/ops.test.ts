// The kernel IR's operators over edge values on WebGPU (Deno, lavapipe here): tests/ops_suite.ts.
import { compileWgsl } from '../../targets/wgsl/index.js';
import { opsSuite } from '../ops_suite.js';
import { runWebGpu, unavailable } from './harness.js';

opsSuite({ name: 'webgpu', unavailable, compile: compileWgsl, run: runWebGpu });
