// A fake libcuda.so.1 for runtime/cuda's tests, where there is no GPU or NVIDIA driver: the
// driver API functions runtime/cuda/driver.ts binds, on the CPU. Device memory is host
// memory (a CUdeviceptr is the host address), checked against the live allocations so a
// copy out of bounds fails as CUDA_ERROR_INVALID_VALUE instead of passing silently.
// cuModuleLoadData keeps the PTX text (tests read it back) but runs the kernels of the
// shared object named by env KILN_FAKE_CUDA_KERNELS: CUDA C (fake_kernels.cpp, or the
// model.cu files kiln generates) built by g++ against kiln's CPU emulation of CUDA
// (targets/cuda/cpu/include). cuLaunchKernel runs a kernel through the emulation's
// kiln_cpu::launch_params, which runs each block's threads as fibers, so barriers and
// __shared__ memory work as on a GPU.
//
// The real driver learns a kernel's parameter count from the module; a fake cannot read
// it from a .so, so it counts kernelParams up to a NULL entry, which runtime/cuda passes
// after the last parameter (and the real driver never reads).
//
// The emulation's state (the running fiber, block indices) is C++17 inline variables,
// which g++ emits as STB_GNU_UNIQUE symbols: the dynamic linker binds this library's and
// the kernels' copies to one, though both are loaded RTLD_LOCAL.
//
// Env: KILN_FAKE_CUDA_FAIL=<call>[:<code>] makes that call return <code> (default 999,
// CUDA_ERROR_UNKNOWN); KILN_FAKE_CUDA_DEVICES=<n> sets the device count (default 1).
// Both are read on each call, so a test can change them between calls.
//
//   g++ -std=c++17 -shared -fPIC -O1 -I targets/cuda/cpu/include -o libcuda.so.1 fake_libcuda.cpp -ldl
#include <dlfcn.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiln_cuda_cpu.h"

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum : CUresult {
  SUCCESS = 0, INVALID_VALUE = 1, NOT_INITIALIZED = 3, NO_DEVICE = 100, INVALID_DEVICE = 101,
  INVALID_IMAGE = 200, INVALID_CONTEXT = 201, INVALID_HANDLE = 400, NOT_FOUND = 500,
  LAUNCH_FAILED = 719, UNKNOWN = 999,
};

struct Error { CUresult code; const char* name; const char* text; };
static const Error ERRORS[] = {
  { SUCCESS, "CUDA_SUCCESS", "no error" },
  { INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument" },
  { NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error" },
  { NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected" },
  { INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal" },
  { INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid" },
  { INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context" },
  { INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle" },
  { NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found" },
  { LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure" },
  { UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error" },
};

struct Function { void (*fn)(); std::string name; };
struct Module { void* handle; std::vector<std::unique_ptr<Function>> functions; };
struct Context { int retained = 0; };

static bool initialized = false;
static Context primary;
static thread_local Context* current = nullptr;
static std::map<uintptr_t, size_t> allocations;  // base → bytes
static std::map<Module*, std::unique_ptr<Module>> modules;
static std::string lastImage;

/** The code KILN_FAKE_CUDA_FAIL asks `call` to return, or SUCCESS. */
static CUresult injected(const char* call) {
  const char* v = getenv("KILN_FAKE_CUDA_FAIL");
  if (!v) return SUCCESS;
  size_t n = strlen(call);
  if (strncmp(v, call, n) != 0 || (v[n] != '\0' && v[n] != ':')) return SUCCESS;
  return v[n] == ':' ? atoi(v + n + 1) : UNKNOWN;
}

static int deviceCount() {
  const char* v = getenv("KILN_FAKE_CUDA_DEVICES");
  return v ? atoi(v) : 1;
}

/** What every call but cuInit checks first: an injected failure, then cuInit. */
#define ENTER(call) do { if (CUresult r_ = injected(call)) return r_; if (!initialized) return NOT_INITIALIZED; } while (0)
/** And, for calls that act in a context, that the primary context is retained and current. */
#define IN_CONTEXT() do { if (current != &primary || primary.retained == 0) return INVALID_CONTEXT; } while (0)

/** Whether [p, p + n) lies inside one live allocation. */
static bool inside(uintptr_t p, size_t n) {
  auto it = allocations.upper_bound(p);
  if (it == allocations.begin()) return false;
  --it;
  return p >= it->first && p + n <= it->first + it->second;
}

/** The emulation's limit on a kernel's pointer parameters. */
static const int MAX_PARAMS = 32;

/** Runs `f` over the grid with the emulation; its parameters are the kernelParams before the NULL. */
static CUresult launch(const Function& f, dim3 grid, dim3 block, void** params) {
  if (!params) return INVALID_VALUE;
  int count = 0;
  for (; params[count]; count++) {
    if (count == MAX_PARAMS) return INVALID_VALUE;  // no NULL: a runtime that forgot it
    // A kernel's pointer must lie in (or just past) an allocation: the runtime computes base + offset.
    if (!inside(reinterpret_cast<uintptr_t>(*static_cast<void**>(params[count])), 0)) return INVALID_VALUE;
  }
  return kiln_cpu::launch_params(f.fn, grid, block, params, count, f.name.c_str()) == cudaSuccess ? SUCCESS : LAUNCH_FAILED;
}

extern "C" {
#define API __attribute__((visibility("default")))

API CUresult cuGetErrorName(CUresult e, const char** out) {
  for (const Error& x : ERRORS) if (x.code == e) { *out = x.name; return SUCCESS; }
  *out = nullptr;
  return INVALID_VALUE;
}

API CUresult cuGetErrorString(CUresult e, const char** out) {
  for (const Error& x : ERRORS) if (x.code == e) { *out = x.text; return SUCCESS; }
  *out = nullptr;
  return INVALID_VALUE;
}

API CUresult cuInit(unsigned flags) {
  if (CUresult r = injected("cuInit")) return r;
  if (flags != 0) return INVALID_VALUE;
  initialized = true;
  return SUCCESS;
}

API CUresult cuDeviceGetCount(int* n) { ENTER("cuDeviceGetCount"); *n = deviceCount(); return SUCCESS; }

API CUresult cuDeviceGet(CUdevice* d, int ordinal) {
  ENTER("cuDeviceGet");
  if (ordinal < 0 || ordinal >= deviceCount()) return INVALID_DEVICE;
  *d = ordinal;
  return SUCCESS;
}

API CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
  ENTER("cuDeviceGetName");
  if (d < 0 || d >= deviceCount()) return INVALID_DEVICE;
  snprintf(name, len, "Fake CUDA device %d (CPU)", d);
  return SUCCESS;
}

API CUresult cuDevicePrimaryCtxRetain(Context** ctx, CUdevice d) {
  ENTER("cuDevicePrimaryCtxRetain");
  if (d != 0) return INVALID_DEVICE;  // one context is enough for the tests
  primary.retained++;
  *ctx = &primary;
  return SUCCESS;
}

API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
  ENTER("cuDevicePrimaryCtxRelease_v2");
  if (d != 0 || primary.retained == 0) return INVALID_CONTEXT;
  if (--primary.retained == 0) current = nullptr;
  return SUCCESS;
}

API CUresult cuCtxSetCurrent(Context* ctx) {
  ENTER("cuCtxSetCurrent");
  if (ctx && ctx != &primary) return INVALID_CONTEXT;
  current = ctx;
  return SUCCESS;
}

API CUresult cuCtxSynchronize() { ENTER("cuCtxSynchronize"); IN_CONTEXT(); return SUCCESS; }

API CUresult cuModuleLoadData(Module** out, const void* image) {
  ENTER("cuModuleLoadData");
  IN_CONTEXT();
  if (!image) return INVALID_VALUE;
  const char* path = getenv("KILN_FAKE_CUDA_KERNELS");
  void* h = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : nullptr;
  if (!h) return INVALID_IMAGE;
  lastImage = static_cast<const char*>(image);
  auto m = std::make_unique<Module>();
  m->handle = h;
  *out = m.get();
  modules[m.get()] = std::move(m);
  return SUCCESS;
}

API CUresult cuModuleGetFunction(Function** out, Module* m, const char* name) {
  ENTER("cuModuleGetFunction");
  IN_CONTEXT();
  if (!modules.count(m)) return INVALID_HANDLE;
  void* fn = dlsym(m->handle, name);
  if (!fn) return NOT_FOUND;
  m->functions.push_back(std::make_unique<Function>(Function{ reinterpret_cast<void (*)()>(fn), name }));
  *out = m->functions.back().get();
  return SUCCESS;
}

API CUresult cuModuleUnload(Module* m) {
  ENTER("cuModuleUnload");
  IN_CONTEXT();
  auto it = modules.find(m);
  if (it == modules.end()) return INVALID_HANDLE;
  dlclose(m->handle);
  modules.erase(it);
  return SUCCESS;
}

API CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
  ENTER("cuMemAlloc_v2");
  IN_CONTEXT();
  if (bytes == 0) return INVALID_VALUE;  // as the real driver
  void* m = aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!m) return 2;  // CUDA_ERROR_OUT_OF_MEMORY
  // Garbage, as device memory is: a runtime that forgets to initialise something shows it.
  memset(m, 0xA5, bytes);
  allocations[reinterpret_cast<uintptr_t>(m)] = bytes;
  *p = reinterpret_cast<uintptr_t>(m);
  return SUCCESS;
}

API CUresult cuMemFree_v2(CUdeviceptr p) {
  ENTER("cuMemFree_v2");
  IN_CONTEXT();
  if (!allocations.erase(p)) return INVALID_VALUE;
  free(reinterpret_cast<void*>(p));
  return SUCCESS;
}

API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
  ENTER("cuMemcpyHtoD_v2");
  IN_CONTEXT();
  if (!inside(dst, n)) return INVALID_VALUE;
  memcpy(reinterpret_cast<void*>(dst), src, n);
  return SUCCESS;
}

API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
  ENTER("cuMemcpyDtoH_v2");
  IN_CONTEXT();
  if (!inside(src, n)) return INVALID_VALUE;
  memcpy(dst, reinterpret_cast<void*>(src), n);
  return SUCCESS;
}

API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) {
  ENTER("cuMemsetD8_v2");
  IN_CONTEXT();
  if (!inside(dst, n)) return INVALID_VALUE;
  memset(reinterpret_cast<void*>(dst), v, n);
  return SUCCESS;
}

API CUresult cuLaunchKernel(Function* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned sharedBytes, void* stream, void** params, void** extra) {
  ENTER("cuLaunchKernel");
  IN_CONTEXT();
  if (!f || stream || extra || sharedBytes > 48 * 1024 || !gx || !gy || !gz || !bx || !by || !bz || bx * by * bz > 1024) return INVALID_VALUE;
  return launch(*f, { gx, gy, gz }, { bx, by, bz }, params);
}

// For the tests: what the runtime left behind.
API int kiln_fake_live_allocations() { return static_cast<int>(allocations.size()); }
API int kiln_fake_live_modules() { return static_cast<int>(modules.size()); }
API int kiln_fake_retained() { return primary.retained; }
API const char* kiln_fake_last_image() { return lastImage.c_str(); }
}
