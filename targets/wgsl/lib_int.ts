// Helpers for XLA's integer and conversion semantics where WGSL's differ (helpers.ts says
// how a helper is written). WGSL's own rules: x / 0 = x, INT_MIN / -1 = INT_MIN,
// x % 0 = 0, shift counts taken mod 32, float → int out of range indeterminate.
import type { HelperDef } from './helpers.js';

const fn = (name: string, params: string, result: string, body: string): string =>
  `fn ${name}(${params}) -> ${result} {\n${body.split('\n').map((l) => `  ${l}`).join('\n')}\n}`;

export const INT_HELPERS: Record<string, HelperDef> = {
  // XLA: x / 0 = -1 (all bits); INT_MIN / -1 = INT_MIN, as WGSL gives.
  div_s32: { text: (t, n) => fn(n, `a: ${t.I}, b: ${t.I}`, t.I, `return select(a / b, ${t.I}(-1), b == ${t.I}(0));`) },
  div_u32: { text: (t, n) => fn(n, `a: ${t.U}, b: ${t.U}`, t.U, `return select(a / b, ${t.U}(0xffffffffu), b == ${t.U}(0u));`) },
  // XLA: x % 0 = x; INT_MIN % -1 = 0, as WGSL gives.
  rem_s32: { text: (t, n) => fn(n, `a: ${t.I}, b: ${t.I}`, t.I, `return select(a % b, a, b == ${t.I}(0));`) },
  rem_u32: { text: (t, n) => fn(n, `a: ${t.U}, b: ${t.U}`, t.U, `return select(a % b, a, b == ${t.U}(0u));`) },
  // Counts outside [0, 32) (negative ones included: they are huge unsigned) give 0 or the sign fill.
  shl_s32: { text: (t, n) => fn(n, `a: ${t.I}, b: ${t.I}`, t.I, `let c = bitcast<${t.U}>(b);\nreturn select(a << (c & ${t.U}(31u)), ${t.I}(0), c >= ${t.U}(32u));`) },
  shl_u32: { text: (t, n) => fn(n, `a: ${t.U}, b: ${t.U}`, t.U, `return select(a << (b & ${t.U}(31u)), ${t.U}(0u), b >= ${t.U}(32u));`) },
  shr_u_s32: { text: (t, n) => fn(n, `a: ${t.I}, b: ${t.I}`, t.I,
    `let c = bitcast<${t.U}>(b);\nreturn select(bitcast<${t.I}>(bitcast<${t.U}>(a) >> (c & ${t.U}(31u))), ${t.I}(0), c >= ${t.U}(32u));`) },
  shr_u_u32: { text: (t, n) => fn(n, `a: ${t.U}, b: ${t.U}`, t.U, `return select(a >> (b & ${t.U}(31u)), ${t.U}(0u), b >= ${t.U}(32u));`) },
  shr_s_s32: { text: (t, n) => fn(n, `a: ${t.I}, b: ${t.I}`, t.I, `return a >> min(bitcast<${t.U}>(b), ${t.U}(31u));`) },
  shr_s_u32: { text: (t, n) => fn(n, `a: ${t.U}, b: ${t.U}`, t.U, `return bitcast<${t.U}>(bitcast<${t.I}>(a) >> min(b, ${t.U}(31u)));`) },
  // Power by squaring mod 2^32; a negative signed exponent gives 0 except for base 1.
  pow_s32: {
    lanewise: { params: ['I', 'I'], result: 'I' },
    text: (_t, n) => fn(n, 'a: i32, b: i32', 'i32', [
      'if (b < 0) { return select(0i, 1i, a == 1i); }',
      'var acc = 1i;', 'var base = a;', 'var e = bitcast<u32>(b);',
      'while (e != 0u) {', '  if ((e & 1u) != 0u) { acc = acc * base; }', '  base = base * base;', '  e = e >> 1u;', '}',
      'return acc;',
    ].join('\n')),
  },
  pow_u32: {
    lanewise: { params: ['U', 'U'], result: 'U' },
    text: (_t, n) => fn(n, 'a: u32, b: u32', 'u32', [
      'var acc = 1u;', 'var base = a;', 'var e = b;',
      'while (e != 0u) {', '  if ((e & 1u) != 0u) { acc = acc * base; }', '  base = base * base;', '  e = e >> 1u;', '}',
      'return acc;',
    ].join('\n')),
  },
  // f32 → s32/u32: truncate and saturate, NaN → 0 (a clamp alone leaves NaN indeterminate).
  f32_to_s32: {
    deps: ['isnan'],
    text: (t, n) => fn(n, `x: ${t.F}`, t.I,
      `let v = select(${t.I}(clamp(x, ${t.F}(-2147483648.0), ${t.F}(2147483520.0))), ${t.I}(2147483647), x >= ${t.F}(2147483648.0));\n` +
      `return select(v, ${t.I}(0), kiln_isnan${t.suffix}(x));`),
  },
  f32_to_u32: {
    deps: ['isnan'],
    text: (t, n) => fn(n, `x: ${t.F}`, t.U,
      `let v = select(${t.U}(clamp(x, ${t.F}(0.0), ${t.F}(4294967040.0))), ${t.U}(0xffffffffu), x >= ${t.F}(4294967296.0));\n` +
      `return select(v, ${t.U}(0u), kiln_isnan${t.suffix}(x));`),
  },
  // f32 → s8/u8/s16/u16 (storing into a narrow buffer): truncate, saturate to its range, NaN → 0; the bits as u32.
  ...Object.fromEntries(([['s8', -128, 127], ['u8', 0, 255], ['s16', -32768, 32767], ['u16', 0, 65535]] as const).map(([dt, lo, hi]) => [
    `sat_${dt}`, {
      deps: ['isnan'],
      text: (t, n) => fn(n, `x: ${t.F}`, t.U,
        `return bitcast<${t.U}>(select(${t.I}(clamp(x, ${t.F}(${lo}.0), ${t.F}(${hi}.0))), ${t.I}(0), kiln_isnan${t.suffix}(x)));`),
    } satisfies HelperDef,
  ])),
  // f32 → IEEE half bits, round to nearest even, overflow → inf, NaN → 0x7e00 (the reference's NaN).
  f32_to_f16: {
    text: (t, n) => fn(n, `x: ${t.F}`, t.U, [
      'let b = bitcast<U>(x);',
      'let sign = (b >> U(16u)) & U(0x8000u);',
      'let a = b & U(0x7fffffffu);',
      'let m = a - U(0x38000000u);',
      'let normal = (m + U(0xfffu) + ((m >> U(13u)) & U(1u))) >> U(13u);',
      '// below 2^-14: a multiple of 2^-24, rounded to nearest even by round()',
      'let sub = U(round(bitcast<F>(a) * F(16777216.0)));',
      'let finite = sign | select(select(normal, sub, a < U(0x38800000u)), U(0x7c00u), a >= U(0x477ff000u));',
      'return select(finite, U(0x7e00u), a > U(0x7f800000u));',
    ].join('\n').replace(/\bU\(/g, `${t.U}(`).replace(/\bF\(/g, `${t.F}(`).replace(/<U>/g, `<${t.U}>`).replace(/<F>/g, `<${t.F}>`)),
  },
  // IEEE half bits (low 16 bits) → f32, exactly (subnormal halves are normal f32s).
  f16_to_f32: {
    text: (t, n) => fn(n, `h: ${t.U}`, t.F, [
      'let e = (h >> U(10u)) & U(0x1fu);',
      'let x = (h & U(0x7fffu)) << U(13u);',
      'let sub = F(h & U(0x3ffu)) * F(5.9604644775390625e-8);',
      'let r = select(select(bitcast<F>(x + U(0x38000000u)), bitcast<F>(x | U(0x7f800000u)), e == U(31u)), sub, e == U(0u));',
      'return bitcast<F>(bitcast<U>(r) | ((h & U(0x8000u)) << U(16u)));',
    ].join('\n').replace(/\bU\(/g, `${t.U}(`).replace(/\bF\(/g, `${t.F}(`).replace(/<U>/g, `<${t.U}>`).replace(/<F>/g, `<${t.F}>`)),
  },
  // f32 → bf16 bits (the top 16), round to nearest even by integer add; NaN → 0x7fc0.
  f32_to_bf16: {
    text: (t, n) => fn(n, `x: ${t.F}`, t.U,
      `let b = bitcast<${t.U}>(x);\n` +
      `return select((b + ${t.U}(0x7fffu) + ((b >> ${t.U}(16u)) & ${t.U}(1u))) >> ${t.U}(16u), ${t.U}(0x7fc0u), (b & ${t.U}(0x7fffffffu)) > ${t.U}(0x7f800000u));`),
  },
  // A 32-bit integer → bf16 bits, rounded once: to 8 significant bits in integers, then exactly to f32.
  u32_to_bf16: {
    deps: ['f32_to_bf16:s'],
    lanewise: { params: ['U'], result: 'U' },
    text: (_t, n) => fn(n, 'm: u32', 'u32', [
      'let bits = 32u - countLeadingZeros(m);',
      'if (bits <= 24u) { return kiln_f32_to_bf16(f32(m)); }',
      'let sh = bits - 8u;',
      'let q = m >> sh;',
      'let r = m & ((1u << sh) - 1u);',
      'let half = 1u << (sh - 1u);',
      'let up = select(0u, 1u, r > half || (r == half && (q & 1u) == 1u));',
      'return bitcast<u32>(ldexp(f32(q + up), i32(sh))) >> 16u;',
    ].join('\n')),
  },
  s32_to_bf16: {
    deps: ['u32_to_bf16:s'],
    lanewise: { params: ['I'], result: 'U' },
    text: (_t, n) => fn(n, 'v: i32', 'u32',
      'let m = select(bitcast<u32>(v), 0u - bitcast<u32>(v), v < 0i);\nreturn kiln_u32_to_bf16(m) | select(0u, 0x8000u, v < 0i);'),
  },
  round_f16: { deps: ['f32_to_f16', 'f16_to_f32'], text: (t, n) => fn(n, `x: ${t.F}`, t.F, `return kiln_f16_to_f32${t.suffix}(kiln_f32_to_f16${t.suffix}(x));`) },
  round_bf16: {
    deps: ['f32_to_bf16'],
    text: (t, n) => fn(n, `x: ${t.F}`, t.F,
      `let b = bitcast<${t.U}>(x);\nlet r = bitcast<${t.F}>(kiln_f32_to_bf16${t.suffix}(x) << ${t.U}(16u));\n` +
      `return select(r, x, (b & ${t.U}(0x7fffffffu)) > ${t.U}(0x7f800000u));`),
  },
};
