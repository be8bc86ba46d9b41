// kiln's CPU stand-in for CUDA: __syncthreads and the warp operations (shuffles, votes,
// __syncwarp). A thread deposits what it offers and yields; the scheduler completes a
// warp operation once every live lane of the warp (32 consecutive linear thread indices)
// waits at one, and a barrier once every thread of the block waits at one.
#pragma once
#include <string.h>

#include "kiln_cpu_thread.h"

namespace kiln_cpu::detail {

inline uint64_t warp_exchange(WarpOp op, uint64_t value, int arg, int width) {
  Thread* t = g_cur;
  t->op = op;
  t->value = value;
  t->arg = arg;
  t->width = width;
  t->state = State::at_warp;
  yield_to_scheduler();
  return t->result;
}

template <class T> inline T shuffle(WarpOp op, T v, int arg, int width) {
  static_assert(sizeof(T) <= 8, "a warp shuffle moves at most 8 bytes");
  uint64_t bits = 0;
  memcpy(&bits, &v, sizeof v);
  bits = warp_exchange(op, bits, arg, width);
  T out;
  memcpy(&out, &bits, sizeof out);
  return out;
}

inline bool is_shuffle(WarpOp op) { return op <= WarpOp::shfl_up; }

/** The lane (within the warp) whose value `lane`'s shuffle reads: itself when out of its segment. */
inline int source_lane(const Thread& t, int lane) {
  const int w = t.width, base = lane & ~(w - 1), in = lane & (w - 1);
  switch (t.op) {
    case WarpOp::shfl_idx: return base + (t.arg & (w - 1));
    case WarpOp::shfl_xor: { const int s = lane ^ t.arg; return s >= base + w ? lane : s; }
    case WarpOp::shfl_down: return in + t.arg >= w ? lane : lane + t.arg;
    case WarpOp::shfl_up: return in < t.arg ? lane : lane - t.arg;
    default: return lane;
  }
}

/** Completes warp `first/32` if all its live lanes wait at a warp operation; false if not. */
inline bool complete_warp(Thread* lanes, int count) {
  Thread* waiting = nullptr;
  for (int i = 0; i < count; i++) {
    if (lanes[i].state == State::at_warp) waiting = &lanes[i];
    else if (lanes[i].state != State::done) return false;
  }
  if (!waiting) return false;
  uint64_t ballot = 0;
  int live = 0, yes = 0;
  for (int i = 0; i < count; i++) {
    Thread& t = lanes[i];
    if (t.state != State::at_warp) continue;
    if (is_shuffle(t.op) != is_shuffle(waiting->op) || (!is_shuffle(t.op) && t.op != waiting->op))
      kernel_error("lanes of one warp wait at different warp operations", t, *waiting);
    live++;
    if (t.value) { ballot |= 1ull << i; yes++; }
  }
  for (int i = 0; i < count; i++) {
    Thread& t = lanes[i];
    if (t.state != State::at_warp) continue;
    if (is_shuffle(t.op)) {
      const int s = source_lane(t, i);
      // CUDA leaves reading an exited or missing lane undefined; here it is an error.
      if (s >= count) kernel_error("a warp shuffle reads a lane past the block's last thread", t, lanes[count - 1]);
      if (lanes[s].state != State::at_warp) kernel_error("a warp shuffle reads a lane that has exited", t, lanes[s]);
      t.result = lanes[s].value;
    } else {
      t.result = t.op == WarpOp::ballot ? ballot : t.op == WarpOp::any ? yes > 0 : t.op == WarpOp::all ? yes == live : 0;
    }
  }
  for (int i = 0; i < count; i++)
    if (lanes[i].state == State::at_warp) lanes[i].state = State::ready;
  return true;
}

/** Completes every warp whose live lanes all wait at a warp operation; true if any did. */
inline bool complete_warps() {
  bool any = false;
  const int n = (int)g_threads.size();
  for (int first = 0; first < n; first += 32) any |= complete_warp(&g_threads[first], n - first < 32 ? n - first : 32);
  return any;
}

inline void syncthreads(int line) {
  g_cur->line = line;
  g_cur->state = State::at_barrier;
  yield_to_scheduler();
}

}  // namespace kiln_cpu::detail

// The line lets the error for a divergent barrier say which __syncthreads each thread is at.
#define __syncthreads() ::kiln_cpu::detail::syncthreads(__LINE__)

template <class T> static inline T __shfl_sync(unsigned, T v, int lane, int width = warpSize) {
  return kiln_cpu::detail::shuffle(kiln_cpu::detail::WarpOp::shfl_idx, v, lane, width);
}
template <class T> static inline T __shfl_xor_sync(unsigned, T v, int mask, int width = warpSize) {
  return kiln_cpu::detail::shuffle(kiln_cpu::detail::WarpOp::shfl_xor, v, mask, width);
}
template <class T> static inline T __shfl_down_sync(unsigned, T v, unsigned delta, int width = warpSize) {
  return kiln_cpu::detail::shuffle(kiln_cpu::detail::WarpOp::shfl_down, v, (int)delta, width);
}
template <class T> static inline T __shfl_up_sync(unsigned, T v, unsigned delta, int width = warpSize) {
  return kiln_cpu::detail::shuffle(kiln_cpu::detail::WarpOp::shfl_up, v, (int)delta, width);
}
static inline unsigned __ballot_sync(unsigned, int pred) {
  return (unsigned)kiln_cpu::detail::warp_exchange(kiln_cpu::detail::WarpOp::ballot, pred != 0, 0, warpSize);
}
static inline int __any_sync(unsigned, int pred) {
  return (int)kiln_cpu::detail::warp_exchange(kiln_cpu::detail::WarpOp::any, pred != 0, 0, warpSize);
}
static inline int __all_sync(unsigned, int pred) {
  return (int)kiln_cpu::detail::warp_exchange(kiln_cpu::detail::WarpOp::all, pred != 0, 0, warpSize);
}
static inline void __syncwarp(unsigned = 0xffffffffu) {
  kiln_cpu::detail::warp_exchange(kiln_cpu::detail::WarpOp::syncwarp, 0, 0, warpSize);
}
