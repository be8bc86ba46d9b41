/* OpenBLAS sgemm at the bench's matmul sizes: the native roof a wasm matmul is held
 * against. Threads come from OPENBLAS_NUM_THREADS (roof.ts runs this at 1 and 2).
 * Usage: gemm REPS N... ; prints one JSON object per N. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec * 1e-6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Deterministic operands in [-1, 1), B = A / 2. */
static void operands(int n, float **A, float **B, float **C) {
  *A = aligned_alloc(64, sizeof(float) * n * n), *B = aligned_alloc(64, sizeof(float) * n * n), *C = aligned_alloc(64, sizeof(float) * n * n);
  unsigned s = 1;
  for (int i = 0; i < n * n; i++) {
    s = s * 1664525u + 1013904223u;
    (*A)[i] = (float)(s >> 8) / (1 << 24) * 2 - 1;
    (*B)[i] = (*A)[i] * 0.5f;
  }
}

static void product(int n) {
  float *A, *B, *C;
  operands(n, &A, &B, &C);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
  free(A), free(B), free(C);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s REPS N...\n", argv[0]);
    return 2;
  }
  int reps = atoi(argv[1]), largest = 0;
  for (int a = 2; a < argc; a++)
    if (atoi(argv[a]) > largest) largest = atoi(argv[a]);
  /* Debian's OpenBLAS 0.3.21 (Zen kernels), single-threaded, runs small products about
   * 3.5x slower, inside sgemm_kernel_ZEN and for good, until it has once run a product
   * of n >= ~400. The roof is the fast state, so one large product comes first. */
  product(largest > 1024 ? largest : 1024);
  double *ms = malloc(sizeof(double) * reps);
  for (int a = 2; a < argc; a++) {
    int n = atoi(argv[a]);
    float *A, *B, *C;
    operands(n, &A, &B, &C);
    /* Warm-up: the first calls page in the buffers and start OpenBLAS's threads. */
    for (int i = 0; i < 3; i++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
    for (int i = 0; i < reps; i++) {
      double t = now_ms();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, A, n, B, n, 0, C, n);
      ms[i] = now_ms() - t;
    }
    qsort(ms, reps, sizeof(double), cmp);
    double med = reps % 2 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
    printf("{\"n\":%d,\"medianMs\":%.4f,\"minMs\":%.4f,\"gflops\":%.2f,\"check\":%g}\n", n, med, ms[0], 2.0 * n * n * n / med * 1e-6, C[n + 1]);
    free(A), free(B), free(C);
  }
  free(ms);
  return 0;
}
