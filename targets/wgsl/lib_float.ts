// Helpers for XLA's float semantics where WGSL's builtins differ or promise nothing
// (helpers.ts says how a helper is written). WGSL lets a compiler assume there are no NaNs
// or infinities, so NaN and ±inf are recognised by their bits, never by `x != x`, and
// every helper whose builtin is indeterminate outside a domain selects the answer there.
// Accuracy of the builtins these rely on: docs/webgpu.md.
import type { Form, HelperDef } from './helpers.js';

/** The body with `F(`, `U(`, `I(`, `B(` and `<F>`, `<U>`, `<I>` spelled in form `t`, and `kiln_x(` calls in the same form. */
function body(t: Form, lines: readonly string[], calls: readonly string[] = []): string {
  let s = lines.map((l) => `  ${l}`).join('\n');
  for (const L of ['F', 'U', 'I', 'B'] as const) s = s.replace(new RegExp(`\\b${L}\\(`, 'g'), `${t[L]}(`).replace(new RegExp(`<${L}>`, 'g'), `<${t[L]}>`);
  for (const c of calls) s = s.replace(new RegExp(`\\bkiln_${c}\\(`, 'g'), `kiln_${c}${t.suffix}(`);
  return s;
}

const fn = (t: Form, name: string, params: string, result: 'F' | 'U' | 'I' | 'B', lines: readonly string[], calls: readonly string[] = []): string =>
  `fn ${name}(${params.replace(/: ([FUIB])\b/g, (_, l: 'F' | 'U' | 'I' | 'B') => `: ${t[l]}`)}) -> ${t[result]} {\n${body(t, lines, calls)}\n}`;

/** A helper of one argument x: F returning F, calling `calls` in its own form. */
const unaryF = (lines: readonly string[], calls: readonly string[] = []): HelperDef => ({
  deps: calls,
  text: (t, n) => fn(t, n, 'x: F', 'F', lines, calls),
});

/** Horner's rule over coefficients, constant term first. */
const poly = (x: string, cs: readonly number[]): string =>
  cs.slice(0, -1).reduceRight((acc, c) => `F(${c}) + ${x} * (${acc})`, `F(${cs[cs.length - 1]})`);

/** erf = x·P(x²) below 1 and T(|x| − 2.3) up to 3.92, as targets/wasm/math_f32.ts (same coefficients). */
const ERF_P = [1.1283791065216064, -0.3761235475540161, 0.112804114818573, -0.026717694476246834, 0.004924772307276726, -0.0005660074530169368];
const ERF_T = [0.9988568425178528, 0.005689278710633516, -0.01308535411953926, 0.01816292107105255, -0.016525110229849815, 0.009775310754776001,
  -0.003091240068897605, -0.0003356470260769129, 0.0008649243973195553, -0.0003403267764952034, -8.49078151077265e-06, 4.2939816921716556e-05, -9.124684765993152e-06];

const COMPARE = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==' } as const;

export const FLOAT_HELPERS: Record<string, HelperDef> = {
  /** An f32 from its bits: a call, so that NaN and ±inf are not constant expressions (which WGSL forbids). */
  f32_bits: { text: (_t, n) => `fn ${n}(b: u32) -> f32 {\n  return bitcast<f32>(b);\n}` },
  isnan: { text: (t, n) => fn(t, n, 'x: F', 'B', ['return (bitcast<U>(x) & U(0x7fffffffu)) > U(0x7f800000u);']) },
  // Compares on floats: false when either operand is NaN (ne: true), decided on the bits.
  ...Object.fromEntries(Object.entries(COMPARE).map(([name, op]) => [`${name}_f32`, {
    deps: ['isnan'],
    text: (t, n) => fn(t, n, 'a: F, b: F', 'B', [`return !(kiln_isnan(a) | kiln_isnan(b)) & (a ${op} b);`], ['isnan']),
  } satisfies HelperDef])),
  ne_f32: { deps: ['isnan'], text: (t, n) => fn(t, n, 'a: F, b: F', 'B', ['return kiln_isnan(a) | kiln_isnan(b) | (a != b);'], ['isnan']) },
  // NaN propagates; -0 < +0 (the and/or of equal values' bits picks the right zero).
  max_f32: {
    deps: ['isnan'],
    text: (t, n) => fn(t, n, 'a: F, b: F', 'F', [
      'let m = select(select(b, a, a > b), bitcast<F>(bitcast<U>(a) & bitcast<U>(b)), a == b);',
      'return select(select(m, b, kiln_isnan(b)), a, kiln_isnan(a));',
    ], ['isnan']),
  },
  min_f32: {
    deps: ['isnan'],
    text: (t, n) => fn(t, n, 'a: F, b: F', 'F', [
      'let m = select(select(b, a, a < b), bitcast<F>(bitcast<U>(a) | bitcast<U>(b)), a == b);',
      'return select(select(m, b, kiln_isnan(b)), a, kiln_isnan(a));',
    ], ['isnan']),
  },
  // C's fmod, exact: subtract the largest |y|·2^k ≤ |x| until |x| < |y| (each step exact by Sterbenz).
  fmod: {
    deps: ['f32_bits'],
    lanewise: { params: ['F', 'F'], result: 'F' },
    text: (t, n) => fn(t, n, 'x: F, y: F', 'F', [
      'let sx = bitcast<u32>(x) & 0x80000000u;',
      'let bx = bitcast<u32>(x) & 0x7fffffffu;',
      'let by = bitcast<u32>(y) & 0x7fffffffu;',
      'if (bx >= 0x7f800000u || by > 0x7f800000u || by == 0u) { return kiln_f32_bits(0x7fc00000u); }',
      'if (by == 0x7f800000u) { return x; }',
      'var ax = bitcast<f32>(bx);',
      'let ay = bitcast<f32>(by);',
      'while (ax >= ay) {',
      '  let d = frexp(ax).exp - frexp(ay).exp;',
      '  var s = ldexp(ay, d);',
      '  if (s > ax) { s = ldexp(ay, d - 1); }',
      '  ax = ax - s;',
      '}',
      'return bitcast<f32>(bitcast<u32>(ax) | sx);',
    ]),
  },
  // C's pow: |x|^y as exp2(y·log2|x|), then the sign and the special cases C defines.
  pow_f32: {
    deps: ['f32_bits:s', 'isnan'],
    text: (t, n) => fn(t, n, 'x: F, y: F', 'F', [
      'let r = exp2(y * log2(abs(x)));',
      'let integer = trunc(y) == y;',
      '// every f32 of magnitude 2^24 or more is an even integer',
      'let odd = integer & (abs(y) < F(16777216.0)) & ((I(clamp(y, F(-16777216.0), F(16777216.0))) & I(1)) != I(0));',
      'let negative = (bitcast<U>(x) & U(0x80000000u)) != U(0u);',
      'let finite = (bitcast<U>(x) & U(0x7fffffffu)) < U(0x7f800000u);',
      'var v = select(r, -r, negative & odd);',
      'v = select(v, F(kiln_f32_bits(0x7fc00000u)), negative & finite & !integer & !kiln_isnan(y) & (abs(x) != F(0.0)));',
      'let one = (y == F(0.0)) | (x == F(1.0)) | ((x == F(-1.0)) & (abs(y) == F(kiln_f32_bits(0x7f800000u))));',
      'return select(v, F(1.0), one);',
    ], ['isnan']),
  },
  round_afz: unaryF([
    'let t = trunc(x);',
    'let one = bitcast<F>((bitcast<U>(x) & U(0x80000000u)) | U(0x3f800000u));',
    'return select(t, t + one, abs(x - t) >= F(0.5));',
  ]),
  // ±1 with x's sign; ±0 and NaN are returned as they are.
  sign_f32: unaryF([
    'let a = bitcast<U>(x) & U(0x7fffffffu);',
    'let one = bitcast<F>((bitcast<U>(x) & U(0x80000000u)) | U(0x3f800000u));',
    'return select(one, x, (a == U(0u)) | (a > U(0x7f800000u)));',
  ]),
  is_finite: { text: (t, n) => fn(t, n, 'x: F', 'B', ['return (bitcast<U>(x) & U(0x7fffffffu)) < U(0x7f800000u);']) },
  // Kahan's forms: exact at 0 and accurate near it, where exp(x) − 1 and log(1 + x) cancel.
  expm1: unaryF([
    'let u = exp(x);',
    'let near = select((u - F(1.0)) * x / log(u), x, u == F(1.0));',
    'return select(u - F(1.0), near, abs(x) < F(0.5));',
  ]),
  log1p: unaryF([
    'let u = F(1.0) + x;',
    'let near = select(log(u) * x / (u - F(1.0)), x, u == F(1.0));',
    'return select(log(u), near, abs(x) < F(0.5));',
  ]),
  // tanh rounds to ±1 beyond 10; the clamp keeps a builtin computed through exp from overflowing to NaN.
  tanh: unaryF(['return select(tanh(clamp(x, F(-10.0), F(10.0))), x, kiln_isnan(x) | (abs(x) < F(0.0001)));'], ['isnan']),
  // With e = exp(−|x|) ≤ 1 nothing overflows: 1/(1+e) for x ≥ 0, e/(1+e) below.
  logistic: unaryF(['let e = exp(-abs(x));', 'return select(e, F(1.0), x >= F(0.0)) / (F(1.0) + e);']),
  cbrt: unaryF(['return bitcast<F>(bitcast<U>(pow(abs(x), F(0.3333333432674408))) | (bitcast<U>(x) & U(0x80000000u)));']),
  erf: unaryF([
    'let a = abs(x);',
    `let small = x * (${poly('(x * x)', ERF_P)});`,
    'let s = min(a, F(3.92)) - F(2.3);',
    `let large = select(F(1.0), ${poly('s', ERF_T)}, a < F(3.92));`,
    'let signed = bitcast<F>(bitcast<U>(large) | (bitcast<U>(x) & U(0x80000000u)));',
    'return select(small, signed, a >= F(1.0));',
  ]),
  // Outside their domains WGSL's acos/asin/acosh/atanh are indeterminate: NaN there (±inf at atanh(±1)).
  acos: { deps: ['f32_bits:s'], text: (t, n) => fn(t, n, 'x: F', 'F', ['return select(acos(x), F(kiln_f32_bits(0x7fc00000u)), abs(x) > F(1.0));']) },
  asin: { deps: ['f32_bits:s'], text: (t, n) => fn(t, n, 'x: F', 'F', ['return select(asin(x), F(kiln_f32_bits(0x7fc00000u)), abs(x) > F(1.0));']) },
  acosh: { deps: ['f32_bits:s'], text: (t, n) => fn(t, n, 'x: F', 'F', ['return select(acosh(x), F(kiln_f32_bits(0x7fc00000u)), x < F(1.0));']) },
  atanh: {
    deps: ['f32_bits:s'],
    text: (t, n) => fn(t, n, 'x: F', 'F', [
      'let inf = bitcast<F>((bitcast<U>(x) & U(0x80000000u)) | U(0x7f800000u));',
      'return select(select(atanh(x), inf, abs(x) == F(1.0)), F(kiln_f32_bits(0x7fc00000u)), abs(x) > F(1.0));',
    ]),
  },
};
