// The kernel IR's operators over edge values as CUDA C, on cuda-cpu: tests/ops_suite.ts.
import { compileCuda } from '../../targets/cuda/index.js';
import { opsSuite } from '../ops_suite.js';
import { runCudaCpu, unavailable } from './harness.js';

opsSuite({ name: 'cuda-cpu', unavailable, compile: compileCuda, run: runCudaCpu });
