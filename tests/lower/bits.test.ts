// Ops on the bits of values, against the interpreter bit for bit on the kernel IR
// executor and on wasm: bitcast-convert between element widths (little-endian bytes,
// f16 and bf16 included), bitcasts that change the element type, reduce-precision,
// compare with TOTALORDER, and popcnt/clz/shifts on 8/16-bit ints.
import { describe, it } from 'vitest';
import { expectExact, hash } from './exact.js';

const range = (n: number, f: (i: number) => number | bigint) => Array.from({ length: n }, (_, i) => f(i));
const unaryModule = (from: string, to: string, op: string) => `HloModule b
ENTRY main {
  x = ${from} parameter(0)
  ROOT y = ${to} ${op}
}`;
const bitcastConvert = (from: string, to: string) => unaryModule(from, to, 'bitcast-convert(x)');
/** f32 values over the whole range: normals, subnormals, ±0, ±inf, NaN. */
const floats = [0, -0, 1, -1.5, 3.4e38, -1e-40, 1e-45, Infinity, -Infinity, NaN, 65504, 6.1e-5, 2 ** -24, 1 / 3, -7e-3, 123456];

describe('bitcast-convert between widths', () => {
  it('f32 ↔ u8[4], s16 → u8[2], u8[4] → s32', async () => {
    await expectExact(bitcastConvert('f32[16]', 'u8[16,4]'), [floats]);
    await expectExact(bitcastConvert('u8[3,4]', 'f32[3]'), [range(12, (i) => hash(i, 256))]);
    await expectExact(bitcastConvert('s16[5]', 'u8[5,2]'), [[-1, 0, 32767, -32768, 1234]]);
    await expectExact(bitcastConvert('u8[2,4]', 's32[2]'), [[255, 255, 255, 255, 1, 2, 3, 128]]);
  });

  it('f64 ↔ u32[2] and s64 → s8[8]', async () => {
    await expectExact(bitcastConvert('f64[6]', 'u32[6,2]'), [[0, -0, 1 / 3, -1e300, Infinity, 5e-324]]);
    await expectExact(bitcastConvert('u32[3,2]', 'f64[3]'), [range(6, (i) => hash(i, 2 ** 32))]);
    await expectExact(bitcastConvert('s64[2]', 's8[2,8]'), [[-2n, (1n << 62n) + 0x1234567n]]);
  });

  it('f32 ↔ f16[2] and f16 ↔ s16: f16 bits of normals, subnormals, zeros and infinities', async () => {
    await expectExact(bitcastConvert('f32[16]', 'f16[16,2]'), [floats.map((f) => (Number.isNaN(f) ? 1 : f))]);
    await expectExact(bitcastConvert('f16[8,2]', 'f32[8]'), [[1, -2, 6e-8, -0, 65504, Infinity, 0.1, 0, 3, 1e-5, -Infinity, 5.9e-8, 2, 2, -0.5, 7]]);
    await expectExact(bitcastConvert('f16[6]', 's16[6]'), [[1, -2, 6e-8, -0, 65504, -Infinity]]);
    await expectExact(bitcastConvert('u16[6]', 'f16[6]'), [[0x3c00, 0x8001, 0x03ff, 0x7bff, 0xfc00, 0x0400]]);
  });

  it('bf16 ↔ s16, pred ↔ s8, s32 → pred[4]', async () => {
    await expectExact(bitcastConvert('bf16[5]', 's16[5]'), [[1, -2.5, 1e-39, 3e38, -Infinity]]);
    await expectExact(bitcastConvert('s16[5]', 'bf16[5]'), [[0x3f80, -0x4000, 1, 0x7f7f, -128]]);
    await expectExact(bitcastConvert('pred[4]', 's8[4]'), [[true, false, true, true]]);
    await expectExact(bitcastConvert('s8[4]', 'pred[4]'), [[0, 1, -1, 0]]);
    await expectExact(bitcastConvert('s32[3]', 'pred[3,4]'), [[0x01000001, 0, 0x00010100]]);
  });

  it('a bitcast that changes the element type keeps the bits', async () => {
    await expectExact(unaryModule('f32[2,8]', 's32[16]', 'bitcast(x)'), [floats]);
    await expectExact(unaryModule('f16[8]', 's16[2,4]', 'bitcast(x)'), [[1, -2, 6e-8, -0, 65504, Infinity, 0.1, 0]]);
  });
});

describe('reduce-precision', () => {
  const rp = (t: string, n: number, e: number, m: number) => unaryModule(`${t}[${n}]`, `${t}[${n}]`, `reduce-precision(x), exponent_bits=${e}, mantissa_bits=${m}`);
  const many = [...floats, 1.00048828125, 1.0009765625 * 3, 1e5, 7e4, 6.5e4, -3e-8, 1.5 * 2 ** -14, 2 ** -15];

  it('f32 to f16 and bf16 precision: round to nearest even, overflow to inf, underflow to zero', async () => {
    await expectExact(rp('f32', many.length, 5, 10), [many]);
    await expectExact(rp('f32', many.length, 8, 7), [many]);
    await expectExact(rp('f32', many.length, 4, 0), [many]);
  });

  it('bf16, f16 and f64 operands', async () => {
    await expectExact(rp('bf16', 8, 5, 3), [[1, 1.0625, 1.1875, 3e5, 1e-6, -0, NaN, -70000]]);
    await expectExact(rp('f16', 10, 4, 2), [[1, 1.125, 1.375, 300, 6e-8, 1e-5, -0, NaN, -65504, 0.3]]);
    await expectExact(rp('f16', 6, 5, 0), [[1.5, 2.5, 6e-8, 3e-5, Infinity, NaN]]);
    await expectExact(rp('f64', many.length, 8, 23), [many.map((v, i) => v * (1 + 1e-12 * i))]);
    await expectExact(rp('f64', many.length, 11, 0), [many]);
  });
});

describe('compare TOTALORDER and narrow-int bit ops', () => {
  it('orders -NaN < -inf < -0 < +0 < +inf < NaN elementwise', async () => {
    const hlo = `HloModule c
ENTRY main {
  x = f32[8] parameter(0)
  y = f32[8] parameter(1)
  lt = pred[8] compare(x, y), direction=LT, type=TOTALORDER
  eq = pred[8] compare(x, y), direction=EQ, type=TOTALORDER
  ROOT t = (pred[8], pred[8]) tuple(lt, eq)
}`;
    await expectExact(hlo, [[-0, 0, NaN, -NaN, NaN, -Infinity, 1, 2], [0, -0, Infinity, -Infinity, NaN, -NaN, 1, -2]]);
  });

  for (const t of ['s8', 'u8', 's16', 'u16']) {
    it(`popcnt, clz and the three shifts on ${t}, counts in and out of range`, async () => {
      const bits = t.endsWith('8') ? 8 : 16;
      const hlo = `HloModule n
ENTRY main {
  x = ${t}[12] parameter(0)
  c = ${t}[12] parameter(1)
  p = ${t}[12] popcnt(x)
  z = ${t}[12] clz(x)
  l = ${t}[12] shift-left(x, c)
  r = ${t}[12] shift-right-logical(x, c)
  a = ${t}[12] shift-right-arithmetic(x, c)
  ROOT t = (${t}[12], ${t}[12], ${t}[12], ${t}[12], ${t}[12]) tuple(p, z, l, r, a)
}`;
      const top = 2 ** (bits - 1);
      const xs = t.startsWith('s') ? [-1, -top, top - 1, 0, 1, -3, 5, -top + 1, 77, -77, 2, -2] : [2 * top - 1, top, top - 1, 0, 1, 3, 5, top + 1, 77, 177, 2, 254];
      const cs = t.startsWith('s') ? [0, 1, bits - 1, bits, bits + 1, -1, 3, 31, 2, 7, -top, top - 1] : [0, 1, bits - 1, bits, bits + 1, 2 * top - 1, 3, 31, 2, 7, top, 33];
      await expectExact(hlo, [xs, cs]);
    });
  }
});
