// Element-by-element comparison of a target's output with the reference's.
import { expect } from 'vitest';
import type { StorageType } from '../../ir/kernel/kernel.js';
import type { TypedArray } from '../../runtime/wasm/index.js';

const f32bits = new Float32Array(1);
const u32bits = new Uint32Array(f32bits.buffer);
const isNaNBits = (dt: StorageType, v: number | bigint): boolean =>
  typeof v === 'bigint' ? false : dt === 'f32' || dt === 'f64' ? Number.isNaN(v) : dt === 'f16' ? (v & 0x7c00) === 0x7c00 && (v & 0x3ff) !== 0 : dt === 'bf16' ? (v & 0x7f80) === 0x7f80 && (v & 0x7f) !== 0 : false;
const sameBits = (a: number, b: number): boolean => { f32bits[0] = a; const x = u32bits[0]; f32bits[0] = b; return x === u32bits[0]; };

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** Equal element by element: bit-exact (any NaN equals any NaN), or within `tol`. */
export function expectClose(what: string, dt: StorageType, got: TypedArray, want: TypedArray, tol?: Tolerance, inputs?: readonly unknown[]): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    let ok: boolean;
    if (isNaNBits(dt, w) || isNaNBits(dt, g)) ok = isNaNBits(dt, w) && isNaNBits(dt, g);
    else if (!tol) ok = dt === 'f32' ? sameBits(Number(g), Number(w)) : dt === 'f64' ? Object.is(g, w) : g === w;
    else ok = g === w || Math.abs(Number(g) - Number(w)) <= tol.rtol * Math.abs(Number(w)) + tol.atol;
    if (!ok && bad.length < 8) bad.push(`[${i}]${inputs ? ` in=${String(inputs[i])}` : ''} got ${Object.is(g, -0) ? '-0' : g} want ${Object.is(w, -0) ? '-0' : w}`);
  }
  expect(bad, what).toEqual([]);
}

