// A barrier only half of the block reaches: threads 0..15 return first.
#include <cuda_runtime.h>

extern "C" __global__ void PFX_divergent(float* y) {
  if (threadIdx.x < 16) return;
  y[threadIdx.x] = 1.0f;
  __syncthreads();
  y[threadIdx.x] += 1.0f;
}

extern "C" int PFX_main(int, char**) {
  float* y;
  cudaMalloc((void**)&y, 64 * sizeof(float));
  KILN_LAUNCH(PFX_divergent, dim3(2), dim3(64), nullptr, y);
  cudaFree(y);
  return 0;  // not reached: the launch aborts
}
