// kiln's CPU stand-in for CUDA: launching kernels, and the built-in index variables.
#pragma once
#include <array>
#include <stddef.h>
#include <tuple>
#include <type_traits>
#include <utility>

#include "kiln_cpu_sched.h"

namespace kiln_cpu {

/**
 * Runs `kernel` over the whole grid before returning, as KILN_LAUNCH does. The arguments
 * are converted to the kernel's parameter types and copied, as a CUDA launch copies them.
 */
template <class... P, class... A>
inline void launch_named(const char* name, void (*kernel)(P...), dim3 grid, dim3 block, A&&... args) {
  static_assert(sizeof...(P) == sizeof...(A), "kernel launched with the wrong number of arguments");
  struct Call {
    void (*kernel)(P...);
    std::tuple<std::decay_t<P>...> args;
  };
  Call call{kernel, std::tuple<std::decay_t<P>...>(std::forward<A>(args)...)};
  detail::run_grid(name, grid, block, [](void* c) { std::apply(((Call*)c)->kernel, ((Call*)c)->args); }, &call);
}

template <class... P, class... A> inline void launch(void (*kernel)(P...), dim3 grid, dim3 block, A&&... args) {
  launch_named(nullptr, kernel, grid, block, std::forward<A>(args)...);
}

namespace detail {

// launch_params calls a kernel of `count` pointer parameters through a function type with
// `count` void* parameters: the same calling convention for every pointer type.
using PointerCaller = void (*)(void (*)(), void* const*);

template <size_t... I> inline void call_pointers(void (*fn)(), void* const* a, std::index_sequence<I...>) {
  using Fn = void (*)(decltype((void)I, (void*)nullptr)...);
  ((Fn)fn)(a[I]...);
}
template <size_t N> inline void call_n(void (*fn)(), void* const* a) { call_pointers(fn, a, std::make_index_sequence<N>{}); }
template <size_t... N> constexpr std::array<PointerCaller, sizeof...(N)> pointer_callers(std::index_sequence<N...>) {
  return {&call_n<N>...};
}
constexpr size_t kMaxPointerParams = 32;
inline constexpr auto k_pointer_callers = pointer_callers(std::make_index_sequence<kMaxPointerParams + 1>{});

}  // namespace detail

/**
 * Launches a kernel whose `count` (≤ 32) parameters are all pointers, given as
 * cuLaunchKernel gives them: params[i] points to the i-th pointer value. Returns
 * cudaErrorInvalidValue for a bad count, cudaErrorInvalidConfiguration for bad extents.
 */
inline cudaError_t launch_params(void (*fn)(), dim3 grid, dim3 block, void** params, int count, const char* name = nullptr) {
  if (!fn || count < 0 || (size_t)count > detail::kMaxPointerParams || (count > 0 && !params))
    return detail::fail(cudaErrorInvalidValue);
  struct Call {
    void (*fn)();
    int count;
    void* args[detail::kMaxPointerParams];
  } call{fn, count, {}};
  for (int i = 0; i < count; i++) call.args[i] = *(void* const*)params[i];
  if (!detail::valid_config(grid, block)) return detail::fail(cudaErrorInvalidConfiguration);
  detail::run_grid(name, grid, block, [](void* c) {
    Call* k = (Call*)c;
    detail::k_pointer_callers[k->count](k->fn, k->args);
  }, &call);
  return cudaSuccess;
}

}  // namespace kiln_cpu

// The running thread's indices. Macros rather than variables: each fiber sees its own.
#define threadIdx (static_cast<const ::uint3&>(::kiln_cpu::detail::g_cur->idx))
#define blockIdx (static_cast<const ::uint3&>(::kiln_cpu::detail::g_block_idx))
#define blockDim (static_cast<const ::dim3&>(::kiln_cpu::detail::g_block_dim))
#define gridDim (static_cast<const ::dim3&>(::kiln_cpu::detail::g_grid_dim))

// The generated code's launch hook (its own definition is the <<<>>> form for nvcc). The
// stream is ignored: the launch is synchronous.
#define KILN_LAUNCH(kernel, grid, block, stream, ...) \
  ::kiln_cpu::launch_named(#kernel, kernel, grid, block, ##__VA_ARGS__)
