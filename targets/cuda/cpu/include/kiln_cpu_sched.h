// kiln's CPU stand-in for CUDA: the scheduler that runs a grid on one OS thread.
//
// Blocks run one at a time in a shuffled order. A block's threads are fibers, run phase
// by phase: each phase resumes every runnable thread in a fresh shuffled order until it
// waits (at __syncthreads or a warp operation) or finishes. So a missing barrier lets a
// thread read a partner's slot before the partner wrote it, and the answer goes wrong,
// as it may on a GPU. Seed and order: KILN_CUDA_CPU_SEED, KILN_CUDA_CPU_ORDER, or
// kiln_cpu::set_seed / set_order (docs/cuda-cpu.md).
#pragma once
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln_cpu_runtime.h"
#include "kiln_cpu_warp.h"

namespace kiln_cpu {

enum class Order { shuffled, in_order };

namespace detail {

constexpr uint64_t kDefaultSeed = 0x6b696c6e;  // "kiln"

struct Settings {
  bool loaded = false;  // env read (set_seed/set_order override it)
  uint64_t rng = kDefaultSeed;
  Order order = Order::shuffled;
  size_t stack_bytes = (KILN_CPU_ASAN ? 256 : 128) * 1024;
};
inline Settings g_settings;

/** The environment's choices, read once before the first launch. */
inline void load_env() {
  if (g_settings.loaded) return;
  g_settings.loaded = true;
  if (const char* s = getenv("KILN_CUDA_CPU_SEED")) g_settings.rng = strtoull(s, nullptr, 0);
  if (const char* o = getenv("KILN_CUDA_CPU_ORDER")) {
    if (!strcmp(o, "inorder")) g_settings.order = Order::in_order;
    else if (strcmp(o, "shuffled") != 0) {
      fprintf(stderr, "kiln cuda-cpu: KILN_CUDA_CPU_ORDER must be inorder or shuffled, not %s\n", o);
      exit(3);
    }
  }
  if (const char* k = getenv("KILN_CUDA_CPU_STACK_KB")) g_settings.stack_bytes = (size_t)strtoull(k, nullptr, 0) * 1024;
}

/** splitmix64: one generator per process, so a seed replays a whole run. */
inline uint64_t next_random() {
  uint64_t z = (g_settings.rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/** Puts `v` in the order this run uses: shuffled (Fisher–Yates) or left in index order. */
inline void arrange(Array<uint32_t>& v) {
  if (g_settings.order == Order::in_order) return;
  for (size_t i = v.size(); i > 1; i--) {
    size_t j = next_random() % i;
    uint32_t t = v[i - 1];
    v[i - 1] = v[j];
    v[j] = t;
  }
}

inline StackPool g_stacks;
inline Array<uint32_t> g_ready, g_blocks;
inline void (*g_body)(void*) = nullptr;
inline void* g_body_ctx = nullptr;

/** A fiber's whole life: run the kernel for its thread, then leave for good. */
inline void thread_main() {
  fiber_started();
  g_body(g_body_ctx);
  g_cur->state = State::done;
  fiber_switch(&g_cur->fiber, &g_main, true);
  abort();  // a finished fiber is never resumed
}

inline void resume(Thread& t) {
  g_cur = &t;
  fiber_switch(&g_main, &t.fiber);
  g_cur = nullptr;
}

/**
 * Nobody is runnable and no warp can complete: releases the barrier when every thread
 * waits at the same one; returns false when all have finished; anything else is an error.
 */
inline bool release_barrier() {
  Thread *barrier = nullptr, *done = nullptr, *warp = nullptr;
  for (Thread& t : g_threads) {
    if (t.state == State::at_barrier && !barrier) barrier = &t;
    if (t.state == State::done && !done) done = &t;
    if (t.state == State::at_warp && !warp) warp = &t;
  }
  if (warp) {
    // Some lane of its warp is neither at a warp operation nor finished.
    Thread* lanes = &g_threads[warp->linear & ~31u];
    for (unsigned i = 0; i < 32 && (warp->linear & ~31u) + i < g_threads.size(); i++)
      if (lanes[i].state != State::at_warp && lanes[i].state != State::done)
        kernel_error("warp operation not reached by every lane of the warp", *warp, lanes[i]);
  }
  if (!barrier) return false;
  if (done) kernel_error("divergent __syncthreads", *barrier, *done);
  for (Thread& t : g_threads)
    if (t.line != barrier->line) kernel_error("threads wait at different __syncthreads", *barrier, t);
  for (Thread& t : g_threads) t.state = State::ready;
  return true;
}

/** Runs the block g_block_idx to completion, phase by phase. */
inline void run_block() {
  const size_t n = g_threads.size();
  for (size_t i = 0; i < n; i++) {
    g_threads[i].state = State::ready;
    fiber_prepare(&g_threads[i].fiber, g_stacks.lo(i), g_stacks.size(), thread_main);
  }
  for (;;) {
    g_ready.resize(n);
    size_t ready = 0;
    for (size_t i = 0; i < n; i++)
      if (g_threads[i].state == State::ready) g_ready[ready++] = (uint32_t)i;
    g_ready.resize(ready);
    if (ready) {
      arrange(g_ready);
      for (uint32_t i : g_ready) resume(g_threads[i]);
    } else if (!complete_warps() && !release_barrier()) {
      return;
    }
  }
}

/** CUDA's limits on a launch's extents. */
inline bool valid_config(dim3 g, dim3 b) {
  const unsigned long long threads = (unsigned long long)b.x * b.y * b.z;
  return g.x && g.y && g.z && g.x <= 0x7fffffffu && g.y <= 65535 && g.z <= 65535 && threads && threads <= 1024 &&
         b.x <= 1024 && b.y <= 1024 && b.z <= 64;
}

/** Sets up the threads of one block shape: indices, and a stack each. */
inline void shape_block(dim3 b) {
  const size_t n = (size_t)b.x * b.y * b.z;
  g_threads.resize(n);
  g_stacks.reserve(n, g_settings.stack_bytes);
  for (size_t i = 0; i < n; i++) {
    Thread& t = g_threads[i];
    t.linear = (unsigned)i;
    t.idx = uint3{(unsigned)(i % b.x), (unsigned)(i / b.x % b.y), (unsigned)(i / ((size_t)b.x * b.y))};
    t.line = 0;
  }
}

/** The block order of a grid, in g_blocks: linear block indices, x fastest, arranged. */
inline Array<uint32_t>& block_order(dim3 g) {
  g_blocks.resize((size_t)g.x * g.y * g.z);
  for (size_t i = 0; i < g_blocks.size(); i++) g_blocks[i] = (uint32_t)i;
  arrange(g_blocks);
  return g_blocks;
}

#if KILN_CPU_ASAN
/** ASan's report names a source line; this says which CUDA thread was running it. */
inline void asan_death_note() {
  if (!g_cur) return;
  fprintf(stderr, "kiln cuda-cpu: the report above came from kernel %s, block (%u,%u,%u), ", g_kernel, g_block_idx.x,
          g_block_idx.y, g_block_idx.z);
  print_thread(*g_cur);
  fputc('\n', stderr);
}
#endif

/** Runs a whole grid synchronously, calling body(ctx) as each thread. */
inline void run_grid(const char* name, dim3 grid, dim3 block, void (*body)(void*), void* ctx) {
  // The scheduler's state is global: launches from several host threads take turns.
  static pthread_mutex_t one_launch_at_a_time = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_lock(&one_launch_at_a_time);
  load_env();
#if KILN_CPU_ASAN
  __sanitizer_set_death_callback(asan_death_note);
#endif
  if (!valid_config(grid, block)) {
    fail(cudaErrorInvalidConfiguration);
    pthread_mutex_unlock(&one_launch_at_a_time);
    return;
  }
  g_kernel = name ? name : "kernel";
  g_body = body;
  g_body_ctx = ctx;
  g_grid_dim = grid;
  g_block_dim = block;
  shape_block(block);
  for (uint32_t b : block_order(grid)) {
    g_block_idx = uint3{b % grid.x, b / grid.x % grid.y, (unsigned)(b / ((size_t)grid.x * grid.y))};
    run_block();
  }
  pthread_mutex_unlock(&one_launch_at_a_time);
}

}  // namespace detail

/** Seeds the generator that orders blocks and threads (restarting its sequence). */
inline void set_seed(uint64_t seed) {
  detail::load_env();
  detail::g_settings.rng = seed;
}

/** Shuffled (the default) or index order for blocks and for threads in each phase. */
inline void set_order(Order order) {
  detail::load_env();
  detail::g_settings.order = order;
}

}  // namespace kiln_cpu
