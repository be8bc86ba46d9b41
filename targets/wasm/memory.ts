// Loads widen a stored element to its compute type and stores narrow a value to the
// buffer's storage type, with HLO convert rounding (ir/scalar/convert.ts convertValue):
// f32 → f16/bf16 round to nearest even, f32/f64 → narrow ints saturate, ints wrap.
// 64-bit elements (s64, u64, f64) are scalar only: i64/f64 loads and stores.
import binaryen from 'binaryen';
import { computeTypeOf, isWide, type ScalarType, type StorageType } from '../../ir/kernel/kernel.js';
import type { Fn, X } from './lib.js';
import { f16ToF32, f32ToBf16, f32ToF16, intToBf16, NotSupported, type Ops } from './ops.js';

export const ELEMENT_BYTES: Record<StorageType, number> = {
  pred: 1, s8: 1, u8: 1, s16: 2, u16: 2, s32: 4, u32: 4, f16: 2, bf16: 2, f32: 4, s64: 8, u64: 8, f64: 8,
};

const I = binaryen.i32, V = binaryen.v128;

// `offset` is the wasm memarg offset: the element is at addr + offset. wasm adds it
// without wrapping (33-bit sum), so the caller passes one only where addr + offset
// cannot pass 2^32 (see KernelEmitter.address).

/** One element at byte address `addr + offset`, in its compute type. */
export function loadScalar(ops: Ops, dt: StorageType, addr: X, offset = 0): X {
  const m = ops.m, o = offset;
  switch (dt) {
    case 'pred': return m.i32.ne(m.i32.load8_u(o, 1, addr), m.i32.const(0));
    case 's8': return m.i32.load8_s(o, 1, addr);
    case 'u8': return m.i32.load8_u(o, 1, addr);
    case 's16': return m.i32.load16_s(o, 2, addr);
    case 'u16': return m.i32.load16_u(o, 2, addr);
    case 's32': case 'u32': return m.i32.load(o, 4, addr);
    case 'f32': return m.f32.load(o, 4, addr);
    case 'f16': return f16ToF32(ops.lib, m.i32.load16_u(o, 2, addr));
    case 'bf16': return m.f32.reinterpret(m.i32.shl(m.i32.load16_u(o, 2, addr), m.i32.const(16)));
    case 's64': case 'u64': return m.i64.load(o, 8, addr);
    case 'f64': return m.f64.load(o, 8, addr);
  }
}

/** Four consecutive elements at `addr + offset`, in their compute type. */
export function loadVector(ops: Ops, dt: StorageType, addr: X, offset = 0): X {
  const m = ops.m, o = offset;
  const bytes = (signed: boolean) => {
    const v = m.v128.load32_zero(o, 1, addr);
    return signed ? m.i32x4.extend_low_i16x8_s(m.i16x8.extend_low_i8x16_s(v)) : m.i32x4.extend_low_i16x8_u(m.i16x8.extend_low_i8x16_u(v));
  };
  switch (dt) {
    case 'f32': case 's32': case 'u32': return m.v128.load(o, 4, addr);
    case 's8': return bytes(true);
    case 'u8': return bytes(false);
    case 'pred': return m.i32x4.ne(bytes(false), m.v128.const(new Array(16).fill(0)));
    case 's16': return m.v128.load16x4_s(o, 2, addr);
    case 'u16': return m.v128.load16x4_u(o, 2, addr);
    case 'bf16': return m.i32x4.shl(m.v128.load16x4_u(o, 2, addr), m.i32.const(16));
    case 'f16':
      return ops.lib.call('v.load_f16', [I], V, [o ? m.i32.add(addr, m.i32.const(o)) : addr], (f) => {
        let acc = m.v128.const(new Array(16).fill(0));
        for (let l = 0; l < 4; l++) acc = m.f32x4.replace_lane(acc, l, loadScalar(ops, 'f16', m.i32.add(f.p(0), m.i32.const(2 * l))));
        return acc;
      });
    case 's64': case 'u64': case 'f64': throw new NotSupported(`wasm: ${dt} values are scalar only (no vector load)`);
  }
}

/** Store scalar `value` of compute type `from` as one element of `dt` at `addr + offset`. */
export function storeScalar(ops: Ops, dt: StorageType, addr: X, value: X, from: ScalarType, offset = 0): X {
  const m = ops.m, o = offset;
  switch (dt) {
    case 'f32': return m.f32.store(o, 4, addr, ops.convert(from, 'f32', 1, value));
    case 's32': case 'u32': return m.i32.store(o, 4, addr, ops.convert(from, dt, 1, value));
    case 'pred': return m.i32.store8(o, 1, addr, ops.convert(from, 'pred', 1, value));
    case 'f16':
      if (from === 'f64') throw new NotSupported('wasm: storing an f64 into f16 (lowering converts first)');
      return m.i32.store16(o, 2, addr, f32ToF16(ops.lib, ops.convert(from, 'f32', 1, value)));
    case 'bf16':
      if (isWide(from)) throw new NotSupported(`wasm: storing an ${from} into bf16 (lowering converts first)`);
      return m.i32.store16(o, 2, addr, from === 'f32' ? f32ToBf16(ops.lib, value) : intToBf16(ops.lib, from === 's32', value));
    case 's8': case 'u8': case 's16': case 'u16': {
      const narrow = from === 'f32' || from === 'f64' ? saturate(ops, dt, from, value) : ops.convert(from, 's32', 1, value);
      return dt === 's8' || dt === 'u8' ? m.i32.store8(o, 1, addr, narrow) : m.i32.store16(o, 2, addr, narrow);
    }
    case 's64': case 'u64': return m.i64.store(o, 8, addr, ops.convert(from, dt, 1, value));
    case 'f64': return m.f64.store(o, 8, addr, ops.convert(from, 'f64', 1, value));
  }
}

/** f32 or f64 → a narrow integer type: truncate, clamp to its range, NaN → 0. */
function saturate(ops: Ops, dt: 's8' | 'u8' | 's16' | 'u16', from: 'f32' | 'f64', value: X): X {
  const m = ops.m;
  const signed = dt[0] === 's';
  const bits = dt.endsWith('8') ? 8 : 16;
  const lo = signed ? -(2 ** (bits - 1)) : 0, hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const trunc = from === 'f32' ? (signed ? m.i32.trunc_s_sat.f32 : m.i32.trunc_u_sat.f32) : (signed ? m.i32.trunc_s_sat.f64 : m.i32.trunc_u_sat.f64);
  return ops.lib.call(`k.sat_${from}_${dt}`, [from === 'f32' ? binaryen.f32 : binaryen.f64], I, [value], (f) => {
    const t = f.local(I);
    const clampHi = signed ? m.select(m.i32.gt_s(t.g, m.i32.const(hi)), m.i32.const(hi), t.g) : m.select(m.i32.gt_u(t.g, m.i32.const(hi)), m.i32.const(hi), t.g);
    const body = signed ? m.select(m.i32.lt_s(t.g, m.i32.const(lo)), m.i32.const(lo), clampHi) : clampHi;
    return m.block(null, [t.set(trunc(f.p(0))), body], I);
  });
}

/** Store a 4-lane value: one v128.store when the lanes are already the storage format, else lane by lane. */
export function storeVector(ops: Ops, fn: Fn, dt: StorageType, addr: X, value: X, from: ScalarType, offset = 0): X {
  const m = ops.m;
  const ct = computeTypeOf(dt);
  if (dt === 'f32' || dt === 's32' || dt === 'u32') return m.v128.store(offset, 4, addr, ops.convert(from, ct, 4, value));
  const a = fn.local(I), v = fn.local(V);
  const size = ELEMENT_BYTES[dt];
  const lanes: X[] = [a.set(addr), v.set(value)];
  for (let l = 0; l < 4; l++)
    lanes.push(storeScalar(ops, dt, l ? m.i32.add(a.g, m.i32.const(l * size)) : a.g, ops.extract(from, v.g, l), from, offset));
  return m.block(null, lanes, binaryen.none);
}

/** `v128.load32_splat` of a 32-bit element stored as its compute type (f32, s32, u32); undefined for narrower storage. */
export function loadSplat(ops: Ops, dt: StorageType, addr: X, offset = 0): X | undefined {
  return dt === 'f32' || dt === 's32' || dt === 'u32' ? ops.m.v128.load32_splat(offset, 4, addr) : undefined;
}

export const log2Bytes = (dt: StorageType): number => Math.log2(ELEMENT_BYTES[dt]);
