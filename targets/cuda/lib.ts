// Library helpers of the CUDA target (helpers.ts emits them on use): where C's or CUDA's
// own operators and functions differ from XLA's semantics (docs/kernel-ir.md), the rule
// is a small function whose comment says why. Everything else is spelled natively (ops.ts).

export interface HelperDef {
  /** Helpers this one calls. */
  readonly deps?: readonly string[];
  /** The function definition, given its full name. */
  readonly text: (name: string) => string;
}

type Def = HelperDef;
const def = (text: (name: string) => string, deps?: readonly string[]): Def => (deps ? { text, deps } : { text });

const FLOATS = { f32: { t: 'float', asInt: '__float_as_int', fromInt: '__int_as_float', it: 'int', one: '1.0f', zero: '0.0f' },
  f64: { t: 'double', asInt: '__double_as_longlong', fromInt: '__longlong_as_double', it: 'long long', one: '1.0', zero: '0.0' } } as const;
type FloatName = keyof typeof FLOATS;

/** XLA's maximum/minimum: NaN propagates, and −0 < +0 (fmaxf/fminf do neither). */
function extremum(f: FloatName, fn: 'max' | 'min'): Def {
  const F = FLOATS[f];
  const [cmp, bits] = fn === 'max' ? ['>', '&'] : ['<', '|'];
  return def((n) => `${F.t} ${n}(${F.t} a, ${F.t} b) {
  if (a != a || b != b) return a + b;  // a NaN
  // Equal values differ only as ±0: the AND (max) or OR (min) of their bits picks +0 or −0.
  if (a == b) return ${F.fromInt}(${F.asInt}(a) ${bits} ${F.asInt}(b));
  return a ${cmp} b ? a : b;
}`);
}

const INTS = { s32: ['int', '2147483647', '(-2147483647 - 1)', '2147483648.0'], u32: ['unsigned', '4294967295u', '0u', '4294967296.0'],
  s64: ['long long', '9223372036854775807ll', '(-9223372036854775807ll - 1)', '9223372036854775808.0'],
  u64: ['unsigned long long', '18446744073709551615ull', '0ull', '18446744073709551616.0'],
  s8: ['int8_t', '127', '(-128)', '128.0'], u8: ['uint8_t', '255', '0', '256.0'],
  s16: ['int16_t', '32767', '(-32768)', '32768.0'], u16: ['uint16_t', '65535', '0', '65536.0'] } as const;
type IntName = keyof typeof INTS;

/** XLA's float → int convert: truncate, saturate, NaN → 0 (a C cast is undefined outside the range). */
function toInt(f: FloatName, i: IntName): Def {
  const F = FLOATS[f], [t, max, min, limit] = INTS[i];
  const suffix = f === 'f32' ? 'f' : '';
  const low = min.startsWith('0') ? `x <= ${F.zero}` : `x <= -${limit}${suffix}`;
  return def((n) => `${t} ${n}(${F.t} x) {
  if (x != x) return 0;
  if (x >= ${limit}${suffix}) return ${max};
  if (${low}) return ${min.startsWith('0') ? '0' : min};
  return (${t})x;
}`);
}

/** Integer power by squaring, wrapping; a negative exponent gives 0 except for base 1 (XLA). */
function power(i: 's32' | 'u32' | 's64' | 'u64'): Def {
  const t = INTS[i][0], u = i === 's32' || i === 'u32' ? 'unsigned' : 'unsigned long long';
  const negative = i.startsWith('s') ? `  if (b < 0) return a == 1 ? 1 : 0;\n` : '';
  return def((n) => `${t} ${n}(${t} a, ${t} b) {
${negative}  ${u} acc = 1, x = (${u})a, e = (${u})b;
  while (e != 0) {
    if (e & 1) acc *= x;
    x *= x;
    e >>= 1;
  }
  return (${t})acc;
}`);
}

/** Integer maximum/minimum (CUDA's max() has no overloads the CPU build shares). */
const intExtremum = (i: 's32' | 'u32' | 's64' | 'u64', fn: 'max' | 'min'): Def =>
  def((n) => `${INTS[i][0]} ${n}(${INTS[i][0]} a, ${INTS[i][0]} b) { return a ${fn === 'max' ? '>' : '<'} b ? a : b; }`);

const LIB_ENTRIES: Record<string, Def> = {
  max_f32: extremum('f32', 'max'), min_f32: extremum('f32', 'min'),
  max_f64: extremum('f64', 'max'), min_f64: extremum('f64', 'min'),
  max_s32: intExtremum('s32', 'max'), min_s32: intExtremum('s32', 'min'),
  max_u32: intExtremum('u32', 'max'), min_u32: intExtremum('u32', 'min'),
  max_s64: intExtremum('s64', 'max'), min_s64: intExtremum('s64', 'min'),
  max_u64: intExtremum('u64', 'max'), min_u64: intExtremum('u64', 'min'),
  pow_s32: power('s32'), pow_u32: power('u32'), pow_s64: power('s64'), pow_u64: power('u64'),
  // sign keeps ±0 and NaN, as XLA's does; copysign gives ±1 otherwise.
  sign_f32: def((n) => `float ${n}(float x) { return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x; }`),
  sign_f64: def((n) => `double ${n}(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : x; }`),
  logistic_f32: def((n) => `float ${n}(float x) { return 1.0f / (1.0f + expf(-x)); }`),
  logistic_f64: def((n) => `double ${n}(double x) { return 1.0 / (1.0 + exp(-x)); }`),
  // abs of INT_MIN is INT_MIN in XLA (wrapping); C's abs() is undefined there.
  abs_s32: def((n) => `int ${n}(int x) { return (int)(x < 0 ? 0u - (unsigned)x : (unsigned)x); }`),
  abs_s64: def((n) => `long long ${n}(long long x) { return (long long)(x < 0 ? 0ull - (unsigned long long)x : (unsigned long long)x); }`),
  // An integer rounds to bf16 once: keep its 8 leading bits (nearest, ties to even), then
  // scale; through the nearest f32 first would round twice.
  u32_to_bf16: def((n) => `__nv_bfloat16 ${n}(unsigned m) {
  int shift = 24 - __clz(m | 1u);
  if (shift > 0) {
    unsigned rest = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
    m >>= shift;
    if (rest > half || (rest == half && (m & 1u))) m += 1u;
    return __float2bfloat16_rn(ldexpf((float)m, shift));
  }
  return __float2bfloat16_rn((float)m);
}`),
  s32_to_bf16: def((n) => `__nv_bfloat16 ${n}(int x) {
  __nv_bfloat16 m = kiln_u32_to_bf16(x < 0 ? 0u - (unsigned)x : (unsigned)x);
  return x < 0 ? __float2bfloat16_rn(-__bfloat162float(m)) : m;  // exact: negation
}`, ['u32_to_bf16']),
};
for (const f of ['f32', 'f64'] as const) for (const i of Object.keys(INTS) as IntName[]) LIB_ENTRIES[`${f}_to_${i}`] = toInt(f, i);

export const LIB: Readonly<Record<string, HelperDef>> = LIB_ENTRIES;
