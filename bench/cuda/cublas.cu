// cuBLAS at the bench's matmul 4096 (bench/cuda/README.md): cublasSgemm (f32, default math
// mode: no TF32) and cublasGemmEx with f16 A, B and C and CUBLAS_COMPUTE_32F (f32
// accumulation, kiln's matmul-4096-f16), timed as bench.cu times kiln (bench_common.h), on
// the same seeded inputs, so the checksums of the two products should agree.
//   nvcc -O3 -arch=sm_90 cublas.cu -lcublas -o cublas && ./cublas
#include <cublas_v2.h>
#include "bench_common.h"

#define CUBLAS_CHECK(call) do { cublasStatus_t st_ = (call); if (st_ != CUBLAS_STATUS_SUCCESS) { fprintf(stderr, "%s: cuBLAS status %d\n", #call, (int)st_); return 1; } } while (0)

static int gemm(cublasHandle_t h, cudaStream_t s, int n, int f16) {
  const size_t elt = f16 ? 2 : 4, bytes = (size_t)n * n * elt;
  void *a, *b, *c;
  BENCH_CHECK(cudaMalloc(&a, bytes));
  BENCH_CHECK(cudaMalloc(&b, bytes));
  BENCH_CHECK(cudaMalloc(&c, bytes));
  // Seeds as bench.cu's: input i gets 1234 + 17 i.
  BENCH_CHECK(bench_fill(a, bytes, f16, 1234u));
  BENCH_CHECK(bench_fill(b, bytes, f16, 1234u + 17u));
  const float one = 1.0f, zero = 0.0f;
  // Row-major Y = A·B is column-major Yᵀ = Bᵀ·Aᵀ: pass B first.
  auto run = [&]() -> cudaError_t {
    cublasStatus_t st = f16
      ? cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, b, CUDA_R_16F, n, a, CUDA_R_16F, n, &zero, c, CUDA_R_16F, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT)
      : cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, (const float*)b, n, (const float*)a, n, &zero, (float*)c, n);
    return st == CUBLAS_STATUS_SUCCESS ? cudaGetLastError() : cudaErrorUnknown;
  };
  BenchTimes t;
  BENCH_CHECK(bench_time(run, s, &t));
  double sum = 0;
  BENCH_CHECK(bench_checksum(c, bytes, f16, &sum));
  char name[64];
  snprintf(name, sizeof name, f16 ? "matmul-%d-f16" : "matmul-%d", n);
  bench_print(f16 ? "cublas-gemmex" : "cublas-sgemm", name, t, 2.0 * n * n * (double)n, 0, 1, sum);
  cudaFree(a); cudaFree(b); cudaFree(c);
  return 0;
}

int main() {
  cublasHandle_t h;
  cudaStream_t s;
  BENCH_CHECK(cudaStreamCreate(&s));
  CUBLAS_CHECK(cublasCreate(&h));
  CUBLAS_CHECK(cublasSetStream(h, s));
  int failed = gemm(h, s, 4096, 0) + gemm(h, s, 4096, 1);
  cublasDestroy(h);
  cudaStreamDestroy(s);
  return failed ? 1 : 0;
}
