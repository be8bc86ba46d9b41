// kiln's CPU stand-in for CUDA: __half and __nv_bfloat16 as 16-bit structs.
//
// The conversions are bit-exact and match kiln's reference (ir/scalar/floats.ts,
// ir/literal.ts roundF16/roundBf16): round to nearest even, overflow to ±inf, NaN stays
// NaN (f16: sign | 0x7e00; bf16: the f32's top half with the quiet bit set, sign kept).
// tests/cuda/emulation.test.ts compares them with the TypeScript over every 16-bit
// pattern and a sweep of f32 patterns.
#pragma once
#include <stdint.h>
#include <string.h>

namespace kiln_cpu::fp {

inline uint32_t f32_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
inline float f32_from(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
inline uint64_t f64_bits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }

/** f32 → f16 bits, rounded once to nearest even. */
inline uint16_t f32_to_f16(float f) {
  const uint32_t b = f32_bits(f);
  const uint16_t sign = (b >> 16) & 0x8000;
  const uint32_t a = b & 0x7fffffff;
  if (a > 0x7f800000) return sign | 0x7e00;  // NaN
  if (a >= 0x477ff000) return sign | 0x7c00; // ≥ 65520: max half plus half an ulp → inf
  if (a < 0x38800000) {                      // below 2^-14: a subnormal half (or zero)
    if (a < 0x33000000) return sign;         // below 2^-25 rounds to zero (2^-25 ties to even 0 too)
    const uint32_t m = (a & 0x7fffff) | 0x800000;
    const int shift = 126 - (int)(a >> 23);  // value·2^24 = m >> shift, shift in 14..24
    uint32_t q = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return sign | (uint16_t)q;
  }
  // Normal: rebias the exponent (127 → 15) and round away the low 13 mantissa bits; a
  // carry out of the mantissa correctly bumps the exponent.
  const uint32_t r = a - (112u << 23);
  return sign | (uint16_t)((r + 0xfff + ((r >> 13) & 1)) >> 13);
}

/** f16 bits → f32, exactly (a NaN keeps its payload, as x86's vcvtph2ps does). */
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
  const uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0) return f32_from(sign | f32_bits((float)m * 0x1p-24f));
  if (e == 31) return f32_from(sign | 0x7f800000 | (m << 13));
  return f32_from(sign | ((e + 112) << 23) | (m << 13));
}

/** f32 → bf16 bits, rounded to nearest even (what the top half of a rounded f32 is). */
inline uint16_t f32_to_bf16(float f) {
  const uint32_t b = f32_bits(f);
  if ((b & 0x7fffffff) > 0x7f800000) return (uint16_t)((b >> 16) | 0x40);
  return (uint16_t)((b + 0x7fff + ((b >> 16) & 1)) >> 16);
}

inline float bf16_to_f32(uint16_t h) { return f32_from((uint32_t)h << 16); }

/**
 * A double as the f32 nearest it rounded to odd, so that rounding that f32 to f16 or bf16
 * rounds the double once (kiln's roundBf16 does the same): f32 keeps ≥ 2 more bits.
 */
inline float f64_to_f32_odd(double d) {
  float f = (float)d;
  uint32_t b = f32_bits(f);
  if ((double)f != d && d == d && (b & 0x7fffffff) < 0x7f800000 && (b & 1) == 0)
    b = __builtin_fabs((double)f) > __builtin_fabs(d) ? b - 1 : b + 1;
  return f32_from(b);
}

}  // namespace kiln_cpu::fp

struct __half {
  unsigned short __x;
  __half() = default;
  __half(float f) : __x(kiln_cpu::fp::f32_to_f16(f)) {}
  operator float() const { return kiln_cpu::fp::f16_to_f32(__x); }
};

struct __nv_bfloat16 {
  unsigned short __x;
  __nv_bfloat16() = default;
  __nv_bfloat16(float f) : __x(kiln_cpu::fp::f32_to_bf16(f)) {}
  operator float() const { return kiln_cpu::fp::bf16_to_f32(__x); }
};

typedef __half half;
typedef __nv_bfloat16 nv_bfloat16;

static inline __half kiln_cpu_half_from_bits(unsigned short b) { __half h; h.__x = b; return h; }
static inline __nv_bfloat16 kiln_cpu_bf16_from_bits(unsigned short b) { __nv_bfloat16 h; h.__x = b; return h; }

static inline float __half2float(__half h) { return kiln_cpu::fp::f16_to_f32(h.__x); }
static inline __half __float2half_rn(float f) { return kiln_cpu_half_from_bits(kiln_cpu::fp::f32_to_f16(f)); }
static inline __half __float2half(float f) { return __float2half_rn(f); }
static inline __half __double2half(double d) {
  // Beyond f32's range the odd rounding would saturate; those are infinite halves anyway.
  if (d != d) return kiln_cpu_half_from_bits((kiln_cpu::fp::f64_bits(d) >> 48 & 0x8000) | 0x7e00);
  return __float2half_rn(__builtin_fabs(d) >= 65520.0 ? (float)d : kiln_cpu::fp::f64_to_f32_odd(d));
}
static inline unsigned short __half_as_ushort(__half h) { return h.__x; }
static inline __half __ushort_as_half(unsigned short b) { return kiln_cpu_half_from_bits(b); }
static inline short __half_as_short(__half h) { return (short)h.__x; }
static inline __half __short_as_half(short b) { return kiln_cpu_half_from_bits((unsigned short)b); }

static inline float __bfloat162float(__nv_bfloat16 h) { return kiln_cpu::fp::bf16_to_f32(h.__x); }
static inline __nv_bfloat16 __float2bfloat16_rn(float f) { return kiln_cpu_bf16_from_bits(kiln_cpu::fp::f32_to_bf16(f)); }
static inline __nv_bfloat16 __float2bfloat16(float f) { return __float2bfloat16_rn(f); }
static inline __nv_bfloat16 __double2bfloat16(double d) {
  if (d != d) return kiln_cpu_bf16_from_bits(kiln_cpu::fp::f32_to_bf16((float)d));
  return __float2bfloat16_rn(kiln_cpu::fp::f64_to_f32_odd(d));
}
static inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 h) { return h.__x; }
static inline __nv_bfloat16 __ushort_as_bfloat16(unsigned short b) { return kiln_cpu_bf16_from_bits(b); }
static inline short __bfloat16_as_short(__nv_bfloat16 h) { return (short)h.__x; }
static inline __nv_bfloat16 __short_as_bfloat16(short b) { return kiln_cpu_bf16_from_bits((unsigned short)b); }
