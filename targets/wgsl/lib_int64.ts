// s64 and u64 on `vec2<u32>` (x the low word, y the high one): helpers with XLA's semantics
// (the reference interpreter's bigint kernels, ir/scalar/ops.ts and convert.ts), bit for
// bit. Two's complement makes add, subtract, multiply, negate, the bitwise operators and
// the shifts the same for both types; only compares, divide, remainder, power, abs, sign
// and converts to and from floats look at the sign. Scalars only (64-bit values have no
// vector form in the kernel IR), so each helper has one form and ignores helpers.ts's
// type names; each calls the others by their scalar names (`kiln_<name>`).
import type { HelperDef } from './helpers.js';

const V = 'vec2<u32>';

const fn = (name: string, params: string, result: string, body: readonly string[]): string =>
  `fn ${name}(${params}) -> ${result} {\n${body.map((l) => `  ${l}`).join('\n')}\n}`;

/** A helper of 64-bit operands `a` (and `b`) returning `result`. */
const def = (params: string, result: string, body: readonly string[], deps: readonly string[] = []): HelperDef =>
  ({ deps, text: (_t, n) => fn(n, params, result, body) });
const unary = (body: readonly string[], deps?: readonly string[], result: string = V): HelperDef => def(`a: ${V}`, result, body, deps);
const binary = (body: readonly string[], deps?: readonly string[], result: string = V): HelperDef => def(`a: ${V}, b: ${V}`, result, body, deps);

const ZERO = `${V}(0u)`;
const ONES = `${V}(0xffffffffu)`;
/** Leading zeros of the 64-bit `x`. */
const clz = (x: string): string => `select(countLeadingZeros(${x}.y), 32u + countLeadingZeros(${x}.x), ${x}.y == 0u)`;
const isZero = (x: string): string => `all(${x} == ${ZERO})`;
const negative = (x: string): string => `(bitcast<i32>(${x}.y) < 0i)`;

export const INT64_HELPERS: Record<string, HelperDef> = {
  add_64: binary(['let lo = a.x + b.x;', `return ${V}(lo, a.y + b.y + select(0u, 1u, lo < a.x));`]),
  sub_64: binary([`return ${V}(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));`]),
  neg_64: unary([`return ${V}(0u - a.x, 0u - a.y - select(0u, 1u, a.x != 0u));`]),
  // The full 64-bit product of two words, from 16-bit halves (every partial sum fits 32 bits).
  mul_wide_u32: def('a: u32, b: u32', V, [
    'let a0 = a & 0xffffu;', 'let a1 = a >> 16u;', 'let b0 = b & 0xffffu;', 'let b1 = b >> 16u;',
    'let p00 = a0 * b0;', 'let p01 = a0 * b1;', 'let p10 = a1 * b0;',
    'let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);',
    `return ${V}((p00 & 0xffffu) | (mid << 16u), a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));`,
  ]),
  // The low 64 bits of the product: the high words' products only reach the high word.
  mul_64: binary(['let p = kiln_mul_wide_u32(a.x, b.x);', `return ${V}(p.x, p.y + a.x * b.y + a.y * b.x);`], ['mul_wide_u32']),
  lt_u64: binary(['return a.y < b.y || (a.y == b.y && a.x < b.x);'], [], 'bool'),
  lt_s64: binary(['let ha = bitcast<i32>(a.y);', 'let hb = bitcast<i32>(b.y);', 'return ha < hb || (ha == hb && a.x < b.x);'], [], 'bool'),
  min_s64: binary(['return select(b, a, kiln_lt_s64(a, b));'], ['lt_s64']),
  max_s64: binary(['return select(b, a, kiln_lt_s64(b, a));'], ['lt_s64']),
  min_u64: binary(['return select(b, a, kiln_lt_u64(a, b));'], ['lt_u64']),
  max_u64: binary(['return select(b, a, kiln_lt_u64(b, a));'], ['lt_u64']),
  // Counts outside [0, 64) (a negative s64 count has a high word) give 0 or the sign fill.
  shl_64: binary([
    `if (b.y != 0u || b.x >= 64u) { return ${ZERO}; }`,
    'let n = b.x;',
    `if (n >= 32u) { return ${V}(0u, a.x << (n - 32u)); }`,
    'if (n == 0u) { return a; }',
    `return ${V}(a.x << n, (a.y << n) | (a.x >> (32u - n)));`,
  ]),
  shr_u_64: binary([
    `if (b.y != 0u || b.x >= 64u) { return ${ZERO}; }`,
    'let n = b.x;',
    `if (n >= 32u) { return ${V}(a.y >> (n - 32u), 0u); }`,
    'if (n == 0u) { return a; }',
    `return ${V}((a.x >> n) | (a.y << (32u - n)), a.y >> n);`,
  ]),
  shr_s_64: binary([
    'let hi = bitcast<i32>(a.y);',
    'let fill = bitcast<u32>(hi >> 31u);',
    `if (b.y != 0u || b.x >= 64u) { return ${V}(fill); }`,
    'let n = b.x;',
    `if (n >= 32u) { return ${V}(bitcast<u32>(hi >> (n - 32u)), fill); }`,
    'if (n == 0u) { return a; }',
    `return ${V}((a.x >> n) | (a.y << (32u - n)), bitcast<u32>(hi >> n));`,
  ]),
  abs_s64: unary([`return select(a, kiln_neg_64(a), ${negative('a')});`], ['neg_64']),
  sign_s64: unary([`if (${negative('a')}) { return ${ONES}; }`, `return ${V}(select(0u, 1u, any(a != ${ZERO})), 0u);`]),
  sign_u64: unary([`return ${V}(select(0u, 1u, any(a != ${ZERO})), 0u);`]),
  popcnt_64: unary([`return ${V}(countOneBits(a.x) + countOneBits(a.y), 0u);`]),
  clz_64: unary([`return ${V}(${clz('a')}, 0u);`]),
  // Unsigned quotient (xy) and remainder (zw) of a by b ≠ 0: one word when both fit, else
  // long division over a's significant bits. r < b before each step, so 2r + 1 may pass
  // 2^64 only when b does too; the bit shifted out says r ≥ b then.
  divmod_u64: binary([
    'if ((a.y | b.y) == 0u) { return vec4<u32>(a.x / b.x, 0u, a.x % b.x, 0u); }',
    `var q = ${ZERO};`,
    `var r = ${ZERO};`,
    `for (var i = 63i - i32(${clz('a')}); i >= 0i; i = i - 1i) {`,
    '  let bit = select(a.x >> u32(i), a.y >> u32(i - 32i), i >= 32i) & 1u;',
    '  let carry = r.y >> 31u;',
    `  r = ${V}((r.x << 1u) | bit, (r.y << 1u) | (r.x >> 31u));`,
    '  if (carry != 0u || !kiln_lt_u64(r, b)) {',
    '    r = kiln_sub_64(r, b);',
    '    if (i >= 32i) { q.y = q.y | (1u << u32(i - 32i)); } else { q.x = q.x | (1u << u32(i)); }',
    '  }',
    '}',
    'return vec4<u32>(q, r);',
  ], ['lt_u64', 'sub_64'], 'vec4<u32>'),
  // XLA: x / 0 = -1 (all bits), x % 0 = x; INT64_MIN / -1 = INT64_MIN and INT64_MIN % -1 = 0
  // fall out of dividing the magnitudes (|INT64_MIN| is 2^63 as a u64).
  div_u64: binary([`if (${isZero('b')}) { return ${ONES}; }`, 'return kiln_divmod_u64(a, b).xy;'], ['divmod_u64']),
  rem_u64: binary([`if (${isZero('b')}) { return a; }`, 'return kiln_divmod_u64(a, b).zw;'], ['divmod_u64']),
  div_s64: binary([
    `if (${isZero('b')}) { return ${ONES}; }`,
    `let na = ${negative('a')};`, `let nb = ${negative('b')};`,
    'let q = kiln_divmod_u64(select(a, kiln_neg_64(a), na), select(b, kiln_neg_64(b), nb)).xy;',
    'return select(q, kiln_neg_64(q), na != nb);',
  ], ['divmod_u64', 'neg_64']),
  rem_s64: binary([
    `if (${isZero('b')}) { return a; }`,
    `let na = ${negative('a')};`,
    `let r = kiln_divmod_u64(select(a, kiln_neg_64(a), na), select(b, kiln_neg_64(b), ${negative('b')})).zw;`,
    'return select(r, kiln_neg_64(r), na);',
  ], ['divmod_u64', 'neg_64']),
  // Power by squaring mod 2^64; a negative s64 exponent gives 0 except for base 1.
  pow_u64: binary([
    `var acc = ${V}(1u, 0u);`, 'var base = a;', 'var e = b;',
    `while (any(e != ${ZERO})) {`,
    '  if ((e.x & 1u) != 0u) { acc = kiln_mul_64(acc, base); }',
    '  base = kiln_mul_64(base, base);',
    `  e = ${V}((e.x >> 1u) | (e.y << 31u), e.y >> 1u);`,
    '}',
    'return acc;',
  ], ['mul_64']),
  pow_s64: binary([
    `if (${negative('b')}) { return select(${ZERO}, ${V}(1u, 0u), all(a == ${V}(1u, 0u))); }`,
    'return kiln_pow_u64(a, b);',
  ], ['pow_u64']),
  s32_to_64: def('x: i32', V, [`return ${V}(bitcast<u32>(x), select(0u, 0xffffffffu, x < 0i));`]),
  // u64 → f32 rounded once to nearest even: 24 significant bits in integers, then ldexp (exact).
  u64_to_f32: unary([
    `let bits = 64u - ${clz('a')};`,
    'if (bits <= 24u) { return f32(a.x); }',
    `let sh = ${V}(bits - 24u, 0u);`,
    'let q = kiln_shr_u_64(a, sh).x;',
    `let rest = kiln_sub_64(a, kiln_shl_64(${V}(q, 0u), sh));`,
    `let half = kiln_shl_64(${V}(1u, 0u), ${V}(bits - 25u, 0u));`,
    'let up = kiln_lt_u64(half, rest) || (all(rest == half) && (q & 1u) == 1u);',
    'return ldexp(f32(q + select(0u, 1u, up)), i32(bits - 24u));',
  ], ['shr_u_64', 'shl_64', 'sub_64', 'lt_u64'], 'f32'),
  s64_to_f32: unary([
    `let neg = ${negative('a')};`,
    'let f = kiln_u64_to_f32(select(a, kiln_neg_64(a), neg));',
    'return select(f, -f, neg);',
  ], ['u64_to_f32', 'neg_64'], 'f32'),
  // f32 → s64/u64: truncate and saturate, NaN → 0. A truncated f32 of magnitude below 2^64
  // splits exactly into words (scaling by 2^±32 and the subtraction are exact).
  f32_to_u64: def('x: f32', V, [
    'let t = trunc(x);',
    `if (kiln_isnan(x) || t <= 0.0) { return ${ZERO}; }`,
    `if (t >= 18446744073709551616.0) { return ${ONES}; }`,
    'let hi = floor(t * 2.3283064365386963e-10);',
    `return ${V}(u32(t - hi * 4294967296.0), u32(hi));`,
  ], ['isnan']),
  f32_to_s64: def('x: f32', V, [
    'let t = trunc(x);',
    `if (kiln_isnan(x)) { return ${ZERO}; }`,
    `if (t >= 9223372036854775808.0) { return ${V}(0xffffffffu, 0x7fffffffu); }`,
    `if (t <= -9223372036854775808.0) { return ${V}(0u, 0x80000000u); }`,
    'let m = abs(t);',
    'let hi = floor(m * 2.3283064365386963e-10);',
    `let w = ${V}(u32(m - hi * 4294967296.0), u32(hi));`,
    'return select(w, kiln_neg_64(w), t < 0.0);',
  ], ['isnan', 'neg_64']),
};
