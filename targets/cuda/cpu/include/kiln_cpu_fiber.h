// kiln's CPU stand-in for CUDA: fibers, the lightweight threads a block's CUDA threads
// run as. A fiber switch is a hand-written x86-64 register swap (callee-saved registers,
// MXCSR and the x87 control word: what the SysV ABI says survives a call); other
// architectures fall back to ucontext, which is correct but makes a syscall per switch.
//
// Under AddressSanitizer every switch is announced with __sanitizer_start/finish_switch_fiber
// so ASan knows which stack is live (no false stack-overflow or use-after-return reports).
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) && !defined(KILN_CPU_UCONTEXT)
#define KILN_CPU_X86_SWITCH 1
#else
#define KILN_CPU_X86_SWITCH 0
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define KILN_CPU_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#else
#define KILN_CPU_ASAN 0
#endif

namespace kiln_cpu::detail {

struct Fiber {
#if KILN_CPU_X86_SWITCH
  void* sp = nullptr;  // saved stack pointer; the registers sit on the stack below it
#else
  ucontext_t uc;
#endif
  const void* stack_lo = nullptr;  // for ASan: the stack this fiber runs on
  size_t stack_size = 0;
  void* fake_stack = nullptr;      // ASan's fake stack while switched out
};

/** The scheduler's own context: the launching OS thread's stack. */
inline Fiber g_main;

#if KILN_CPU_X86_SWITCH
// Saves the callee-saved state on the current stack, stores rsp in *save, loads `load` as
// rsp and restores the state found there. Naked: the compiler adds no frame, and a
// function call already tells it every caller-saved register is clobbered.
__attribute__((naked, noinline)) inline void swap_stacks(void** /*save*/, void* /*load*/) {
  asm(
      "pushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
      "subq $8, %rsp\n\tstmxcsr (%rsp)\n\tfnstcw 4(%rsp)\n\t"
      "movq %rsp, (%rdi)\n\tmovq %rsi, %rsp\n\t"
      "ldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n\taddq $8, %rsp\n\t"
      "popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n\t"
      "ret\n\t");
}
#endif

/**
 * Makes `f` start `entry` on the stack [lo, lo + size) when first switched to. `entry`
 * must never return: it switches away for the last time instead.
 */
inline void fiber_prepare(Fiber* f, char* lo, size_t size, void (*entry)()) {
  f->stack_lo = lo;
  f->stack_size = size;
  f->fake_stack = nullptr;
#if KILN_CPU_ASAN
  // The stack is reused. Kernel frames unpoison themselves as they return, but the frames
  // of the previous fiber's last switch (at the top) never returned: clear their redzones.
  const size_t top_bytes = size < 16384 ? size : 16384;
  ASAN_UNPOISON_MEMORY_REGION(lo + size - top_bytes, top_bytes);
#endif
#if KILN_CPU_X86_SWITCH
  // Laid out as swap_stacks leaves a switched-out fiber: control words, r15..rbp, then the
  // return address (entry) and a null "caller" so that entry starts with rsp ≡ 8 mod 16.
  uint64_t* top = (uint64_t*)(((uintptr_t)(lo + size)) & ~(uintptr_t)15);
  uint32_t mxcsr;
  uint16_t fpucw;
  asm volatile("stmxcsr %0" : "=m"(mxcsr));
  asm volatile("fnstcw %0" : "=m"(fpucw));
  top[-1] = 0;                  // entry's return address: none (ends backtraces)
  top[-2] = (uint64_t)entry;    // where swap_stacks' ret goes
  for (int i = 3; i <= 8; i++) top[-i] = 0;  // rbp rbx r12 r13 r14 r15
  top[-9] = (uint64_t)mxcsr | ((uint64_t)fpucw << 32);
  f->sp = &top[-9];
#else
  getcontext(&f->uc);
  f->uc.uc_stack.ss_sp = lo;
  f->uc.uc_stack.ss_size = size;
  f->uc.uc_link = nullptr;
  makecontext(&f->uc, entry, 0);
#endif
}

/**
 * Suspends `from` (the running context) and resumes `to`. `from_exits` says `from` will
 * never be resumed, so ASan may free its fake stack.
 */
inline void fiber_switch(Fiber* from, Fiber* to, bool from_exits = false) {
#if KILN_CPU_ASAN
  __sanitizer_start_switch_fiber(from_exits ? nullptr : &from->fake_stack, to->stack_lo, to->stack_size);
#else
  (void)from_exits;
#endif
#if KILN_CPU_X86_SWITCH
  swap_stacks(&from->sp, to->sp);
#else
  swapcontext(&from->uc, &to->uc);
#endif
#if KILN_CPU_ASAN
  const void* prev_lo;
  size_t prev_size;
  __sanitizer_finish_switch_fiber(from->fake_stack, &prev_lo, &prev_size);
#endif
}

/** First thing a fiber's entry does: under ASan, finish the switch that started it. */
inline void fiber_started() {
#if KILN_CPU_ASAN
  // The switch came from the scheduler: this tells ASan's bookkeeping is complete and
  // gives the scheduler's stack, which switches back must name.
  __sanitizer_finish_switch_fiber(nullptr, &g_main.stack_lo, &g_main.stack_size);
#endif
}

/**
 * Fiber stacks, mmap'd in one piece and reused by every block of every launch; a
 * PROT_NONE guard page below each stack turns an overflow into a SIGSEGV, not into
 * another thread's frames.
 */
struct StackPool {
  char* base = nullptr;
  size_t count = 0, stride = 0, page = 0;

  /** Makes room for `n` stacks of at least `size` bytes each (grows, never shrinks). */
  void reserve(size_t n, size_t bytes) {
    page = (size_t)sysconf(_SC_PAGESIZE);
    size_t want = page + ((bytes + page - 1) / page) * page;
    if (n <= count && want <= stride) return;
    release();
    void* p = mmap(nullptr, n * want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      fprintf(stderr, "kiln cuda-cpu: cannot map %zu fiber stacks of %zu bytes\n", n, want);
      exit(3);
    }
    base = (char*)p;
    count = n;
    stride = want;
    for (size_t i = 0; i < n; i++) mprotect(base + i * stride, page, PROT_NONE);
#if KILN_CPU_ASAN
    // The addresses may have held poisoned memory before: start with clean shadow.
    for (size_t i = 0; i < n; i++) ASAN_UNPOISON_MEMORY_REGION(lo(i), size());
#endif
  }
  char* lo(size_t i) const { return base + i * stride + page; }
  size_t size() const { return stride - page; }
  void release() {
    if (base) munmap(base, count * stride);
    base = nullptr;
    count = stride = 0;
  }
};

}  // namespace kiln_cpu::detail
