// The outputs cross-check, with no Node imports: the Node harness (report.ts) and the
// WebGPU page (webgpu/page.ts, bundled for the browser) judge outputs the same way.

/** Outputs must agree with the reference runner's to this normwise relative error. */
export const TOLERANCE = 1e-3;

/** max|a − b| / max|ref| over all outputs: relative to the output's scale, not per element. */
export function relError(out: Float32Array[], ref: Float32Array[]): number {
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < ref.length; k++) {
    const a = out[k]!;
    const b = ref[k]!;
    if (a.length !== b.length) return Infinity;
    for (let i = 0; i < b.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      diff = d > diff || Number.isNaN(d) ? d : diff;
      scale = Math.max(scale, Math.abs(b[i]!));
    }
  }
  return diff / (scale || 1);
}
