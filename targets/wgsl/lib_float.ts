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
const unaryF = (lines: readonly string[], calls: readonly string[] = [], deps: readonly string[] = []): HelperDef => ({
  deps: [...calls, ...deps],
  text: (t, n) => fn(t, n, 'x: F', 'F', lines, calls),
});

/** Horner's rule over coefficients, constant term first. */
const poly = (x: string, cs: readonly number[]): string =>
  cs.slice(0, -1).reduceRight((acc, c) => `F(${c}) + ${x} * (${acc})`, `F(${cs[cs.length - 1]})`);

/** erf = x·P(x²) below 1 and T(|x| − 2.3) up to 3.92, as targets/wasm/math_f32.ts (same coefficients). */
const ERF_P = [1.1283791065216064, -0.3761235475540161, 0.112804114818573, -0.026717694476246834, 0.004924772307276726, -0.0005660074530169368];
const ERF_T = [0.9988568425178528, 0.005689278710633516, -0.01308535411953926, 0.01816292107105255, -0.016525110229849815, 0.009775310754776001,
  -0.003091240068897605, -0.0003356470260769129, 0.0008649243973195553, -0.0003403267764952034, -8.49078151077265e-06, 4.2939816921716556e-05, -9.124684765993152e-06];

const EXP_Q = [0.4999999403953552, 0.16666515171527863, 0.04166845604777336, 0.008369410410523415, 0.0013813093537464738];
/** 2·atanh(s) = 2s + 2s·z·Q(z), z = s², |s| < 0.172: the Taylor series 1/3, 1/5, ... (error < 1e-11). */
const LOG_Q = [1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11];
/** The same series for |s| ≤ ⅓ (log1p below ½): up to 1/17 (error < 2e-9). */
const LOG1P_Q = [1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15, 1 / 17];
/** Cephes' atanf on |t| ≤ tan(π/8): atan t = t + t·z·Q(z), z = t². */
const ATAN_Q = [-3.33329491539e-1, 1.99777106478e-1, -1.38776856032e-1, 8.05374449538e-2];
/** expm1(x) = x + x²·Q(x) on |x| < ½: Taylor 1/2!, 1/3!, ..., 1/10!. */
const EXPM1_Q = [1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880, 1 / 3628800];
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
  // C's pow: |x|^y as exp(y·log|x|) (the helpers, not WGSL's), then the sign and the special cases C defines.
  pow_f32: {
    deps: ['f32_bits:s', 'isnan', 'exp', 'log'],
    text: (t, n) => fn(t, n, 'x: F, y: F', 'F', [
      'let r = kiln_exp(y * kiln_log(abs(x)));',
      'let integer = trunc(y) == y;',
      '// every f32 of magnitude 2^24 or more is an even integer',
      'let odd = integer & (abs(y) < F(16777216.0)) & ((I(clamp(y, F(-16777216.0), F(16777216.0))) & I(1)) != I(0));',
      'let negative = (bitcast<U>(x) & U(0x80000000u)) != U(0u);',
      'let finite = (bitcast<U>(x) & U(0x7fffffffu)) < U(0x7f800000u);',
      'var v = select(r, -r, negative & odd);',
      'v = select(v, F(kiln_f32_bits(0x7fc00000u)), negative & finite & !integer & !kiln_isnan(y) & (abs(x) != F(0.0)));',
      'let one = (y == F(0.0)) | (x == F(1.0)) | ((x == F(-1.0)) & (abs(y) == F(kiln_f32_bits(0x7f800000u))));',
      'return select(v, F(1.0), one);',
    ], ['isnan', 'exp', 'log']),
  },
  // WGSL's sqrt is indeterminate below 0 (lavapipe gives a number; a constant operand fails
  // to compile): a negative nonzero x or NaN gives NaN, decided on the bits; sqrt(-0) = -0.
  sqrt_f32: {
    deps: ['f32_bits:s'],
    text: (t, n) => fn(t, n, 'x: F', 'F', [
      'let b = bitcast<U>(x);',
      'let nan = (b > U(0x80000000u)) | ((b & U(0x7fffffffu)) > U(0x7f800000u));',
      'return select(sqrt(select(x, F(1.0), nan)), F(kiln_f32_bits(0x7fc00000u)), nan);',
    ]),
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
  // exp with Cody–Waite reduction and the wasm target's fitted polynomial (math_f32.ts):
  // within ~1 ulp wherever it runs, where WGSL's exp promises 3 + 2|x| ulp.
  exp: unaryF([
    'let xc = clamp(x, F(-104.0), F(89.0));',
    'let kf = round(xc * F(1.4426950408889634));',
    'let r = (xc - kf * F(0.693359375)) - kf * F(-2.1219444170128554e-4);',
    `let p = ((${poly('r', EXP_Q)}) * r) * r + r + F(1.0);`,
    'let k = I(kf);',
    'let k1 = k >> U(1u);',
    '// 2^k in two halves, each a normal f32, so p·2^k rounds once',
    'let v = (p * bitcast<F>((k1 + I(127)) << U(23u))) * bitcast<F>((k - k1 + I(127)) << U(23u));',
    'return select(v, x, kiln_isnan(x));',
  ], ['isnan']),
  // log(x) = e·ln2 + 2·atanh(s), s = (m − 1)/(m + 1), m in [√½, √2): accurate near 1, where WGSL's log is not.
  log: unaryF([
    'let b = bitcast<U>(x);',
    'let a = b & U(0x7fffffffu);',
    '// subnormals: normalised in integers (a float product could meet a flush to zero)',
    'let sub = a < U(0x00800000u);',
    'let sh = countLeadingZeros(a) - U(8u);',
    'let bs = select(a, a << (sh & U(31u)), sub);',
    'let big = (bs & U(0x007fffffu)) > U(0x3504f3u);',
    'let m = bitcast<F>((bs & U(0x007fffffu)) | select(U(0x3f800000u), U(0x3f000000u), big));',
    'let e = F(I(bs >> U(23u)) - I(127) - select(I(0), I(sh), sub) + select(I(0), I(1), big));',
    'let s = (m - F(1.0)) / (m + F(1.0));',
    'let z = s * s;',
    `let l = F(2.0) * s + F(2.0) * s * z * (${poly('z', LOG_Q)});`,
    'let v = e * F(0.693359375) + (l + e * F(-2.1219444170128554e-4));',
    '// log(±0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, NaN stays NaN',
    'let special = select(select(x, F(kiln_f32_bits(0x7fc00000u)), b > U(0x80000000u)), F(kiln_f32_bits(0xff800000u)), a == U(0u));',
    'return select(v, special, (a == U(0u)) | (b >= U(0x7f800000u)));',
  ], [], ['f32_bits:s']),
  expm1: unaryF([
    `let small = x + (x * x) * (${poly('x', EXPM1_Q)});`,
    'return select(select(kiln_exp(x) - F(1.0), small, abs(x) < F(0.5)), x, x == F(0.0));',
  ], ['exp']),
  // log1p(x) = 2·atanh(s), s = x/(2 + x), below ½: no cancellation (and no (1 + x) − 1, which a compiler may fold to x).
  log1p: unaryF([
    'let s = x / (F(2.0) + x);',
    'let z = s * s;',
    `let near = F(2.0) * s + F(2.0) * s * z * (${poly('z', LOG1P_Q)});`,
    'return select(kiln_log(F(1.0) + x), select(near, x, x == F(0.0)), abs(x) < F(0.5));',
  ], ['log']),
  // tanh = e/(e + 2), e = expm1(2x); it rounds to ±1 beyond 10.
  tanh: unaryF([
    'let e = kiln_expm1(F(2.0) * clamp(x, F(-10.0), F(10.0)));',
    'return select(e / (e + F(2.0)), x, kiln_isnan(x) | (x == F(0.0)));',
  ], ['expm1', 'isnan']),
  // With e = exp(−|x|) ≤ 1 nothing overflows: 1/(1+e) for x ≥ 0, e/(1+e) below.
  logistic: unaryF(['let e = kiln_exp(-abs(x));', 'return select(e, F(1.0), x >= F(0.0)) / (F(1.0) + e);'], ['exp']),
  sinh: unaryF([
    'let a = abs(x);',
    'let e = kiln_expm1(min(a, F(22.0)));',
    'let h = kiln_exp(F(0.5) * a);',
    'let v = select(F(0.5) * (e + e / (e + F(1.0))), (F(0.5) * h) * h, a > F(22.0));',
    'return select(bitcast<F>(bitcast<U>(v) | (bitcast<U>(x) & U(0x80000000u))), x, kiln_isnan(x));',
  ], ['exp', 'expm1', 'isnan']),
  cosh: unaryF([
    'let a = abs(x);',
    'let e = kiln_exp(min(a, F(22.0)));',
    'let h = kiln_exp(F(0.5) * a);',
    'return select(select(F(0.5) * e + F(0.5) / e, (F(0.5) * h) * h, a > F(22.0)), x, kiln_isnan(x));',
  ], ['exp', 'isnan']),
  asinh: unaryF([
    'let a = abs(x);',
    'let t = a * a;',
    'let v = select(kiln_log1p(a + t / (F(1.0) + sqrt(F(1.0) + t))), kiln_log(a) + F(0.6931471805599453), a > F(4096.0));',
    'return select(bitcast<F>(bitcast<U>(v) | (bitcast<U>(x) & U(0x80000000u))), x, kiln_isnan(x));',
  ], ['log', 'log1p', 'isnan']),
  // atanh = ½·log1p(2a/(1 − a)) with x's sign: ±inf at ±1 and NaN beyond come out of log1p.
  atanh: unaryF([
    'let a = abs(x);',
    'let v = F(0.5) * kiln_log1p(F(2.0) * a / (F(1.0) - a));',
    'return select(bitcast<F>(bitcast<U>(v) | (bitcast<U>(x) & U(0x80000000u))), x, kiln_isnan(x));',
  ], ['log1p', 'isnan']),
  acosh: {
    deps: ['f32_bits:s', 'log', 'log1p'],
    text: (t, n) => fn(t, n, 'x: F', 'F', [
      'let u = x - F(1.0);',
      'let v = select(kiln_log1p(u + sqrt(F(2.0) * u + u * u)), kiln_log(x) + F(0.6931471805599453), x > F(4096.0));',
      'return select(v, F(kiln_f32_bits(0x7fc00000u)), x < F(1.0));',
    ], ['log', 'log1p']),
  },
  // cube root: exp(log|x|/3) and one Newton step, with x's sign; 0, inf and NaN as they are.
  cbrt: unaryF([
    'let a = abs(x);',
    'let r = kiln_exp(kiln_log(a) * F(0.3333333432674408));',
    'let v = select(r - (r - a / (r * r)) * F(0.3333333432674408), a, (a == F(0.0)) | !((bitcast<U>(a) < U(0x7f800000u))));',
    'return bitcast<F>(bitcast<U>(v) | (bitcast<U>(x) & U(0x80000000u)));',
  ], ['exp', 'log']),
  erf: unaryF([
    'let a = abs(x);',
    `let small = x * (${poly('(x * x)', ERF_P)});`,
    'let s = min(a, F(3.92)) - F(2.3);',
    `let large = select(F(1.0), ${poly('s', ERF_T)}, a < F(3.92));`,
    'let signed = bitcast<F>(bitcast<U>(large) | (bitcast<U>(x) & U(0x80000000u)));',
    'return select(small, signed, a >= F(1.0));',
  ]),
  // atan, atan2, asin and acos from Cephes' atanf (WGSL's builtins were 2e-4 off on lavapipe).
  atan: unaryF([
    'let a = abs(x);',
    'let hi = a > F(2.414213562373095);',
    'let mid = a > F(0.41421356237309503);',
    'let t = select(select(a, (a - F(1.0)) / (a + F(1.0)), mid), F(-1.0) / a, hi);',
    'let y0 = select(select(F(0.0), F(0.7853981633974483), mid), F(1.5707963267948966), hi);',
    'let z = t * t;',
    `let y = y0 + (t + t * z * (${poly('z', ATAN_Q)}));`,
    'return select(bitcast<F>(bitcast<U>(y) | (bitcast<U>(x) & U(0x80000000u))), x, kiln_isnan(x));',
  ], ['isnan']),
  // C's atan2: the angle of (x, y) from atan(|y|/|x|), with the zeros' and infinities' cases C defines.
  atan2: {
    deps: ['atan', 'isnan'],
    text: (t, n) => fn(t, n, 'y: F, x: F', 'F', [
      'let ay = abs(y);',
      'let ax = abs(x);',
      'let both_inf = (bitcast<U>(ay) == U(0x7f800000u)) & (bitcast<U>(ax) == U(0x7f800000u));',
      'let r = select(select(kiln_atan(ay / ax), F(0.0), ay == F(0.0)), F(0.7853981633974483), both_inf);',
      'let q = select(r, F(3.1415927410125732) - r, (bitcast<U>(x) & U(0x80000000u)) != U(0u));',
      'let v = bitcast<F>(bitcast<U>(q) | (bitcast<U>(y) & U(0x80000000u)));',
      'return select(v, x + y, kiln_isnan(x) | kiln_isnan(y));',
    ], ['atan', 'isnan']),
  },
  asin: {
    deps: ['atan2', 'f32_bits:s'],
    text: (t, n) => fn(t, n, 'x: F', 'F', [
      'let v = kiln_atan2(x, sqrt((F(1.0) - x) * (F(1.0) + x)));',
      'return select(v, F(kiln_f32_bits(0x7fc00000u)), abs(x) > F(1.0));',
    ], ['atan2']),
  },
  acos: {
    deps: ['atan2', 'f32_bits:s'],
    text: (t, n) => fn(t, n, 'x: F', 'F', [
      'let v = kiln_atan2(sqrt((F(1.0) - x) * (F(1.0) + x)), x);',
      'return select(v, F(kiln_f32_bits(0x7fc00000u)), abs(x) > F(1.0));',
    ], ['atan2']),
  },
};
