// The CUDA C a test kernel sees when tests/cuda/fake_kernels.cpp is built for the CPU with
// g++: `__global__` as an exported C function, and the launch coordinates as plain globals
// that the fake driver (fake_libcuda.cpp) sets through kiln_fake_set_coords before each
// thread's call. Threads run one after another, so kernels here must not need
// __syncthreads (kiln's CPU emulation of CUDA, targets/cuda/cpu, runs threads as fibers
// and will replace this shim).
#pragma once

struct dim3 { unsigned x, y, z; };

#define __global__ extern "C" __attribute__((visibility("default")))

// cuLaunchKernel is not told how many parameters a kernel has (the real driver reads it
// from the module); the fake reads it from this symbol, `<entry>__params`.
#define KILN_FAKE_PARAMS(entry, n) extern "C" __attribute__((visibility("default"))) const int entry##__params = n;

extern dim3 gridDim, blockDim, blockIdx, threadIdx;
