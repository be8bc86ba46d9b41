// Warp reductions by shuffles: an xor butterfly (every lane gets the sum) over float and
// int, and a shfl_down tree (lane 0 gets it) over unsigned, for 4 warps in each of 3 blocks.
#include <cuda_runtime.h>
#include <stdio.h>

extern "C" __global__ void PFX_warp_sums(const float* x, float* fsum, int* isum, unsigned* usum, unsigned* ballots) {
  const int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
  float f = x[i];
  int n = (int)x[i];
  unsigned u = (unsigned)x[i] * 3u;
  for (int m = 16; m > 0; m >>= 1) {
    f += __shfl_xor_sync(0xffffffffu, f, m);
    n += __shfl_xor_sync(0xffffffffu, n, m);
  }
  for (int d = 16; d > 0; d >>= 1) u += __shfl_down_sync(0xffffffffu, u, d);
  const unsigned odd = __ballot_sync(0xffffffffu, ((int)x[i]) & 1);
  fsum[i] = f;
  isum[i] = n;
  if ((threadIdx.x & (warpSize - 1)) == 0) { usum[i / 32] = u; ballots[i / 32] = odd; }
}

// Prints, per warp, the xor sums of lane 0 and lane 31 (they must agree), the shfl_down
// sum and the ballot of odd inputs.
extern "C" int PFX_main(int, char**) {
  const int blocks = 3, threads = 128, n = blocks * threads, warps = n / 32;
  static float x[n];
  for (int i = 0; i < n; i++) x[i] = (float)((i * 7) % 13);
  float *dx, *fs; int* is; unsigned *us, *bs;
  cudaMalloc((void**)&dx, sizeof x); cudaMalloc((void**)&fs, sizeof x); cudaMalloc((void**)&is, n * sizeof(int));
  cudaMalloc((void**)&us, warps * sizeof(unsigned)); cudaMalloc((void**)&bs, warps * sizeof(unsigned));
  cudaMemcpy(dx, x, sizeof x, cudaMemcpyHostToDevice);
  KILN_LAUNCH(PFX_warp_sums, dim3(blocks), dim3(threads), nullptr, (const float*)dx, fs, is, us, bs);
  static float f[n]; static int s[n]; unsigned u[warps], b[warps];
  cudaMemcpy(f, fs, sizeof f, cudaMemcpyDeviceToHost); cudaMemcpy(s, is, sizeof s, cudaMemcpyDeviceToHost);
  cudaMemcpy(u, us, sizeof u, cudaMemcpyDeviceToHost); cudaMemcpy(b, bs, sizeof b, cudaMemcpyDeviceToHost);
  for (int w = 0; w < warps; w++) printf("%.0f %.0f %d %d %u %08x\n", f[w * 32], f[w * 32 + 31], s[w * 32], s[w * 32 + 31], u[w], b[w]);
  return 0;
}
