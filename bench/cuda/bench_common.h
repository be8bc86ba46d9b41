// Shared by bench.cu (kiln's models) and cublas.cu: seeded inputs, CUDA-event timing, and
// the one line per model check.ts reads:
//   BENCH RUNNER NAME median_ms=M min_ms=M reps=N rate=R UNIT kernels=K checksum=S
#pragma once
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <algorithm>
#include <vector>

#define BENCH_CHECK(call) do { cudaError_t err_ = (call); if (err_ != cudaSuccess) { fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(err_)); return 1; } } while (0)

static void* bench_read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cannot open %s\n", path); return NULL; }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  void* data = malloc(n > 0 ? (size_t)n : 1);
  if (n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); fclose(f); free(data); return NULL; }
  fclose(f);
  *size = (size_t)n;
  return data;
}

/** Uniform in [-1, 1) from a seeded 32-bit xorshift: the same numbers in bench.cu and cublas.cu. */
static float bench_uniform(uint32_t* s) {
  uint32_t x = *s;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  *s = x;
  return (float)((x >> 8) * (1.0 / 16777216.0) * 2.0 - 1.0);
}

/** Fills device memory with seeded uniform values, f32 or (f16 != 0) f16. */
static cudaError_t bench_fill(void* device, size_t bytes, int f16, uint32_t seed) {
  uint32_t s = seed * 2654435761u + 1u;
  size_t n = bytes / (f16 ? 2 : 4);
  std::vector<float> f(f16 ? 0 : n);
  std::vector<__half> h(f16 ? n : 0);
  for (size_t i = 0; i < n; i++) {
    float v = bench_uniform(&s);
    if (f16) h[i] = __float2half(v); else f[i] = v;
  }
  return cudaMemcpy(device, f16 ? (const void*)h.data() : (const void*)f.data(), n * (f16 ? 2 : 4), cudaMemcpyHostToDevice);
}

/** Sum of a device buffer's f32 or f16 values, in double. */
static cudaError_t bench_checksum(const void* device, size_t bytes, int f16, double* sum) {
  std::vector<unsigned char> host(bytes ? bytes : 1);
  cudaError_t err = cudaMemcpy(host.data(), device, bytes, cudaMemcpyDeviceToHost);
  if (err != cudaSuccess) return err;
  double s = 0;
  if (f16) { const __half* p = (const __half*)host.data(); for (size_t i = 0; i < bytes / 2; i++) s += (double)__half2float(p[i]); }
  else { const float* p = (const float*)host.data(); for (size_t i = 0; i < bytes / 4; i++) s += (double)p[i]; }
  *sum = s;
  return cudaSuccess;
}

struct BenchTimes { double median_ms, min_ms; int reps; };

/**
 * Times `run` (which queues work on `s`): 3 warm-up runs, then N runs (10 to 100, about
 * 0.5 s of them), each between two events on the stream; median and min.
 */
template <class F> static cudaError_t bench_time(F run, cudaStream_t s, BenchTimes* out) {
  cudaEvent_t a, b;
  cudaError_t err;
  if ((err = cudaEventCreate(&a)) != cudaSuccess || (err = cudaEventCreate(&b)) != cudaSuccess) return err;
  for (int i = 0; i < 3; i++) if ((err = run()) != cudaSuccess) return err;
  if ((err = cudaStreamSynchronize(s)) != cudaSuccess) return err;
  const char* env = getenv("KILN_BENCH_REPS");
  float first = 0;
  if ((err = cudaEventRecord(a, s)) != cudaSuccess || (err = run()) != cudaSuccess || (err = cudaEventRecord(b, s)) != cudaSuccess) return err;
  if ((err = cudaEventSynchronize(b)) != cudaSuccess || (err = cudaEventElapsedTime(&first, a, b)) != cudaSuccess) return err;
  int reps = env ? atoi(env) : (int)std::min(100.0, std::max(10.0, 500.0 / std::max(first, 1e-3f)));
  std::vector<float> ms;
  for (int i = 0; i < reps; i++) {
    float t = 0;
    if ((err = cudaEventRecord(a, s)) != cudaSuccess || (err = run()) != cudaSuccess || (err = cudaEventRecord(b, s)) != cudaSuccess) return err;
    if ((err = cudaEventSynchronize(b)) != cudaSuccess || (err = cudaEventElapsedTime(&t, a, b)) != cudaSuccess) return err;
    ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  out->reps = reps;
  out->min_ms = ms.empty() ? first : ms.front();
  out->median_ms = ms.empty() ? first : (ms.size() % 2 ? ms[ms.size() / 2] : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]));
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return cudaGetLastError();
}

/** flops > 0: GFLOP/s; else bytes > 0: GB/s (bytes a fused kernel must move). */
static void bench_print(const char* runner, const char* name, const BenchTimes& t, double flops, double bytes, int kernels, double checksum) {
  double rate = flops > 0 ? flops / (t.median_ms * 1e6) : bytes > 0 ? bytes / (t.median_ms * 1e6) : 0;
  printf("BENCH %s %s median_ms=%.4f min_ms=%.4f reps=%d rate=%.1f %s kernels=%d checksum=%.6e\n", runner, name, t.median_ms, t.min_ms, t.reps,
         rate, flops > 0 ? "GFLOP/s" : "GB/s", kernels, checksum);
  fflush(stdout);
}
