// kiln's CPU stand-in for CUDA: the runtime API subset kiln's generated host code calls.
//
// Device memory is host memory: cudaMalloc is posix_memalign (64-byte aligned, exactly the
// requested size, so AddressSanitizer's redzone starts one byte past the buffer), copies
// are memcpy, and streams are dummies because every launch finishes before it returns.
#pragma once
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInitializationError = 3,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorNotReady = 600,
  cudaErrorLaunchFailure = 719,
  cudaErrorUnknown = 999,
};
typedef enum cudaError cudaError_t;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

struct kiln_cpu_stream { int unused; };
typedef kiln_cpu_stream* cudaStream_t;

namespace kiln_cpu::detail {
/** The sticky-until-read error cudaGetLastError returns (launch configuration errors). */
inline cudaError_t g_last_error = cudaSuccess;
inline kiln_cpu_stream g_stream_storage[1];

inline cudaError_t fail(cudaError_t e) {
  g_last_error = e;
  return e;
}
inline bool valid_kind(cudaMemcpyKind k) { return (unsigned)k <= (unsigned)cudaMemcpyDefault; }
}  // namespace kiln_cpu::detail

static inline cudaError_t cudaMalloc(void** p, size_t bytes) {
  if (!p) return kiln_cpu::detail::fail(cudaErrorInvalidValue);
  *p = nullptr;
  if (bytes == 0) return cudaSuccess;
  if (posix_memalign(p, 64, bytes) != 0) return kiln_cpu::detail::fail(cudaErrorMemoryAllocation);
  return cudaSuccess;
}
template <class T> static inline cudaError_t cudaMalloc(T** p, size_t bytes) { return cudaMalloc((void**)p, bytes); }
static inline cudaError_t cudaFree(void* p) { free(p); return cudaSuccess; }
static inline cudaError_t cudaMallocHost(void** p, size_t bytes) { return cudaMalloc(p, bytes); }
static inline cudaError_t cudaFreeHost(void* p) { return cudaFree(p); }

static inline cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind) {
  if (!kiln_cpu::detail::valid_kind(kind)) return kiln_cpu::detail::fail(cudaErrorInvalidMemcpyDirection);
  if (n) memcpy(dst, src, n);
  return cudaSuccess;
}
static inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t n, cudaMemcpyKind kind, cudaStream_t = nullptr) {
  return cudaMemcpy(dst, src, n, kind);
}
static inline cudaError_t cudaMemset(void* p, int value, size_t n) { if (n) memset(p, value, n); return cudaSuccess; }
static inline cudaError_t cudaMemsetAsync(void* p, int value, size_t n, cudaStream_t = nullptr) { return cudaMemset(p, value, n); }

static inline cudaError_t cudaStreamCreate(cudaStream_t* s) { *s = kiln_cpu::detail::g_stream_storage; return cudaSuccess; }
static inline cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) { return cudaStreamCreate(s); }
static inline cudaError_t cudaStreamDestroy(cudaStream_t) { return cudaSuccess; }
static inline cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
static inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
static inline cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : kiln_cpu::detail::fail(cudaErrorInvalidValue); }
static inline cudaError_t cudaGetDevice(int* d) { *d = 0; return cudaSuccess; }
static inline cudaError_t cudaGetDeviceCount(int* n) { *n = 1; return cudaSuccess; }

static inline cudaError_t cudaGetLastError() {
  cudaError_t e = kiln_cpu::detail::g_last_error;
  kiln_cpu::detail::g_last_error = cudaSuccess;
  return e;
}
static inline cudaError_t cudaPeekAtLastError() { return kiln_cpu::detail::g_last_error; }

static inline const char* cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInitializationError: return "cudaErrorInitializationError";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
    case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
    case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
    case cudaErrorNotReady: return "cudaErrorNotReady";
    case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
    case cudaErrorUnknown: return "cudaErrorUnknown";
  }
  return "cudaErrorUnknown";
}

static inline const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInitializationError: return "initialization error";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorInvalidDevicePointer: return "invalid device pointer";
    case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
    case cudaErrorInvalidResourceHandle: return "invalid resource handle";
    case cudaErrorNotReady: return "device not ready";
    case cudaErrorLaunchFailure: return "unspecified launch failure";
    case cudaErrorUnknown: return "unknown error";
  }
  return "unknown error";
}
