// The constructs kiln's CUDA renderer emits (targets/cuda), in one kernel, so a missing
// or wrong stand-in fails here first; and a launch through launch_params, as the fake
// libcuda launches. Prints one line per check: name and value.
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#ifndef KILN_LAUNCH
#define KILN_LAUNCH(kernel, grid, block, stream, ...) kernel<<<grid, block, 0, stream>>>(__VA_ARGS__)
#endif

static __device__ __forceinline__ float PFX_max_f32(float a, float b) { return a != a ? a : b != b ? b : fmaxf(a, b); }

extern "C" __global__ void __launch_bounds__(64) PFX_mix(const float* __restrict__ x, float* __restrict__ y, int* __restrict__ k) {
  const int lid = (int)threadIdx.x, wid = (int)blockIdx.x;
  if (lid != 0 || wid != 1) return;
  const float4 v = make_float4(x[0], x[1], x[2], x[3]);
  const int4 iv = make_int4(1, 2, 3, 4);
  const uint4 uv = make_uint4(5u, 6u, 7u, 8u);
  y[0] = v.x + v.y + v.z + v.w;
  y[1] = fmaf(x[0], x[1], x[2]) + expf(0.0f) + tanhf(0.0f) + erff(0.0f) + log1pf(0.0f) + cbrtf(8.0f);
  y[2] = PFX_max_f32(x[0], x[3]) + (float)(iv.w + (int)uv.w);
  y[3] = __int_as_float(__float_as_int(1.5f)) + __uint_as_float(__float_as_uint(0.25f));
  y[4] = (float)__longlong_as_double(__double_as_longlong(2.0));
  y[5] = __half2float(__float2half_rn(0.1f)) + __bfloat162float(__float2bfloat16_rn(0.1f));
  y[6] = copysignf(3.0f, -1.0f) + (signbit(-0.0f) ? 100.0f : 0.0f) + (isnan(sqrtf(-1.0f)) ? 10.0f : 0.0f) + (isfinite(1.0f / 0.0f) ? 1000.0f : 0.0f);
  k[0] = __popc(0xf0f0u) + __popcll(0xffffffffffull);
  k[1] = __clz(1) + __clzll(1ll) + __clz(0);
  k[2] = (int)(gridDim.x * 100 + blockDim.x);
  k[3] = warpSize;
}

// Every parameter a pointer, as launch_params passes them.
extern "C" __global__ void PFX_scale(const float* x, float* y) {
  const int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
  y[i] = 2.0f * x[i];
}

extern "C" int PFX_main(int, char**) {
  float host[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  float *x, *y;
  int* k;
  cudaError_t e = cudaMalloc((void**)&x, 256 * sizeof(float));
  if (e == cudaSuccess) e = cudaMalloc((void**)&y, 256 * sizeof(float));
  if (e == cudaSuccess) e = cudaMalloc((void**)&k, 4 * sizeof(int));
  if (e != cudaSuccess) { printf("error %s\n", cudaGetErrorString(e)); return 1; }
  cudaStream_t stream;
  cudaStreamCreate(&stream);
  cudaMemcpyAsync(x, host, sizeof host, cudaMemcpyHostToDevice, stream);
  KILN_LAUNCH(PFX_mix, dim3(2, 1, 1), dim3(64, 1, 1), stream, (const float*)x, y, k);
  printf("launch %s\n", cudaGetErrorString(cudaGetLastError()));
  cudaStreamSynchronize(stream);
  float out[7];
  int ints[4];
  cudaMemcpy(out, y, sizeof out, cudaMemcpyDeviceToHost);
  cudaMemcpy(ints, k, sizeof ints, cudaMemcpyDeviceToHost);
  for (int i = 0; i < 7; i++) printf("y%d %.9g\n", i, out[i]);
  for (int i = 0; i < 4; i++) printf("k%d %d\n", i, ints[i]);

  for (int i = 0; i < 256; i++) host[i % 4] = 0;
  void* params[2] = {&x, &y};
  cudaError_t lp = kiln_cpu::launch_params((void (*)())PFX_scale, dim3(4), dim3(64), params, 2);
  float first;
  cudaMemcpy(&first, y, sizeof first, cudaMemcpyDeviceToHost);
  printf("launch_params %s %.0f\n", cudaGetErrorString(lp), first);

  KILN_LAUNCH(PFX_scale, dim3(1), dim3(2048), stream, (const float*)x, y);
  printf("too many threads %s\n", cudaGetErrorName(cudaGetLastError()));
  printf("bad size %s\n", cudaGetErrorName(cudaMalloc((void**)&x, (size_t)1 << 62)));
  cudaFree(x); cudaFree(y); cudaFree(k);
  cudaStreamDestroy(stream);
  return 0;
}
