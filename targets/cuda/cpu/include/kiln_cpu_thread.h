// kiln's CPU stand-in for CUDA: the CUDA threads of the running block, as the scheduler
// (kiln_cpu_sched.h) and the code they run see them.
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kiln_cpu_fiber.h"
#include "kiln_cpu_types.h"

namespace kiln_cpu::detail {

enum class State : uint8_t {
  ready,       // runnable in this phase
  at_barrier,  // waits in __syncthreads
  at_warp,     // waits for its warp's lanes in a shuffle, vote or __syncwarp
  done,        // returned from the kernel
};

/** A warp operation, deposited by each lane and completed when every live lane has one. */
enum class WarpOp : uint8_t { shfl_idx, shfl_xor, shfl_down, shfl_up, ballot, any, all, syncwarp };

struct Thread {
  Fiber fiber;
  uint3 idx;        // threadIdx
  unsigned linear;  // x + y·bx + z·bx·by: warps are 32 consecutive linear indices
  State state;
  int line;         // source line of the __syncthreads it waits at
  WarpOp op;
  int arg, width;   // the shuffle's lane argument and segment width
  uint64_t value;   // the bits this lane offers
  uint64_t result;  // the bits it receives
};

/**
 * A grow-only array (std::vector would cost every translation unit the parse of <vector>:
 * g++'s start-up per model is what the CPU build pays most).
 */
template <class T> struct Array {
  T* data = nullptr;
  size_t count = 0, capacity = 0;
  void resize(size_t n) {
    if (n > capacity) {
      T* grown = (T*)realloc(data, n * sizeof(T));
      if (!grown) { fprintf(stderr, "kiln cuda-cpu: out of memory\n"); exit(3); }
      data = grown;
      capacity = n;
    }
    count = n;
  }
  size_t size() const { return count; }
  T& operator[](size_t i) { return data[i]; }
  T* begin() { return data; }
  T* end() { return data + count; }
};

inline Array<Thread> g_threads;
inline Thread* g_cur = nullptr;  // the running thread: threadIdx reads it
inline uint3 g_block_idx;
inline dim3 g_block_dim, g_grid_dim;
inline const char* g_kernel = "kernel";

/** Suspends the running thread; the scheduler resumes it when its wait is over. */
inline void yield_to_scheduler() { fiber_switch(&g_cur->fiber, &g_main); }

/** "thread 3 (3,0,0)": linear index and threadIdx. */
inline void print_thread(const Thread& t) { fprintf(stderr, "thread %u (%u,%u,%u)", t.linear, t.idx.x, t.idx.y, t.idx.z); }

/** What a waiting or finished thread is doing, for error messages. */
inline void print_state(const Thread& t) {
  switch (t.state) {
    case State::done: fprintf(stderr, "has finished"); break;
    case State::at_barrier: fprintf(stderr, "waits at __syncthreads (line %d)", t.line); break;
    case State::at_warp: fprintf(stderr, "waits at a warp shuffle/vote"); break;
    case State::ready: fprintf(stderr, "is running"); break;
  }
}

/** Ends the program on a kernel error the hardware would hang or misbehave on: exit code 3. */
[[noreturn]] inline void kernel_error(const char* what, const Thread& a, const Thread& b) {
  fprintf(stderr, "kiln cuda-cpu: %s in kernel %s, block (%u,%u,%u): ", what, g_kernel, g_block_idx.x, g_block_idx.y,
          g_block_idx.z);
  print_thread(a);
  fputc(' ', stderr);
  print_state(a);
  fprintf(stderr, " while ");
  print_thread(b);
  fputc(' ', stderr);
  print_state(b);
  fputc('\n', stderr);
  fflush(stderr);
  _Exit(3);
}

}  // namespace kiln_cpu::detail
