// Kernels for tests/cuda/runtime.test.ts, compiled for the CPU (g++ -shared, against kiln's
// CPU emulation of CUDA) and loaded by the fake driver in place of the PTX module. Each is
// the CUDA C a compiled artifact would hold for the test's hand-made manifest.
#include "fake_cuda.h"

// y = x * 2, one thread per element over a 1-D grid.
KERNEL void test_twice(const float* x, float* y) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  y[i] = x[i] * 2.0f;
}

// z = y + w (w a weight, in the constants region); 2-D blocks, so threadIdx.y counts.
KERNEL void test_add(const float* y, const float* w, float* z) {
  unsigned i = blockIdx.x * blockDim.x * blockDim.y + threadIdx.y * blockDim.x + threadIdx.x;
  z[i] = y[i] + w[i];
}

// A while loop's condition: pred = counter < 5.
KERNEL void test_less5(const int* counter, unsigned char* pred) {
  *pred = *counter < 5;
}

// Its body: counter += 1 (thread 0), z[i] += 1 (every thread).
KERNEL void test_step(int* counter, float* z) {
  if (threadIdx.x == 0) *counter += 1;
  z[threadIdx.x] += 1.0f;
}

// A conditional's branch: z = -z.
KERNEL void test_negate(float* z) {
  z[threadIdx.x] = -z[threadIdx.x];
}
