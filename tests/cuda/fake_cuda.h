// The CUDA C a test kernel sees when tests/cuda/fake_kernels.cpp is built for the CPU with
// g++: kiln's CPU emulation of CUDA (targets/cuda/cpu/include, on the include path), whose
// launches the fake driver (fake_libcuda.cpp) runs. A kernel is exported by its C name, as
// an `extern "C" __global__` function of a PTX module is, so the fake finds it with dlsym.
#pragma once
#include <cuda_runtime.h>

#define KERNEL extern "C" __attribute__((visibility("default"))) __global__
