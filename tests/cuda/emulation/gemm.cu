// C = A·B for 64×64 matrices in 16×16 tiles staged through shared memory, two barriers
// per tile. The test deletes the line marked DELETE-ME (the barrier that keeps a fast
// thread from overwriting a tile others still read).
#include <cuda_runtime.h>
#include <stdio.h>

#define T 16
#define N 64

extern "C" __global__ void __launch_bounds__(256) PFX_gemm(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c) {
  __shared__ float as[T][T];
  __shared__ float bs[T][T];
  const int tx = (int)threadIdx.x, ty = (int)threadIdx.y;
  const int row = (int)blockIdx.y * T + ty, col = (int)blockIdx.x * T + tx;
  float acc = 0.0f;
  for (int k0 = 0; k0 < N; k0 += T) {
    as[ty][tx] = a[row * N + k0 + tx];
    bs[ty][tx] = b[(k0 + ty) * N + col];
    __syncthreads();
    for (int k = 0; k < T; k++) acc += as[ty][k] * bs[k][tx];
    __syncthreads();  // DELETE-ME
  }
  c[row * N + col] = acc;
}

// Prints how many of C's elements differ from a host product (small integers: exact).
extern "C" int PFX_main(int, char**) {
  static float a[N * N], b[N * N], c[N * N];
  for (int i = 0; i < N * N; i++) { a[i] = (float)(i % 7) - 3; b[i] = (float)(i % 5) - 2; }
  float *da, *db, *dc;
  cudaMalloc((void**)&da, sizeof a);
  cudaMalloc((void**)&db, sizeof b);
  cudaMalloc((void**)&dc, sizeof c);
  cudaMemcpy(da, a, sizeof a, cudaMemcpyHostToDevice);
  cudaMemcpy(db, b, sizeof b, cudaMemcpyHostToDevice);
  cudaMemsetAsync(dc, 0, sizeof c, nullptr);
  KILN_LAUNCH(PFX_gemm, dim3(N / T, N / T), dim3(T, T), nullptr, (const float*)da, (const float*)db, dc);
  cudaMemcpy(c, dc, sizeof c, cudaMemcpyDeviceToHost);
  int wrong = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      float s = 0;
      for (int k = 0; k < N; k++) s += a[i * N + k] * b[k * N + j];
      wrong += s != c[i * N + j];
    }
  printf("wrong %d\n", wrong);
  cudaFree(da); cudaFree(db); cudaFree(dc);
  return 0;
}
