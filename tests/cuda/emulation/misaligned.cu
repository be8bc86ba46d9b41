// Reads float4s at element offset 0 (aligned) or 1 (argv[2] == "misaligned"): a GPU faults
// on the second; the ASan build's alignment check must abort on it, and pass the first.
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>

extern "C" __global__ void PFX_sum4(const float* x, float* y, int at) {
  const float4 v = *reinterpret_cast<const float4*>(x + at + 4 * (int)threadIdx.x);
  y[threadIdx.x] = v.x + v.y + v.z + v.w;
}

extern "C" int PFX_main(int argc, char** argv) {
  const bool misaligned = argc > 2 && !strcmp(argv[2], "misaligned");
  float host[40];
  for (int i = 0; i < 40; i++) host[i] = (float)i;
  float *x, *y;
  if (cudaMalloc((void**)&x, sizeof host) != cudaSuccess || cudaMalloc((void**)&y, 8 * sizeof(float)) != cudaSuccess) return 1;
  cudaMemcpy(x, host, sizeof host, cudaMemcpyHostToDevice);
  KILN_LAUNCH(PFX_sum4, dim3(1), dim3(8), nullptr, x, y, misaligned ? 1 : 0);
  float first;
  cudaMemcpy(&first, y, sizeof first, cudaMemcpyDeviceToHost);
  printf("first %.0f\n", first);
  cudaFree(x);
  cudaFree(y);
  return 0;
}
