// The device functions a model.cu calls besides CUDA's own: XLA semantics C does not have
// (NaN-propagating max/min, saturating float → int conversion, integer power), conversions
// into narrow storage, and the lane-by-lane forms of vector operations (CUDA's float4 has
// no operators). Emitted once per file, only when used, each after the helpers it calls,
// as `static __device__ __forceinline__` functions named `kiln_…`.
import { LIB } from './lib.js';

export class Helpers {
  private readonly emitted = new Map<string, string>();

  /** The name of library helper `name` (lib.ts), emitting it and what it calls on first use. */
  use(name: string): string {
    const full = `kiln_${name}`;
    if (this.emitted.has(full)) return full;
    const def = LIB[name] ?? fail(`no helper '${name}'`);
    for (const d of def.deps ?? []) this.use(d);
    this.emitted.set(full, `static __device__ __forceinline__ ${def.text(full)}`);
    return full;
  }

  /**
   * A helper made on the spot, keyed by its name: `make(name)` gives its text (a function
   * definition without the `static __device__ __forceinline__` prefix). Vector operations
   * are such helpers, their body the scalar rule applied to each lane.
   */
  made(name: string, make: (name: string) => string): string {
    const full = `kiln_${name}`;
    if (!this.emitted.has(full)) {
      const text = make(full); // may use other helpers first, which then come before it
      this.emitted.set(full, `static __device__ __forceinline__ ${text}`);
    }
    return full;
  }

  /** Every helper used, in order. */
  render(): string[] {
    return [...this.emitted.values()];
  }
}

function fail(msg: string): never {
  throw new Error(`cuda: ${msg}`);
}
