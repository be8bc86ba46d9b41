// Block tree reduction in shared memory: each block of 256 threads sums 256 inputs.
// The test deletes the line marked DELETE-ME to show the scheduler breaks a missing barrier.
#include <cuda_runtime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern "C" __global__ void __launch_bounds__(256) PFX_reduce(const float* __restrict__ x, float* __restrict__ y) {
  __shared__ float sums[256];
  const int lid = (int)threadIdx.x, wid = (int)blockIdx.x;
  sums[lid] = x[wid * 256 + lid];
  __syncthreads();  // DELETE-ME
  for (int s = 128; s > 0; s >>= 1) {
    if (lid < s) sums[lid] += sums[lid + s];
    __syncthreads();
  }
  if (lid == 0) y[wid] = sums[0];
}

// Prints each block's sum (integers, so exact) on one line.
extern "C" int PFX_main(int, char**) {
  const int blocks = 8, n = blocks * 256;
  float* host = (float*)malloc(n * sizeof(float));
  for (int i = 0; i < n; i++) host[i] = (float)(i % 97);
  float *x, *y;
  if (cudaMalloc((void**)&x, n * sizeof(float)) != cudaSuccess || cudaMalloc((void**)&y, blocks * sizeof(float)) != cudaSuccess) return 1;
  cudaMemcpy(x, host, n * sizeof(float), cudaMemcpyHostToDevice);
  cudaStream_t stream = nullptr;
  KILN_LAUNCH(PFX_reduce, dim3(blocks, 1, 1), dim3(256, 1, 1), stream, (const float*)x, y);
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) { fprintf(stderr, "%s\n", cudaGetErrorString(e)); return 1; }
  cudaStreamSynchronize(stream);
  float out[blocks];
  cudaMemcpy(out, y, sizeof out, cudaMemcpyDeviceToHost);
  for (int b = 0; b < blocks; b++) printf("%s%.0f", b ? " " : "", out[b]);
  printf("\n");
  cudaFree(x);
  cudaFree(y);
  free(host);
  return 0;
}
