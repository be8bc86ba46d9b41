// sin, cos and tan on f32 (helpers.ts says how a helper is written). The argument is
// reduced by π/2: Cody–Waite in three parts below 8192 (exact products there), and beyond
// by Payne–Hanek in 32-bit integers — 96 bits of 2/π from the window the exponent picks,
// times the 24-bit mantissa — so huge arguments come out right too. Cephes' polynomials
// on [−π/4, π/4]. WGSL's own sin/cos promise an absolute 2^-11 on [−π, π] only.
import type { HelperDef } from './helpers.js';

/** 2/π: 32-bit words of the bits after the binary point, after one zero word (BigInt, Machin's formula: no digits to mistype). */
export const TWO_OVER_PI_WORDS: readonly number[] = (() => {
  const words = 8, bits = words * 32 + 64;
  const one = 1n << BigInt(bits + 64);
  const atanInv = (m: bigint): bigint => {
    let sum = 0n, power = one / m, k = 0n;
    for (; power !== 0n; k++, power /= m * m) sum += (k % 2n === 0n ? 1n : -1n) * (power / (2n * k + 1n));
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  const twoOverPi = (2n * one * (1n << BigInt(bits))) / pi;
  return [0, ...Array.from({ length: words }, (_, i) => Number((twoOverPi >> BigInt(bits - 32 * (i + 1))) & 0xffffffffn))];
})();

const hex = (v: number): string => `0x${v.toString(16)}u`;
const fn = (name: string, params: string, result: string, lines: readonly string[]): string =>
  `fn ${name}(${params}) -> ${result} {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;

const SIN_S = [-1.6666654611e-1, 8.3321608736e-3, -1.9515295891e-4];
const COS_C = [4.166664568298827e-2, -1.388731625493765e-3, 2.443315711809948e-5];
const poly = (x: string, cs: readonly number[]): string => cs.slice(0, -1).reduceRight((acc, c) => `${c} + ${x} * (${acc})`, `${cs[cs.length - 1]}`);

export const TRIG_HELPERS: Record<string, HelperDef> = {
  /** a·m as (high, low) words, m < 2^24, in 16-bit pieces (WGSL has no 64-bit product). */
  mul_wide: {
    text: (_t, n) => fn(n, 'a: u32, m: u32', 'vec2<u32>', [
      'let ah = a >> 16u;', 'let al = a & 0xffffu;', 'let mh = m >> 16u;', 'let ml = m & 0xffffu;',
      'let mid = ah * ml;', 'let mid2 = mid + al * mh;', 'let lo0 = al * ml;', 'let lo = lo0 + (mid2 << 16u);',
      'return vec2<u32>(ah * mh + (mid2 >> 16u) + select(0u, 0x10000u, mid2 < mid) + select(0u, 1u, lo < lo0), lo);',
    ]),
  },
  /** x = q·π/2 + r, |r| ≤ π/4 (about): returns (r, q), q an integer (mod 4 is what matters). */
  rem_pio2: {
    deps: ['mul_wide'],
    text: (_t, n) => fn(n, 'x: f32', 'vec2<f32>', [
      'let a = bitcast<u32>(x) & 0x7fffffffu;',
      'if (a < 0x46000000u) {',
      '  let kf = round(x * 0.6366197723675814);',
      '  return vec2<f32>(((x - kf * 1.5703125) - kf * 4.837512969970703125e-4) - kf * 7.549789954891882e-8, kf);',
      '}',
      `var t = array<u32, ${TWO_OVER_PI_WORDS.length}>(${TWO_OVER_PI_WORDS.map(hex).join(', ')});`,
      '// |x| = m·2^e; the bits of 2/π before e − 1 only add multiples of 4 to x·2/π',
      'let m = (a & 0x7fffffu) | 0x800000u;',
      'let s = u32(i32(a >> 23u) - 150 + 30);',
      'let q = s >> 5u;',
      'let sh = s & 31u;',
      'let back = select(32u - sh, 0u, sh == 0u);',
      'let lowMask = select(0xffffffffu, 0u, sh == 0u);',
      'let w0 = (t[q] << sh) | ((t[q + 1u] >> (back & 31u)) & lowMask);',
      'let w1 = (t[q + 1u] << sh) | ((t[q + 2u] >> (back & 31u)) & lowMask);',
      'let w2 = (t[q + 2u] << sh) | ((t[q + 3u] >> (back & 31u)) & lowMask);',
      'let p0 = kiln_mul_wide(w0, m);',
      'let p1 = kiln_mul_wide(w1, m);',
      'let p2 = kiln_mul_wide(w2, m);',
      '// x·2/π = m·w·2^-94 (mod 4): its two integer bits are bits 95 and 94 of m·w, the fraction the 64 below',
      'let word1 = p1.y + p2.x;',
      'let word2 = p0.y + p1.x + select(0u, 1u, word1 < p1.y);',
      'var quadrant = word2 >> 30u;',
      'var hi = (word2 << 2u) | (word1 >> 30u);',
      'var lo = (word1 << 2u) | (p2.y >> 30u);',
      'let up = (hi & 0x80000000u) != 0u;',
      'if (up) {',
      '  // the fraction is ≥ ½: take it from 1 (two\'s complement) and round the quotient up',
      '  lo = ~lo + 1u;',
      '  hi = ~hi + select(0u, 1u, lo == 0u);',
      '  quadrant = quadrant + 1u;',
      '}',
      'let z = countLeadingZeros(hi);',
      'let top = select((hi << (z & 31u)) | select(lo >> ((32u - z) & 31u), 0u, z == 0u), lo << (countLeadingZeros(lo) & 31u), hi == 0u);',
      'let lead = select(i32(z), 32 + i32(countLeadingZeros(lo)), hi == 0u);',
      'let r = ldexp(f32(top), -32 - lead) * 1.5707963267948966;',
      'let rs = select(r, -r, up);',
      'let qf = f32(quadrant & 3u);',
      'return select(vec2<f32>(rs, qf), vec2<f32>(-rs, -qf), x < 0.0);',
    ]),
  },
  ...Object.fromEntries((['sin', 'cos', 'tan'] as const).map((f) => [`${f}_f32`, {
    deps: ['rem_pio2', 'f32_bits'],
    lanewise: { params: ['F'], result: 'F' },
    text: (_t, n) => fn(n, 'x: f32', 'f32', [
      'if ((bitcast<u32>(x) & 0x7fffffffu) >= 0x7f800000u) { return kiln_f32_bits(0x7fc00000u); } // ±inf, NaN',
      ...(f === 'cos' ? [] : ['if (x == 0.0) { return x; } // ±0']),
      'let rq = kiln_rem_pio2(x);',
      'let r = rq.x;',
      'let z = r * r;',
      `let s = r + r * z * (${poly('z', SIN_S)});`,
      `let c = 1.0 - 0.5 * z + z * z * (${poly('z', COS_C)});`,
      'let k = bitcast<u32>(i32(rq.y)) & 3u;',
      f === 'sin' ? 'return select(select(s, c, k == 1u), select(-s, -c, k == 3u), k >= 2u);'
        : f === 'cos' ? 'return select(select(c, -s, k == 1u), select(-c, s, k == 3u), k >= 2u);'
          : 'return select(s / c, -c / s, (k & 1u) == 1u);',
    ]),
  } satisfies HelperDef])),
};
