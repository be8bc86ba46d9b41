// WGSL identifiers for kernel-IR names. Kernel variables keep their names where WGSL
// allows them; a keyword, a reserved word, a builtin the shaders call, or a name kiln's own
// code uses gets a `_` suffix. WGSL variables have one type while kernel-IR variables are
// keyed by (name, type), so a second type of one name is another identifier.

import { Names as SharedNames } from '../names.js';

const KEYWORDS = `alias break case const const_assert continue continuing default diagnostic discard else enable false fn for if let
loop override requires return struct switch true var while
NULL Self abstract active alignas alignof as asm asm_fragment async attribute auto await become cast catch class co_await co_return
co_yield coherent column_major common compile compile_fragment concept const_cast consteval constexpr constinit crate debugger decltype
delete demote demote_to_helper do dynamic_cast enum explicit export extends extern external fallthrough filter final finally friend
from fxgroup get goto groupshared highp impl implements import inline instanceof interface layout lowp macro macro_rules match mediump
meta mod module move mut mutable namespace new nil noexcept noinline nointerpolation non_coherent noncoherent noperspective null
nullptr of operator package packoffset partition pass patch pixelfragment precise precision premerge priv protected pub public
readonly ref regardless register reinterpret_cast require resource restrict self set shared sizeof smooth snorm static static_assert
static_cast std subroutine super target template this thread_local throw trait try type typedef typeid typename typeof union unless
unorm unsafe unsized use using varying virtual volatile wgsl where with writeonly yield
bool f16 f32 i32 u32 vec2 vec3 vec4 mat2x2 mat3x3 mat4x4 array atomic ptr sampler texture_2d
abs acos acosh asin asinh atan atan2 atanh ceil clamp cos cosh countLeadingZeros countOneBits exp exp2 extractBits floor fma frexp
ldexp log log2 max min pow round select sign sin sinh sqrt tan tanh trunc bitcast arena consts gid idx`.split(/\s+/);

const RESERVED = new Set(KEYWORDS);

/** A valid WGSL identifier for `name`: other characters become `_`, reserved names get a `_` suffix. */
export function identifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(id)) id = `v${id}`;
  if (id.startsWith('__')) id = `v${id}`;
  if (id === '_' || RESERVED.has(id) || id.startsWith('kiln_')) id = `${id}_`;
  return id;
}

/** Unique identifiers of one shader, WGSL's rules. */
export class Names extends SharedNames {
  constructor() {
    super(identifier);
  }
}
