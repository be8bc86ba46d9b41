/* Peak single-core float throughput from independent dependency chains, so the
 * numbers are bounded by the FP pipes, not by latency or memory:
 *  - fma256: 8-lane fused multiply-adds, what native code (OpenBLAS) can use;
 *  - muladd128: 4-lane multiplies and adds as separate ops, the shape of wasm SIMD
 *    (128-bit, and no FMA without relaxed-simd), i.e. the roof for kiln's kernels.
 * The multiplier 1 and addend 0 come through volatiles, so the compiler cannot fold
 * them and the values never overflow or go denormal. Prints one JSON object. */
#include <stdio.h>
#include <time.h>

typedef float v8 __attribute__((vector_size(32)));
typedef float v4 __attribute__((vector_size(16)));

/* Enough chains to cover latency × pipes (Zen 1: FMA latency 5 on two 128-bit pipes;
 * mul and add latency 3, two pipes each), and no more than 16 vector registers hold. */
#define CHAINS 12
#define MA_CHAINS 7
#define ITERS 50000000L

static volatile float one = 1.0f, zero = 0.0f;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double fma256(void) {
  v8 acc[CHAINS], m = {0}, c = {0};
  m += one, c += zero;
  for (int i = 0; i < CHAINS; i++) acc[i] = m * (float)(i + 1);
  double t = now_s();
  for (long k = 0; k < ITERS; k++)
    for (int i = 0; i < CHAINS; i++) acc[i] = acc[i] * m + c; /* contracted to vfmadd */
  t = now_s() - t;
  float sink = 0;
  for (int i = 0; i < CHAINS; i++) sink += acc[i][0];
  if (sink < 0) puts("");
  return 2.0 * 8 * CHAINS * ITERS / t * 1e-9;
}

static double muladd128(void) {
  v4 p[MA_CHAINS], s[MA_CHAINS], m = {0}, c = {0};
  m += one, c += zero;
  for (int i = 0; i < MA_CHAINS; i++) p[i] = s[i] = m * (float)(i + 1);
  double t = now_s();
  /* Mul chains and add chains never feed each other, so nothing can be fused. */
  for (long k = 0; k < ITERS; k++)
    for (int i = 0; i < MA_CHAINS; i++) p[i] = p[i] * m, s[i] = s[i] + c;
  t = now_s() - t;
  float sink = 0;
  for (int i = 0; i < MA_CHAINS; i++) sink += p[i][0] + s[i][0];
  if (sink < 0) puts("");
  return 4.0 * 2 * MA_CHAINS * ITERS / t * 1e-9;
}

int main(void) {
  double f = 0, w = 0;
  for (int r = 0; r < 5; r++) { /* best of five: the peak is what the core can do when left alone */
    double a = fma256(), b = muladd128();
    if (a > f) f = a;
    if (b > w) w = b;
  }
  printf("{\"fma256Gflops\":%.2f,\"muladd128Gflops\":%.2f}\n", f, w);
  return 0;
}
