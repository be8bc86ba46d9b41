// Comparing results: max absolute and relative error per output, against a tolerance
// that depends on the dtype. NaN matches NaN and infinities must match exactly.
import { DType, DTYPES } from '../ir/dtype.js';
import type { ArrayLiteral, Literal } from '../ir/literal.js';
import { sameDims, shapeToString } from '../ir/shape.js';

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Default tolerance by dtype: exact for integers, a few ulps of headroom for floats. */
export function defaultTolerance(t: DType): Tolerance {
  switch (t) {
    case 'f64': return { atol: 1e-12, rtol: 1e-12 };
    case 'f32': return { atol: 1e-5, rtol: 1e-5 };
    case 'f16': return { atol: 1e-3, rtol: 1e-3 };
    case 'bf16': return { atol: 1e-2, rtol: 1e-2 };
    default: return DTYPES[t].cls === 'float' ? { atol: 1e-1, rtol: 1e-1 } : { atol: 0, rtol: 0 };
  }
}

export interface OutputDiff {
  /** Index path of the output within the result tuple ("0", "1.2"); "" for a single array. */
  index: string;
  shape: string;
  maxAbs: number;
  maxRel: number;
  /** Elements outside tolerance. */
  bad: number;
  ok: boolean;
  /** Set when the shapes differ: no elementwise comparison was possible. */
  mismatch?: string;
}

/** Flatten a (possibly nested tuple) literal into its array leaves with index paths. */
export function leavesOf(l: Literal, prefix = ''): { index: string; value: ArrayLiteral }[] {
  if (l.shape.kind === 'array') return [{ index: prefix, value: l as ArrayLiteral }];
  return (l as { elements: readonly Literal[] }).elements.flatMap((e, i) => leavesOf(e, prefix ? `${prefix}.${i}` : String(i)));
}

export function compareLiterals(actual: Literal, expected: Literal, tol?: Tolerance): OutputDiff[] {
  const a = leavesOf(actual), e = leavesOf(expected);
  if (a.length !== e.length)
    return [{ index: '', shape: shapeToString(expected.shape), maxAbs: Infinity, maxRel: Infinity, bad: 1, ok: false,
      mismatch: `got ${a.length} outputs, expected ${e.length}` }];
  return a.map((x, i) => compareArrays(x.index, x.value, e[i].value, tol ?? defaultTolerance(e[i].value.shape.dtype)));
}

function compareArrays(index: string, a: ArrayLiteral, e: ArrayLiteral, tol: Tolerance): OutputDiff {
  const shape = shapeToString(e.shape, { layout: false });
  if (a.shape.dtype !== e.shape.dtype || !sameDims(a.shape.dims, e.shape.dims))
    return { index, shape, maxAbs: Infinity, maxRel: Infinity, bad: 1, ok: false,
      mismatch: `got ${shapeToString(a.shape, { layout: false })}, expected ${shape}` };
  let maxAbs = 0, maxRel = 0, bad = 0;
  for (let i = 0; i < e.data.length; i++) {
    const x = Number(a.data[i]), y = Number(e.data[i]);
    if (typeof a.data[i] === 'bigint' && a.data[i] !== e.data[i]) { bad++; maxAbs = Infinity; continue; }
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    const abs = Math.abs(x - y);
    const rel = abs / Math.max(Math.abs(y), Number.MIN_VALUE);
    if (!(abs <= maxAbs)) maxAbs = abs;
    if (!(rel <= maxRel)) maxRel = rel;
    if (!(abs <= tol.atol + tol.rtol * Math.abs(y))) bad++;
  }
  return { index, shape, maxAbs, maxRel, bad, ok: bad === 0 };
}
