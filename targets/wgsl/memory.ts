// Buffer loads and stores. Each region is bound as an array of u32 words (`arena`,
// `consts`) and a launch's buffers sit at constant byte offsets in them, so element i of
// a 32-bit buffer at byte `base` is word `base/4 + i`, bitcast to its type. Narrower
// elements (pred, s8, u8, s16, u16, f16, bf16) are bits of a word: loads extract them,
// stores replace them. Invocations store into neighbouring elements in parallel, so a
// shader that stores narrow elements declares the arena `array<atomic<u32>>` and changes
// only its element's bits with atomicAnd + atomicOr (every other access of that shader is
// an atomicLoad / atomicStore): two invocations never overwrite each other's bytes.
// s64 and u64 elements are two words (low, high), read and written as a `vec2<u32>`; a
// buffer needs only word alignment for that.
import { computeTypeOf, type StorageType } from '../../ir/kernel/kernel.js';
import { NotSupported } from './errors.js';
import type { HelperDef } from './helpers.js';
import type { Scalar32 } from './types.js';

export type RegionName = 'arena' | 'consts';

export interface RegionAccess {
  readonly name: RegionName;
  readonly atomic: boolean;
}

export const ELEMENT_BYTES: { readonly [S in StorageType]: number } = {
  pred: 1, s8: 1, u8: 1, s16: 2, u16: 2, s32: 4, u32: 4, f16: 2, bf16: 2, f32: 4, s64: 8, u64: 8, f64: 8,
};

/** Storage types kept as bits of a word. */
export const isNarrow = (dt: StorageType): boolean => ELEMENT_BYTES[dt] < 4;

/** Word `w` of a region (an i32 expression) as a u32 value. */
export const word = (r: RegionAccess, w: string): string => (r.atomic ? `atomicLoad(&${r.name}[${w}])` : `${r.name}[${w}]`);
/** Storing u32 `v` into word `w`. */
export const setWord = (r: RegionAccess, w: string, v: string): string => (r.atomic ? `atomicStore(&${r.name}[${w}], ${v});` : `${r.name}[${w}] = ${v};`);

/** Memory helpers over the regions as this shader binds them: loads and stores of 8- and 16-bit elements by byte address. */
export function memoryHelpers(regions: readonly RegionAccess[]): Record<string, HelperDef> {
  const defs: Record<string, HelperDef> = {};
  for (const r of regions) {
    for (const bits of [8, 16] as const) {
      const off = `u32(b & ${bits === 8 ? 3 : 2}) * 8u`;
      defs[`ld_u${bits}_${r.name}`] = { text: (_t, n) => `fn ${n}(b: i32) -> u32 {\n  return extractBits(${word(r, 'b >> 2u')}, ${off}, ${bits}u);\n}` };
      defs[`ld_s${bits}_${r.name}`] = { text: (_t, n) => `fn ${n}(b: i32) -> i32 {\n  return extractBits(bitcast<i32>(${word(r, 'b >> 2u')}), ${off}, ${bits}u);\n}` };
      if (r.name === 'consts') continue;
      const mask = bits === 8 ? '0xffu' : '0xffffu';
      const body = r.atomic
        ? `  atomicAnd(&arena[w], ~(${mask} << sh));\n  atomicOr(&arena[w], (v & ${mask}) << sh);`
        : `  arena[w] = (arena[w] & ~(${mask} << sh)) | ((v & ${mask}) << sh);`;
      defs[`st${bits}_${r.name}`] = { text: (_t, n) => `fn ${n}(b: i32, v: u32) {\n  let w = b >> 2u;\n  let sh = ${off};\n${body}\n}` };
    }
  }
  return defs;
}

/** What loads and stores need from the shader being written. */
export interface MemoryContext {
  helper(name: string, lanes?: 1 | 4): string;
  /** A name for `value` (a `let` before the current statement), so that it is computed once. */
  temp(value: string): string;
}

/** `base + i·scale` as WGSL, folding zeros and ones. */
const offsetOf = (base: number, index: string, scale: number): string => {
  const literal = /^(\d+)i$/.exec(index);
  if (literal) return String(base + Number(literal[1]) * scale);
  const scaled = scale === 1 ? index : `${index} * ${scale}`;
  return base === 0 ? scaled : `${base} + ${scaled}`;
};

/** The element of storage type `dt` at element index `index` (an i32 expression) of a buffer at byte `base`, in its compute type. */
export function loadScalar(m: MemoryContext, r: RegionAccess, dt: StorageType, base: number, index: string): string {
  const size = ELEMENT_BYTES[dt];
  if (size >= 4 && base % 4 !== 0) throw new NotSupported(`wgsl: a ${dt} buffer at byte ${base}, not a multiple of 4`);
  if (size === 4) {
    if (base % 4 !== 0) throw new NotSupported(`wgsl: a ${dt} buffer at byte ${base}, not a multiple of 4`);
    const w = word(r, offsetOf(base / 4, index, 1));
    return dt === 'u32' ? w : `bitcast<${dt === 'f32' ? 'f32' : 'i32'}>(${w})`;
  }
  if (size === 8) {
    if (dt === 'f64') throw new NotSupported('wgsl: f64 buffers (WGSL has no 64-bit floats; kiln does not emulate them)');
    const i = m.temp(index);
    return `vec2<u32>(${word(r, offsetOf(base / 4, i, 2))}, ${word(r, offsetOf(base / 4 + 1, i, 2))})`;
  }
  const at = offsetOf(base, index, size);
  const ld = (kind: 'u8' | 's8' | 'u16' | 's16') => `${m.helper(`ld_${kind}_${r.name}`)}(${at})`;
  switch (dt) {
    case 'pred': return `(${ld('u8')} != 0u)`;
    case 'u8': case 's8': case 'u16': case 's16': return ld(dt);
    case 'f16': return `${m.helper('f16_to_f32')}(${ld('u16')})`;
    case 'bf16': return `bitcast<f32>(${ld('u16')} << 16u)`;
    default: throw new Error(`wgsl: ${dt} elements are words`);
  }
}

/** Four consecutive elements from element `index`, as a vector of their compute type. */
export function loadVector(m: MemoryContext, r: RegionAccess, dt: StorageType, base: number, index: string): string {
  const i = m.temp(index);
  const ct = computeTypeOf(dt) as Scalar32;
  const type = { f32: 'vec4<f32>', s32: 'vec4<i32>', u32: 'vec4<u32>', pred: 'vec4<bool>' }[ct];
  if (ELEMENT_BYTES[dt] === 4) {
    if (base % 4 !== 0) throw new NotSupported(`wgsl: a ${dt} buffer at byte ${base}, not a multiple of 4`);
    const words = [0, 1, 2, 3].map((l) => word(r, offsetOf(base / 4 + l, i, 1)));
    const v = `vec4<u32>(${words.join(', ')})`;
    return dt === 'u32' ? v : `bitcast<${type}>(${v})`;
  }
  return `${type}(${[0, 1, 2, 3].map((l) => loadScalar(m, r, dt, base, l === 0 ? i : `(${i} + ${l})`)).join(', ')})`;
}

/**
 * Statements storing `bits` (u32, or vec4<u32> with `lanes` 4: each element's storage
 * bits, from storageBits; a vec2<u32> for s64/u64) at element `index` of a buffer at byte
 * `base` in the arena.
 */
export function storeBits(m: MemoryContext, r: RegionAccess, dt: StorageType, base: number, index: string, bits: string, lanes: 1 | 4): string[] {
  const size = ELEMENT_BYTES[dt];
  if (size >= 4 && base % 4 !== 0) throw new NotSupported(`wgsl: a ${dt} buffer at byte ${base}, not a multiple of 4`);
  if (size === 8) {
    if (lanes !== 1) throw new NotSupported(`wgsl: a vector store into a ${dt} buffer (64-bit values are scalars only)`);
    const i = m.temp(index), v = m.temp(bits);
    return [setWord(r, offsetOf(base / 4, i, 2), `${v}.x`), setWord(r, offsetOf(base / 4 + 1, i, 2), `${v}.y`)];
  }
  const i = lanes === 1 ? index : m.temp(index);
  const v = lanes === 1 ? bits : m.temp(bits);
  const lane = (l: number) => (lanes === 1 ? v : `${v}.${'xyzw'[l]}`);
  const at = (l: number) => (l === 0 ? i : `(${i} + ${l})`);
  return Array.from({ length: lanes }, (_, l) =>
    size === 4 ? setWord(r, offsetOf(base / 4, at(l), 1), lane(l)) : `${m.helper(`st${size * 8}_${r.name}`)}(${offsetOf(base, at(l), size)}, ${lane(l)});`);
}
