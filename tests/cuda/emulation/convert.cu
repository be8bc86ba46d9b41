// f16/bf16 conversions, run in kernels: all 65536 16-bit patterns to f32, and the f32
// patterns in argv[2] to f16 and bf16. Writes argv[3]: [65536 × u32 from f16]
// [65536 × u32 from bf16] [n × u16 f16] [n × u16 bf16], little-endian.
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

extern "C" __global__ void PFX_widen(const __half* h, const __nv_bfloat16* b, float* hf, float* bf) {
  const int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
  hf[i] = __half2float(h[i]);
  bf[i] = __bfloat162float(b[i]);
}

extern "C" __global__ void PFX_narrow(const float* x, __half* h, __nv_bfloat16* b, int n) {
  const int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
  if (i >= n) return;
  h[i] = __float2half_rn(x[i]);
  b[i] = __float2bfloat16_rn(x[i]);
}

static void* device_copy(const void* host, size_t bytes) {
  void* d;
  if (cudaMalloc(&d, bytes) != cudaSuccess) exit(1);
  if (host) cudaMemcpy(d, host, bytes, cudaMemcpyHostToDevice);
  return d;
}

extern "C" int PFX_main(int argc, char** argv) {
  if (argc < 4) return 2;
  FILE* in = fopen(argv[2], "rb");
  if (!in) return 2;
  fseek(in, 0, SEEK_END);
  const int n = (int)(ftell(in) / 4);
  fseek(in, 0, SEEK_SET);
  float* x = (float*)malloc((size_t)n * 4);
  if (fread(x, 4, (size_t)n, in) != (size_t)n) return 2;
  fclose(in);

  static uint16_t bits[65536];
  for (int i = 0; i < 65536; i++) bits[i] = (uint16_t)i;
  __half* h = (__half*)device_copy(bits, sizeof bits);
  __nv_bfloat16* b = (__nv_bfloat16*)device_copy(bits, sizeof bits);
  float* hf = (float*)device_copy(nullptr, 65536 * 4);
  float* bf = (float*)device_copy(nullptr, 65536 * 4);
  KILN_LAUNCH(PFX_widen, dim3(256), dim3(256), nullptr, (const __half*)h, (const __nv_bfloat16*)b, hf, bf);

  float* dx = (float*)device_copy(x, (size_t)n * 4);
  __half* nh = (__half*)device_copy(nullptr, (size_t)n * 2);
  __nv_bfloat16* nb = (__nv_bfloat16*)device_copy(nullptr, (size_t)n * 2);
  KILN_LAUNCH(PFX_narrow, dim3((n + 255) / 256), dim3(256), nullptr, (const float*)dx, nh, nb, n);

  FILE* out = fopen(argv[3], "wb");
  fwrite(hf, 4, 65536, out);
  fwrite(bf, 4, 65536, out);
  fwrite(nh, 2, (size_t)n, out);
  fwrite(nb, 2, (size_t)n, out);
  fclose(out);
  return 0;
}
