// Every operator of the kernel IR on the 64-bit compute types (f64, s64, u64; scalar
// only), over edge values where XLA's semantics differ from the hardware's or from C's:
// INT64_MIN / −1, x / 0, x % 0, shift counts of −1, 64 and beyond, float → int converts
// of NaN, ±inf and out-of-range values, integers beyond 2^53. The wasm target must match
// ir/kernel/interpret.ts bit for bit, except the f64 transcendentals (math64.ts), which
// are held to a few ulps of JavaScript's Math here and over dense sweeps in math64.test.ts.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import {
  BINARY_OPS, UNARY_OPS, type CompareDir, type Expr, type ScalarType, type UnaryOp,
} from '../../ir/kernel/kernel.js';
import { fill, program, referenceAll, runWasmAll, type BufferSpec, type KernelSpec } from './harness.js';
import { expectClose, type Tolerance } from './check.js';
import { binaryKernel, unaryKernel } from '../../ir/scalar/ops.js';
import { MIN64 as MIN, S64_EDGES as S64, SMALL_S64_EDGES as SMALL_S64, TRANSCENDENTAL, scalarKernel as kernel } from '../kernel_cases.js';

const WIDE: readonly ('f64' | 's64' | 'u64')[] = ['f64', 's64', 'u64'];
const ALL: readonly ScalarType[] = ['f32', 's32', 'u32', 'pred', 'f64', 's64', 'u64'];
/** A few ulps of f64 (2^-52 ≈ 2.2e-16). */
const F64_TOL: Tolerance = { rtol: 1e-15, atol: 1e-300 };

const U64 = S64.map((v) => BigInt.asUintN(64, v));
const F64 = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3, 0.1, -0.7, 1e-3, 1e-8, 1e-300, 5e-324, -5e-324, 2.2250738585072014e-308, 1e300,
  -1e300, 1.7976931348623157e308, Infinity, -Infinity, NaN, 700, 709.7, 709.8, 710.4, 711, -708, -745, -746, 20, -20, 22.5, 40, 100,
  2 ** 53 + 2, 9.223372036854776e18, -9.223372036854776e18, 1.8446744073709552e19, 3e19, 2147483647.5, -2147483648.9, 4294967296.5, 1 - 2 ** -53,
  1 + 2 ** -52, 3.4028235677973366e38, 65519.99, 0.3333333333333333, 2 ** -1022 * 3, 123456.789, -1e-20, 0.99, 1.01];
const SMALL_F64 = [0, -0, 1, -1, 0.5, -2.5, 3, 7.25, -7.25, 5e-324, 1e300, -1e300, 1e-300, 0.1, 2, Infinity, -Infinity, NaN, 1e17, 3 * 2 ** -1074];
const edges = (t: 'f64' | 's64' | 'u64'): (number | bigint)[] => (t === 'f64' ? F64 : t === 's64' ? S64 : U64);
const small = (t: 'f64' | 's64' | 'u64'): (number | bigint)[] =>
  t === 'f64' ? SMALL_F64 : t === 's64' ? SMALL_S64 : SMALL_S64.map((v) => BigInt.asUintN(64, v));
async function check(name: string, buffers: BufferSpec[], kernels: KernelSpec[], inputs: Record<string, ReturnType<typeof fill>>,
  shown: readonly unknown[], tol: (out: string) => Tolerance | undefined = () => undefined): Promise<void> {
  const p = program(name, buffers, kernels);
  const want = referenceAll(p, inputs), got = await runWasmAll(p, inputs);
  for (const buf of buffers.filter((x) => x.role === 'output')) expectClose(`${buf.name} (${name})`, buf.dtype, got[buf.name], want[buf.name], tol(buf.name), shown);
}

/**
 * Every pair of `t`'s small edge values as inputs x and y of a two-operand test: their
 * buffers (outputs are pushed after them), the filled inputs and a label per element.
 */
function pairCase(t: 'f64' | 's64' | 'u64') {
  const e = small(t);
  const pairs = e.flatMap((x) => e.map((y) => [x, y] as const));
  const n = pairs.length;
  const buffers: BufferSpec[] = [{ name: 'x', dtype: t, size: n, role: 'input' }, { name: 'y', dtype: t, size: n, role: 'input' }];
  const inputs = { x: fill(t, pairs.map((q) => q[0])), y: fill(t, pairs.map((q) => q[1])) };
  return { n, buffers, inputs, shown: pairs.map((q) => `${q[0]},${q[1]}`) };
}

describe('wasm 64-bit unary ops', () => {
  for (const t of WIDE) {
    it(t, async () => {
      const xs = edges(t), n = xs.length;
      const ops = UNARY_OPS.filter((op) => unaryKernel(op, t) !== undefined);
      const outType = (op: UnaryOp): ScalarType => (op === 'is-finite' ? 'pred' : t);
      const buffers: BufferSpec[] = [{ name: 'x', dtype: t, size: n, role: 'input' }];
      const kernels = ops.map((op) => {
        buffers.push({ name: op, dtype: outType(op), size: n, role: 'output' });
        return kernel(op, op, ['x'], [t], n, ([x]) => b.unary(op, x));
      });
      await check(`unary_${t}`, buffers, kernels, { x: fill(t, xs) }, xs, (op) => (TRANSCENDENTAL.has(op) ? F64_TOL : undefined));
    });
  }
});

describe('wasm 64-bit binary ops', () => {
  for (const t of WIDE) {
    it(t, async () => {
      const { n, buffers, inputs, shown } = pairCase(t);
      const ops = BINARY_OPS.filter((op) => binaryKernel(op, t) !== undefined);
      const kernels = ops.map((op) => {
        buffers.push({ name: op, dtype: t, size: n, role: 'output' });
        return kernel(op, op, ['x', 'y'], [t, t], n, ([x, y]) => b.binary(op, x, y));
      });
      // Shift counts as constants too (the emitter folds nothing 64-bit, but binaryen may).
      if (t !== 'f64') for (const op of ['shift-left', 'shift-right-logical', 'shift-right-arithmetic'] as const) for (const c of [0n, 1n, 63n, 64n, 65n, -1n, MIN]) {
        const name = `${op}.by${c}`;
        buffers.push({ name, dtype: t, size: n, role: 'output' });
        kernels.push(kernel(name, name, ['x'], [t], n, ([x]) => b.binary(op, x, b.constant(t, c))));
      }
      await check(`binary_${t}`, buffers, kernels, inputs, shown, (op) => (t === 'f64' && TRANSCENDENTAL.has(op) ? F64_TOL : undefined));
    });
  }
});

describe('wasm 64-bit compare, select, convert, bitcast', () => {
  for (const t of WIDE) {
    it(t, async () => {
      const { n, buffers, inputs, shown } = pairCase(t);
      const kernels: KernelSpec[] = [];
      const add = (name: string, outType: ScalarType, f: (xs: Expr[]) => Expr) => {
        buffers.push({ name, dtype: outType, size: n, role: 'output' });
        kernels.push(kernel(name, name, ['x', 'y'], [t, t], n, f));
      };
      for (const d of ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE'] as CompareDir[]) add(`cmp.${d}`, 'pred', ([x, y]) => b.compare(d, x, y));
      add('select', t, ([x, y]) => b.select(b.compare('LT', x, y), x, y));
      for (const to of ALL) if (to !== t) add(`convert.${to}`, to, ([x]) => b.convert(x, to));
      for (const to of WIDE) if (to !== t) add(`bitcast.${to}`, to, ([x]) => b.bitcast(x, to));
      await check(`misc_${t}`, buffers, kernels, inputs, shown);
    });
  }

  // Into the 64-bit types from the 32-bit ones: sign or zero extension, float → int saturation.
  for (const from of ['f32', 's32', 'u32', 'pred'] as const) {
    it(`from ${from}`, async () => {
      const xs = from === 'f32' ? [0, -0, 1.5, -1.5, 1e30, -1e30, 9.3e18, -9.3e18, 1.9e19, Infinity, -Infinity, NaN, 16777217, 0.1].map(Math.fround)
        : from === 's32' ? [0, 1, -1, 2147483647, -2147483648, 123456789] : from === 'u32' ? [0, 1, 4294967295, 2147483648, 123456789] : [0, 1];
      const buffers: BufferSpec[] = [{ name: 'x', dtype: from, size: xs.length, role: 'input' }];
      const kernels = WIDE.map((to) => {
        buffers.push({ name: `to.${to}`, dtype: to, size: xs.length, role: 'output' });
        return kernel(`to_${to}`, `to.${to}`, ['x'], [from], xs.length, ([x]) => b.convert(x, to));
      });
      await check(`from_${from}`, buffers, kernels, { x: fill(from, xs) }, xs);
    });
  }
});

describe('64-bit values in the kernel IR', () => {
  it('are scalar only: the builders refuse vectors of them', () => {
    expect(() => b.load(0, b.int(0), 's64', 4)).toThrow(/scalar only/);
    expect(() => b.splat(b.constant('f64', 1))).toThrow(/scalar only/);
    expect(() => b.convert(b.load(0, b.int(0), 'f32', 4), 'u64')).toThrow(/scalar only/);
  });
  it('keep integer constants exact beyond 2^53', () => {
    const c = b.constant('s64', 2n ** 53n + 1n);
    expect(c.k === 'const' && c.value).toBe(2n ** 53n + 1n);
    expect((b.constant('u64', -1) as { value: bigint }).value).toBe(2n ** 64n - 1n);
    expect((b.convert(b.constant('s32', -1), 'u64') as { value: bigint }).value).toBe(2n ** 64n - 1n);
  });
});
