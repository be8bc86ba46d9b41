// Literal text as XLA prints it: floats via `%.6g` widened to `%.9g` when needed to
// round-trip (f64: 15/17), nested braces compacted to one line, `/*iN=k*/` markers
// on arrays of rank > 3, pred arrays as 0/1.
import { DTYPES } from './dtype.js';
import { roundBf16, roundF16, type ArrayLiteral, type Literal } from './literal.js';

export function literalToString(l: Literal): string {
  if (l.shape.kind === 'tuple') {
    const elements = (l as { elements: readonly Literal[] }).elements;
    return `( ${elements.map(literalToString).join(', ')} )`;
  }
  const a = l as ArrayLiteral;
  if (a.elided) return '{...}';
  const dims = a.shape.dims;
  const rank = dims.length;
  if (rank === 0) return scalarToString(a, 0);
  const pieces: string[] = [];
  const idx: number[] = [];
  let flat = 0;
  const brace = (b: '{' | '}', remaining: number): string => {
    if (rank === 1) return b;
    if (remaining === 1) return b === '{' ? `  {${dims[rank - 1] <= 1 ? '' : ' '}` : `${dims[rank - 1] <= 1 ? '' : ' '}}`;
    if (b === '{') return rank > 3 && idx.length > 0 && idx.length < rank ? `{ /*i${idx.length - 1}=${idx[idx.length - 1]}*/\n` : '{\n';
    return '\n}';
  };
  const walk = (d: number) => {
    if (d === rank) {
      pieces.push(a.shape.dtype === 'pred' ? (Number(a.data[flat++]) ? '1' : '0') : scalarToString(a, flat++));
      return;
    }
    pieces.push(brace('{', rank - d));
    for (let i = 0; i < dims[d]; i++) {
      idx.push(i);
      walk(d + 1);
      idx.pop();
      if (i < dims[d] - 1) pieces.push(',', rank - d > 1 ? '\n' : ' ');
    }
    pieces.push(brace('}', rank - d));
  };
  walk(0);
  return pieces.join('').split(/[\n ]+/).filter((s) => s).join(' ');
}

function scalarToString(a: ArrayLiteral, i: number): string {
  const t = a.shape.dtype;
  if (t === 'c64' || t === 'c128') {
    const part = (x: number) => (t === 'c64' ? roundTripG(x, 6, 9, Math.fround) : roundTripG(x, 15, 17));
    return `(${part(Number(a.data[2 * i]))}, ${part(Number(a.data[2 * i + 1]))})`;
  }
  const v = a.data[i];
  if (typeof v === 'bigint') return v.toString();
  if (t === 'pred') return v ? 'true' : 'false';
  if (DTYPES[t].cls !== 'float') return String(v);
  return PRECISION[t] ? roundTripG(v, ...PRECISION[t]) : roundTripG(v, 6, 9, Math.fround);
}

/** XLA's digits per float type: `%.{short}g`, or `%.{wide}g` when the short form does not read back. */
const PRECISION: Partial<Record<string, [number, number, (x: number) => number]>> = {
  f64: [15, 17, (x) => x],
  f32: [6, 9, Math.fround],
  bf16: [4, 4, roundBf16],
  f16: [5, 5, roundF16],
};

/** C's `%.{p}g`, widened from p to wide digits when the short form does not read back the same. */
export function roundTripG(v: number, p: number, wide: number, read: (x: number) => number = (x) => x): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v < 0 ? '-inf' : 'inf';
  const short = formatG(v, p);
  return read(Number(short)) === read(v) ? short : formatG(v, wide);
}

/** C's `%.{p}g` formatting. */
export function formatG(v: number, p: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expText] = v.toExponential(p - 1).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= p) {
    const m = stripZeros(mant);
    const e = Math.abs(exp);
    return `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return stripZeros(v.toFixed(Math.max(0, p - 1 - exp)));
}

const stripZeros = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
