// JAX's type promotion (jax.numpy.promote_types, "Design of type promotion semantics"): a
// lattice over the dtypes plus two weak types, i* and f*, for JS numbers. The result of
// combining two operands is the least upper bound of their types in the lattice; a weak
// result takes the default width (s32, f32) and stays weak.
//
//   pred → i* → u8 → u16 → u32 → u64 → f*        i* → s8 → s16 → s32 → s64 → f*
//   u8 → s16, u16 → s32, u32 → s64               f* → f16, bf16 → f32 → f64
//
// kiln differs from JAX in one place: JS has no integer type, so a JS number is i* when
// it is a whole number combined with an integer or pred tensor, and f* otherwise
// (`labels + 1` stays s32, `x_s32 * 0.5` is f32, `2 * 3` is f32).
import type { DType } from '../../../runtime/core/dtype.js';

export type LatticeType = DType | 'i*' | 'f*';

const EDGES: Record<LatticeType, readonly LatticeType[]> = {
  pred: ['i*'], 'i*': ['u8', 's8'],
  u8: ['u16', 's16'], u16: ['u32', 's32'], u32: ['u64', 's64'], u64: ['f*'],
  s8: ['s16'], s16: ['s32'], s32: ['s64'], s64: ['f*'],
  'f*': ['f16', 'bf16'], f16: ['f32'], bf16: ['f32'], f32: ['f64'], f64: [],
};

/** Every type at or above `t`. */
const upward = new Map<LatticeType, Set<LatticeType>>();
function above(t: LatticeType): Set<LatticeType> {
  let s = upward.get(t);
  if (!s) {
    s = new Set([t]);
    for (const u of EDGES[t]) for (const v of above(u)) s.add(v);
    upward.set(t, s);
  }
  return s;
}

/** The least upper bound of two lattice types. */
export function join(a: LatticeType, b: LatticeType): LatticeType {
  const common = [...above(a)].filter((t) => above(b).has(t));
  // The least: the one every other common bound is above.
  return common.find((t) => common.every((u) => above(t).has(u)))!;
}

/** A weak type's dtype. */
export const concrete = (t: LatticeType): DType => (t === 'i*' ? 's32' : t === 'f*' ? 'f32' : t);
export const isWeak = (t: LatticeType): boolean => t === 'i*' || t === 'f*';
