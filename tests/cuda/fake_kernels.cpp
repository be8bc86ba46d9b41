// Kernels for tests/cuda/runtime.test.ts, compiled for the CPU (g++ -shared) and loaded by
// the fake driver in place of the PTX module. Each is the CUDA C a compiled artifact would
// hold for the test's hand-made manifest.
#include "fake_cuda.h"

dim3 gridDim, blockDim, blockIdx, threadIdx;

extern "C" __attribute__((visibility("default"))) void kiln_fake_set_coords(dim3 grid, dim3 block, dim3 b, dim3 t) {
  gridDim = grid; blockDim = block; blockIdx = b; threadIdx = t;
}

// y = x * 2, one thread per element over a 1-D grid.
__global__ void test_twice(const float* x, float* y) {
  unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  y[i] = x[i] * 2.0f;
}
KILN_FAKE_PARAMS(test_twice, 2)

// z = y + w (w a weight, in the constants region); 2-D blocks, so threadIdx.y counts.
__global__ void test_add(const float* y, const float* w, float* z) {
  unsigned i = blockIdx.x * blockDim.x * blockDim.y + threadIdx.y * blockDim.x + threadIdx.x;
  z[i] = y[i] + w[i];
}
KILN_FAKE_PARAMS(test_add, 3)

// A while loop's condition: pred = counter < 5.
__global__ void test_less5(const int* counter, unsigned char* pred) {
  *pred = *counter < 5;
}
KILN_FAKE_PARAMS(test_less5, 2)

// Its body: counter += 1 (thread 0), z[i] += 1 (every thread).
__global__ void test_step(int* counter, float* z) {
  if (threadIdx.x == 0) *counter += 1;
  z[threadIdx.x] += 1.0f;
}
KILN_FAKE_PARAMS(test_step, 2)

// A conditional's branch: z = -z.
__global__ void test_negate(float* z) {
  z[threadIdx.x] = -z[threadIdx.x];
}
KILN_FAKE_PARAMS(test_negate, 1)
