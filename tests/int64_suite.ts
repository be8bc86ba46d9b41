// Every operator of the kernel IR on s64 and u64 over edge values where XLA's semantics differ
// from the hardware's (INT64_MIN / −1, x / 0, x % 0, shift counts of −1, 64 and beyond,
// float → int converts of NaN, ±inf and out-of-range values, integers beyond 2^53 and
// 2^32 ± 1) and random values of every length: a target must match ir/kernel/interpret.ts
// bit for bit. Run on WebGPU (tests/wgsl/int64.test.ts: WGSL emulates s64/u64 on vec2<u32>)
// and on cuda-cpu (tests/cuda/int64.test.ts: C's own 64-bit integers, XLA's edges legalized);
// tests/wasm/ops64.test.ts is the same test on wasm.
import { describe, it } from 'vitest';
import * as b from '../ir/kernel/build.js';
import { BINARY_OPS, UNARY_OPS, type CompareDir, type Expr, type ScalarType, type StorageType, type UnaryOp } from '../ir/kernel/kernel.js';
import { binaryKernel, unaryKernel } from '../ir/scalar/ops.js';
import { fill, program, referenceAll, type BufferSpec, type KernelSpec } from './wasm/harness.js';
import { expectClose } from './wasm/check.js';
import type { Program } from '../ir/kernel/kernel.js';
import { MAX64 as MAX, MIN64 as MIN, S64_EDGES, SMALL_S64_EDGES, scalarKernel as kernel } from './kernel_cases.js';
import type { TypedArray } from '../runtime/wasm/index.js';

type Int64 = 's64' | 'u64';
const INTS: readonly Int64[] = ['s64', 'u64'];
const NARROW: readonly ScalarType[] = ['f32', 's32', 'u32', 'pred'];

/**
 * tests/wasm/ops64.test.ts's s64 edge values and more around 2^32, 2^53 and 2^63 (lib_int64.ts
 * works on 32-bit halves).
 */
const S64 = [...S64_EDGES, 2n ** 32n - 1n, 2n ** 32n + 1n, -(2n ** 32n) - 1n, 2n ** 53n - 1n, 16777219n, 2n ** 63n - 2n ** 39n,
  0x7fffff8000000001n, 0x20000010000001n, 2n ** 60n + 2n ** 36n + 1n];
const SMALL_S64 = [...SMALL_S64_EDGES, 2n ** 32n + 1n, -(2n ** 32n) + 7n];
const wrap = (t: Int64, v: bigint): bigint => (t === 's64' ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v));
const edges = (t: Int64): bigint[] => S64.map((v) => wrap(t, v));

/** Deterministic random 64-bit values of every bit length (xorshift). */
function randoms(t: Int64, n: number, seed: bigint): bigint[] {
  let s = seed;
  const next = (): bigint => {
    s ^= (s << 13n) & 0xffffffffffffffffn; s ^= s >> 7n; s ^= (s << 17n) & 0xffffffffffffffffn;
    return s;
  };
  return Array.from({ length: n }, (_, i) => wrap(t, next() >> BigInt(i % 64)));
}

async function check(target: Int64Target, name: string, buffers: BufferSpec[], kernels: KernelSpec[], inputs: Record<string, TypedArray>, shown: readonly unknown[]): Promise<void> {
  const p = program(name, buffers, kernels);
  const want = referenceAll(p, inputs), got = await target.run(p, inputs);
  for (const buf of buffers.filter((x) => x.role === 'output')) expectClose(`${buf.name} (${name})`, buf.dtype, got[buf.name], want[buf.name], undefined, shown);
}

/** Pairs of values as inputs x and y: their buffers (outputs are pushed after them), inputs and labels. */
function pairCase(t: Int64, xs: readonly bigint[], ys: readonly bigint[]) {
  const n = xs.length;
  const buffers: BufferSpec[] = [{ name: 'x', dtype: t, size: n, role: 'input' }, { name: 'y', dtype: t, size: n, role: 'input' }];
  return { n, buffers, inputs: { x: fill(t, xs), y: fill(t, ys) }, shown: xs.map((x, i) => `${x},${ys[i]}`) };
}
const allPairs = (t: Int64) => {
  const e = SMALL_S64.map((v) => wrap(t, v));
  return pairCase(t, e.flatMap((x) => e.map(() => x)), e.flatMap(() => e));
};

/** A target the suite runs on: how a hand-built program runs there (every output, BigInt arrays too). */
export interface Int64Target {
  readonly name: string;
  /** Why it cannot run here (the suite skips, saying so), or undefined. */
  readonly unavailable: string | undefined;
  run(p: Program, inputs: Record<string, TypedArray>): Promise<Record<string, TypedArray>>;
}

export function int64Suite(target: Int64Target): void {
  describe.skipIf(target.unavailable)(`${target.name} s64/u64 unary ops`, () => {
    for (const t of INTS) {
      it(t, async () => {
        const xs = [...edges(t), ...randoms(t, 64, 0x9e3779b97f4a7c15n)], n = xs.length;
        const ops = UNARY_OPS.filter((op) => unaryKernel(op, t) !== undefined);
        const outType = (op: UnaryOp): ScalarType => (op === 'is-finite' ? 'pred' : t);
        const buffers: BufferSpec[] = [{ name: 'x', dtype: t, size: n, role: 'input' }];
        const kernels = ops.map((op) => {
          buffers.push({ name: op, dtype: outType(op) as StorageType, size: n, role: 'output' });
          return kernel(op, op, ['x'], [t], n, ([x]) => b.unary(op, x));
        });
        await check(target, `unary_${t}`, buffers, kernels, { x: fill(t, xs) }, xs);
      });
    }
  });

  describe.skipIf(target.unavailable)(`${target.name} s64/u64 binary ops`, () => {
    const ops = (t: Int64) => BINARY_OPS.filter((op) => binaryKernel(op, t) !== undefined && op !== 'atan2');
    for (const t of INTS) {
      it(`${t}, every pair of edge values`, async () => {
        const { n, buffers, inputs, shown } = allPairs(t);
        const kernels = ops(t).map((op) => {
          buffers.push({ name: op, dtype: t, size: n, role: 'output' });
          return kernel(op, op, ['x', 'y'], [t, t], n, ([x, y]) => b.binary(op, x, y));
        });
        for (const op of ['shift-left', 'shift-right-logical', 'shift-right-arithmetic'] as const) for (const c of [0n, 1n, 31n, 32n, 33n, 63n, 64n, 65n, -1n, MIN]) {
          const name = `${op}.by${c}`;
          buffers.push({ name, dtype: t, size: n, role: 'output' });
          kernels.push(kernel(name, name, ['x'], [t], n, ([x]) => b.binary(op, x, b.constant(t, c))));
        }
        await check(target, `binary_${t}`, buffers, kernels, inputs, shown);
      });

      it(`${t}, random values`, async () => {
        const xs = randoms(t, 256, 0x243f6a8885a308d3n), ys = randoms(t, 256, 0x13198a2e03707344n).map((y, i) => (i % 3 === 0 ? y >> 32n : y));
        const { n, buffers, inputs, shown } = pairCase(t, xs, ys);
        const kernels = ops(t).filter((op) => op !== 'power').map((op) => {
          buffers.push({ name: op, dtype: t, size: n, role: 'output' });
          return kernel(op, op, ['x', 'y'], [t, t], n, ([x, y]) => b.binary(op, x, y));
        });
        buffers.push({ name: 'power', dtype: t, size: n, role: 'output' });
        kernels.push(kernel('power', 'power', ['x', 'y'], [t, t], n, ([x, y]) => b.binary('power', x, b.binary('and', y, b.constant(t, 0x3f)))));
        await check(target, `random_${t}`, buffers, kernels, inputs, shown);
      });
    }
  });

  describe.skipIf(target.unavailable)(`${target.name} s64/u64 compare, select, convert, bitcast`, () => {
    for (const t of INTS) {
      it(t, async () => {
        const { n, buffers, inputs, shown } = allPairs(t);
        const kernels: KernelSpec[] = [];
        const add = (name: string, outType: StorageType, f: (xs: Expr[]) => Expr) => {
          buffers.push({ name, dtype: outType, size: n, role: 'output' });
          kernels.push(kernel(name, name, ['x', 'y'], [t, t], n, f));
        };
        for (const d of ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE'] as CompareDir[]) add(`cmp.${d}`, 'pred', ([x, y]) => b.compare(d, x, y));
        add('select', t, ([x, y]) => b.select(b.compare('LT', x, y), x, y));
        for (const to of [...NARROW, ...INTS]) if (to !== t) add(`convert.${to}`, to as StorageType, ([x]) => b.convert(x, to));
        add(`bitcast.${t === 's64' ? 'u64' : 's64'}`, t === 's64' ? 'u64' : 's64', ([x]) => b.bitcast(x, t === 's64' ? 'u64' : 's64'));
        // Stores convert into the buffer's type: a 64-bit value into narrow integers wraps, into f16 through f32.
        for (const dt of ['s8', 'u8', 's16', 'u16', 'f16'] as const) add(`store.${dt}`, dt, ([x]) => x);
        await check(target, `misc_${t}`, buffers, kernels, inputs, shown);
      });

      it(`${t} to f32, rounded once (random values of every length)`, async () => {
        const xs = [...edges(t), ...randoms(t, 252, 0xa4093822299f31d0n)], n = xs.length;
        const buffers: BufferSpec[] = [{ name: 'x', dtype: t, size: n, role: 'input' }, { name: 'f', dtype: 'f32', size: n, role: 'output' }];
        await check(target, `to_f32_${t}`, buffers, [kernel('to_f32', 'f', ['x'], [t], n, ([x]) => b.convert(x, 'f32'))], { x: fill(t, xs) }, xs);
      });
    }

    // Into s64/u64 from the 32-bit types and narrow buffers: sign or zero extension, float → int saturation.
    for (const from of ['f32', 's32', 'u32', 'pred', 's8', 'u16', 'f16'] as const) {
      it(`from ${from}`, async () => {
        const xs = from === 'f32' ? [0, -0, 1.5, -1.5, 1e30, -1e30, 9.3e18, -9.3e18, 1.9e19, Infinity, -Infinity, NaN, 16777217, 0.1, 4294967296, -4294967296,
          9.2233715e18, -9.223372e18, 1.8446743e19, 1.8446744e19, 12345678, -(2 ** 40) - 2 ** 17, 2 ** 62 + 2 ** 39, 0.99].map(Math.fround)
          : from === 's32' ? [0, 1, -1, 2147483647, -2147483648, 123456789] : from === 'u32' ? [0, 1, 4294967295, 2147483648, 123456789]
            : from === 's8' ? [0, 1, -1, 127, -128] : from === 'u16' ? [0, 1, 65535, 32768] : from === 'f16' ? [0, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x7c00, 0x7e00, 0x3800] : [0, 1];
        const buffers: BufferSpec[] = [{ name: 'x', dtype: from, size: xs.length, role: 'input' }];
        const kernels = INTS.map((to) => {
          buffers.push({ name: `to.${to}`, dtype: to, size: xs.length, role: 'output' });
          return kernel(`to_${to}`, `to.${to}`, ['x'], [from === 'f16' ? 'f32' : from === 's8' ? 's32' : from === 'u16' ? 'u32' : from], xs.length, ([x]) => b.convert(x, to));
        });
        await check(target, `from_${from}`, buffers, kernels, { x: fill(from, xs) }, xs);
      });
    }

    it('reads s64 constants and 64-bit local arrays', async () => {
      const data = fill('s64', [MIN, -1n, 2n ** 40n + 3n, MAX]);
      const buffers: BufferSpec[] = [{ name: 'c', dtype: 's64', size: 4, role: 'constant', data }, { name: 'y', dtype: 'u64', size: 4, role: 'output' }];
      const i = b.variable('i');
      const body = [
        b.array('a', 's64', 4),
        b.loop('i', 0, 4, [b.localStore('a', i, b.binary('add', b.load(0, i, 's64'), b.constant('s64', 1n)))], 'serial'),
        b.loop('i', 0, 4, [b.store(1, i, b.convert(b.local('a', b.sub(b.int(3), i), 's64'), 'u64'))], 'serial'),
      ];
      await check(target, 'consts', buffers, [{ name: 'k', args: ['c', 'y'], body }], {}, [0, 1, 2, 3]);
    });
  });
}
