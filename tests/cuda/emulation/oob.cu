// Stores n+1 elements into a buffer of n (argv[2] == "oob") or exactly n: ASan must catch
// the store one past the cudaMalloc'd buffer, and find nothing in the in-bounds run.
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

extern "C" __global__ void PFX_fill(float* y, int count) {
  const int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < count) y[i] = (float)i;
}

extern "C" int PFX_main(int argc, char** argv) {
  const int n = 100;
  const bool oob = argc > 2 && !strcmp(argv[2], "oob");
  float* y;
  if (cudaMalloc((void**)&y, n * sizeof(float)) != cudaSuccess) return 1;
  KILN_LAUNCH(PFX_fill, dim3(2), dim3(64), nullptr, y, oob ? n + 1 : n);
  float last;
  cudaMemcpy(&last, y + n - 1, sizeof last, cudaMemcpyDeviceToHost);
  printf("last %.0f\n", last);
  cudaFree(y);
  return 0;
}
