// CUDA C++ identifiers for kernel-IR names. Kernel variables keep their names where C++
// allows them; a keyword, a CUDA builtin (threadIdx, …), a math function the kernels call,
// or a name of kiln's own code (`kiln_…`) gets a `_` suffix. Names starting with `__` or `_`
// and a capital are reserved to the implementation in C++, so they get a `v` prefix.
import { Names } from '../names.js';

const RESERVED = new Set(`alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t
class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype default delete
do double dynamic_cast else enum explicit export extern false float for friend goto if inline int long mutable namespace new
noexcept not not_eq nullptr operator or or_eq private protected public register reinterpret_cast requires return short signed
sizeof static static_assert static_cast struct switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq restrict
threadIdx blockIdx blockDim gridDim warpSize dim3 uint3 float4 int4 uint4 make_float4 make_int4 make_uint4 main
abs fabsf fabs expf exp expm1f expm1 logf log log1pf log1p tanhf tanh sqrtf sqrt cbrtf cbrt sinf sin cosf cos tanf tan
floorf floor ceilf ceil roundf round rintf rint erff erf acosf acos acoshf acosh asinf asin asinhf asinh atanhf atanh
coshf cosh sinhf sinh powf pow fmodf fmod atan2f atan2 fmaf fma isfinite isnan signbit copysignf copysign ldexpf ldexp
min max int8_t uint8_t int16_t uint16_t int32_t uint32_t int64_t uint64_t arena consts idx m stream`.split(/\s+/));

/** A valid C++ identifier for `name`: other characters become `_`, reserved names a `_` suffix. */
export function identifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(id) || /^_[A-Z_]/.test(id)) id = `v${id}`;
  if (id === '_' || RESERVED.has(id) || id.startsWith('kiln_') || id.includes('__')) id = `${id.replace(/__+/g, '_')}_`;
  return id;
}

/** Unique identifiers of one kernel, C++'s rules. */
export const cudaNames = (): Names => new Names(identifier);
