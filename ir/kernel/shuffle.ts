// The order in which the reference executor runs a parallel loop's iterations. A GPU
// runs them in no order the kernel may rely on; running them shuffled, from a seeded
// generator, makes a kernel that relies on an order fail here, and the same seed gives
// the same run every time, so a failure can be replayed.

/** The executor's default seed ('kiln' in ASCII): runs are reproducible unless a test asks otherwise. */
export const DEFAULT_SEED = 0x6b696c6e;

/** mulberry32: a tiny, fast generator of uint32s; plenty for picking orders. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** 0..n-1, shuffled by Fisher–Yates from `next`, or in order when `next` is undefined. */
export function permutation(n: number, next: (() => number) | undefined): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  if (next) shuffleInPlace(out, next);
  return out;
}

export function shuffleInPlace(a: Int32Array, next: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor((next() / 4294967296) * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
