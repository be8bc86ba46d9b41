// Records the order in which threads run: each appends its global index to a log. In
// index order the log is 0, 1, 2, ...; shuffled it is a permutation that depends on the seed.
#include <cuda_runtime.h>
#include <stdio.h>

extern "C" __global__ void PFX_record(unsigned* counter, unsigned* log) {
  log[atomicAdd(counter, 1u)] = blockIdx.x * blockDim.x + threadIdx.x;
}

extern "C" int PFX_main(int, char**) {
  const int n = 4 * 64;
  unsigned *counter, *log;
  cudaMalloc((void**)&counter, sizeof(unsigned));
  cudaMalloc((void**)&log, n * sizeof(unsigned));
  cudaMemset(counter, 0, sizeof(unsigned));
  KILN_LAUNCH(PFX_record, dim3(4), dim3(64), nullptr, counter, log);
  static unsigned out[n];
  cudaMemcpy(out, log, sizeof out, cudaMemcpyDeviceToHost);
  for (int i = 0; i < n; i++) printf("%s%u", i ? " " : "", out[i]);
  printf("\n");
  return 0;
}
