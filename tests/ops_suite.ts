// Every unary, binary, compare and convert operator of the kernel IR on every 32-bit
// compute type where the reference defines it, scalar and 4-lane, over edge values (NaN,
// ±0, ±inf, INT_MIN, division by zero, shift counts 31/32/33/-1, ...): a GPU target (WGSL
// on WebGPU, tests/wgsl/ops.test.ts; CUDA C on cuda-cpu, tests/cuda/ops.test.ts) must match
// ir/kernel/interpret.ts bit for bit, or within the stated tolerance for the float
// functions each computes with a math library of bounded accuracy (its own helpers, libm).
// One suite, run on every target.
import { describe, expect, it } from 'vitest';
import { binaryKernel, unaryKernel } from '../ir/scalar/ops.js';
import * as b from '../ir/kernel/build.js';
import {
  BINARY_OPS, UNARY_OPS, type BinaryOp, type ScalarType, type StorageType, type UnaryOp,
} from '../ir/kernel/kernel.js';
import { fill, pad4, program, reference, type BufferSpec, type KernelSpec, type NumberOutputs } from './wasm/harness.js';
import { expectClose, type Tolerance } from './wasm/check.js';
import { NotSupported } from '../targets/wasm/errors.js';
import type { Program } from '../ir/kernel/kernel.js';
import type { TypedArray } from '../runtime/core/dtype.js';
import { TRANSCENDENTAL, TYPES32 as TYPES, compareConvertCase, edges, elementwise, smallEdges } from './kernel_cases.js';

/**
 * f32 functions a GPU target computes with its math library (WGSL: kiln's helpers,
 * lib_float.ts; CUDA: libm): within 2 ulp of the correctly rounded result over dense random
 * sweeps (docs/webgpu.md); 4e-7 relative leaves room for the edge values. Subnormal
 * results may flush to zero.
 */
const F32_TOL: Tolerance = { rtol: 4e-7, atol: 1e-30 };
/** power is exp(y·log x) in f32: the product's rounding gives up to ~50 ulp where |y·log x| is large (docs/webgpu.md). */
const POWER_TOL: Tolerance = { rtol: 1e-5, atol: 1e-30 };
const TRIG = new Set<string>(['sine', 'cosine', 'tan']);
/**
 * Float functions of integer operands (the reference's `Math.f(x) | 0`): not compiled by
 * the GPU targets (XLA itself only defines them on floats); they refuse them by name.
 */
const INT_REFUSED = new Set<string>([...TRANSCENDENTAL, 'sqrt', 'rsqrt']);
/** rsqrt is 1/sqrt(x) in f32, two roundings (the reference rounds once): within 1 ulp. */
const tolerance = (op: string, t: ScalarType): Tolerance | undefined =>
  t !== 'f32' || !(TRANSCENDENTAL.has(op) || op === 'rsqrt') ? undefined : op === 'power' ? POWER_TOL : F32_TOL;

const storage = (t: ScalarType): StorageType => t;

/** A target the suite runs on: how a hand-built program compiles and runs there. */
export interface OpsTarget {
  readonly name: string;
  /** Why it cannot run here (the suite skips, saying so), or undefined. */
  readonly unavailable: string | undefined;
  compile(p: Program): unknown;
  run(p: Program, inputs: Record<string, TypedArray>): Promise<NumberOutputs>;
}

export function opsSuite(target: OpsTarget): void {
  describe.skipIf(target.unavailable)(`${target.name} unary ops`, () => {
    for (const t of TYPES) {
      it(t, async () => {
        const xs = edges(t), n = xs.length;
        const ops = UNARY_OPS.filter((op) => unaryKernel(op, t) !== undefined && !(t !== 'f32' && INT_REFUSED.has(op)));
        const outType = (op: UnaryOp): ScalarType => (op === 'is-finite' ? 'pred' : t);
        const buffers: BufferSpec[] = [{ name: 'x', dtype: storage(t), size: n, role: 'input' }];
        const kernels: KernelSpec[] = [];
        for (const op of ops) {
          buffers.push({ name: op, dtype: storage(outType(op)), size: n, role: 'output' }, { name: `${op}.v`, dtype: storage(outType(op)), size: n, role: 'output' });
          kernels.push(...elementwise(op.replace(/-/g, '_'), op, outType(op), ['x'], [t], n, ([x]) => b.unary(op, x)));
        }
        const p = program(`unary_${t}`, buffers, kernels);
        const inputs = { x: fill(storage(t), xs) };
        const want = reference(p, inputs), got = await target.run(p, inputs);
        for (const op of ops)
          for (const o of [op, `${op}.v`]) expectClose(`${o} on ${t}`, storage(outType(op)), got[o], want[o], tolerance(op, t), xs);
      });
    }

    it('sin, cos, tan of huge arguments (Payne–Hanek reduction)', async () => {
      const xs = pad4([8192, -8193, 1e5, 65520, 1e6, 1e10, -3e15, 1e30, 3.4e38, -3.4e38, 1.7e38, 16777217, 2 ** 100, 1e20, 355 * 2 ** 40, 6.2831855e9].map(Math.fround));
      const buffers: BufferSpec[] = [{ name: 'x', dtype: 'f32', size: xs.length, role: 'input' }];
      const kernels: KernelSpec[] = [];
      for (const op of TRIG) {
        buffers.push({ name: op, dtype: 'f32', size: xs.length, role: 'output' }, { name: `${op}.v`, dtype: 'f32', size: xs.length, role: 'output' });
        kernels.push(...elementwise(op, op, 'f32', ['x'], ['f32'], xs.length, ([x]) => b.unary(op as UnaryOp, x)));
      }
      const p = program('trig_huge', buffers, kernels);
      const inputs = { x: fill('f32', xs) };
      const want = reference(p, inputs), got = await target.run(p, inputs);
      for (const op of TRIG) for (const o of [op, `${op}.v`]) expectClose(o, 'f32', got[o], want[o], F32_TOL, xs);
    });

    it('refuses float functions of integers, naming the kernel', () => {
      for (const t of ['s32', 'u32', 'pred'] as const)
        for (const op of UNARY_OPS.filter((o) => INT_REFUSED.has(o) && unaryKernel(o, t) !== undefined)) {
          const p = program('refused', [{ name: 'x', dtype: t, size: 4, role: 'input' }, { name: 'y', dtype: t, size: 4, role: 'output' }],
            elementwise('k_refused', 'y', t, ['x'], [t], 4, ([x]) => b.unary(op, x)).slice(0, 1));
          expect(() => target.compile(p), `${op} on ${t}`).toThrow(NotSupported);
          expect(() => target.compile(p), `${op} on ${t}`).toThrow(/k_refused/);
        }
    });
  });

  describe.skipIf(target.unavailable)(`${target.name} binary ops`, () => {
    for (const t of TYPES) {
      it(t, async () => {
        const e = smallEdges(t);
        const pairs = pad4(e.flatMap((x) => e.map((y) => [x, y] as const)));
        const n = pairs.length;
        const ops = BINARY_OPS.filter((op) => binaryKernel(op, t) !== undefined && !((t === 's32' || t === 'u32') && op === 'atan2'));
        const buffers: BufferSpec[] = [{ name: 'x', dtype: storage(t), size: n, role: 'input' }, { name: 'y', dtype: storage(t), size: n, role: 'input' }];
        const kernels: KernelSpec[] = [];
        for (const op of ops) {
          buffers.push({ name: op, dtype: storage(t), size: n, role: 'output' }, { name: `${op}.v`, dtype: storage(t), size: n, role: 'output' });
          kernels.push(...elementwise(op.replace(/-/g, '_'), op, t, ['x', 'y'], [t, t], n, ([x, y]) => b.binary(op, x, y)));
        }
        // Shifts by a constant count (a splat) are spelled without the helper's guards when the
        // count is in [0, 32), division and remainder when the divisor is not 0 or -1.
        const int = t === 's32' || t === 'u32';
        const shifts: BinaryOp[] = int ? ['shift-left', 'shift-right-logical', 'shift-right-arithmetic', 'divide', 'remainder'] : [];
        const COUNTS: Partial<Record<BinaryOp, number[]>> = {
          divide: t === 's32' ? [0, 1, -1, 3, -3, 16, -2147483648, 2147483647] : [0, 1, 3, 16, 0x80000000, 0xffffffff],
        };
        COUNTS.remainder = COUNTS.divide;
        const countsOf = (op: BinaryOp): number[] => COUNTS[op] ?? (t === 's32' ? [0, 1, 31, 32, 33, -1] : [0, 1, 31, 32, 33, 0xffffffff]);
        for (const op of shifts) for (const c of countsOf(op)) {
          const name = `${op}.splat${c}`;
          buffers.push({ name, dtype: storage(t), size: n, role: 'output' });
          const j4 = b.mul(b.variable('j'), b.int(4));
          kernels.push({ name: name.replace(/[-.]/g, '_'), args: ['x', name], body: [b.loop('j', 0, n / 4, [
            b.store(1, j4, b.binary(op, b.load(0, j4, t, 4), b.splat(b.constant(t, c))))], 'parallel')] });
        }
        const p = program(`binary_${t}`, buffers, kernels);
        const inputs = { x: fill(storage(t), pairs.map((q) => q[0])), y: fill(storage(t), pairs.map((q) => q[1])) };
        const want = reference(p, inputs), got = await target.run(p, inputs);
        const shown = pairs.map((q) => `${q[0]},${q[1]}`);
        for (const op of ops) {
          for (const o of [op, `${op}.v`]) expectClose(`${o} on ${t}`, storage(t), got[o], want[o], tolerance(op, t), shown);
        }
        for (const op of shifts) for (const c of countsOf(op)) expectClose(`${op} by splat ${c}`, storage(t), got[`${op}.splat${c}`], want[`${op}.splat${c}`]);
      });
    }
  });

  describe.skipIf(target.unavailable)(`${target.name} compare, select, convert, bitcast, round`, () => {
    for (const t of TYPES) {
      it(t, async () => {
        const { program: p, buffers, inputs, shown } = compareConvertCase(t);
        const want = reference(p, inputs), got = await target.run(p, inputs);
        for (const buf of buffers.slice(2)) expectClose(`${buf.name} on ${t}`, buf.dtype, got[buf.name], want[buf.name], undefined, shown);
      });
    }
  });
}
