// Every unary, binary, compare and convert operator of the kernel IR, on every compute
// type where the reference defines it, scalar and 4-lane, over edge values: the wasm
// target must match ir/kernel/interpret.ts bit for bit, or within 2e-6 relative for
// the transcendentals.
import { describe, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import {
  BINARY_OPS, UNARY_OPS, type BinaryOp, type ScalarType, type StorageType, type UnaryOp,
} from '../../ir/kernel/kernel.js';
import { fill, pad4, program, reference, runWasm, type BufferSpec, type KernelSpec } from './harness.js';
import { expectClose, type Tolerance } from './check.js';
import { binaryKernel, unaryKernel } from '../../ir/scalar/ops.js';
import { TRANSCENDENTAL, TYPES32 as TYPES, compareConvertCase, edges, elementwise, smallEdges } from '../kernel_cases.js';

const F32_TOL: Tolerance = { rtol: 2e-6, atol: 1e-30 };
/** Integer operands of float functions truncate a double: allow the last unit. */
const INT_TOL: Tolerance = { rtol: 0, atol: 1 };

const storage = (t: ScalarType): StorageType => t;

describe('wasm unary ops', () => {
  for (const t of TYPES) {
    it(t, async () => {
      const xs = edges(t), n = xs.length;
      const ops = UNARY_OPS.filter((op) => unaryKernel(op, t) !== undefined);
      const outType = (op: UnaryOp): ScalarType => (op === 'is-finite' ? 'pred' : t);
      const buffers: BufferSpec[] = [{ name: 'x', dtype: storage(t), size: n, role: 'input' }];
      const kernels: KernelSpec[] = [];
      for (const op of ops) {
        buffers.push({ name: op, dtype: storage(outType(op)), size: n, role: 'output' }, { name: `${op}.v`, dtype: storage(outType(op)), size: n, role: 'output' });
        kernels.push(...elementwise(op.replace(/-/g, '_'), op, outType(op), ['x'], [t], n, ([x]) => b.unary(op, x)));
      }
      const p = program(`unary_${t}`, buffers, kernels);
      const inputs = { x: fill(storage(t), xs) };
      const want = reference(p, inputs), got = await runWasm(p, inputs);
      for (const op of ops) {
        const tol = TRANSCENDENTAL.has(op) ? (t === 'f32' ? F32_TOL : INT_TOL) : undefined;
        for (const o of [op, `${op}.v`]) expectClose(`${o} on ${t}`, storage(outType(op)), got[o], want[o], tol, xs);
      }
    });
  }
});

describe('wasm binary ops', () => {
  for (const t of TYPES) {
    it(t, async () => {
      const e = smallEdges(t);
      const pairs = pad4(e.flatMap((x) => e.map((y) => [x, y] as const)));
      const n = pairs.length;
      const ops = BINARY_OPS.filter((op) => binaryKernel(op, t) !== undefined);
      const buffers: BufferSpec[] = [{ name: 'x', dtype: storage(t), size: n, role: 'input' }, { name: 'y', dtype: storage(t), size: n, role: 'input' }];
      const kernels: KernelSpec[] = [];
      for (const op of ops) {
        buffers.push({ name: op, dtype: storage(t), size: n, role: 'output' }, { name: `${op}.v`, dtype: storage(t), size: n, role: 'output' });
        kernels.push(...elementwise(op.replace(/-/g, '_'), op, t, ['x', 'y'], [t, t], n, ([x, y]) => b.binary(op, x, y)));
      }
      // Vector shifts by one count for every lane (a splat) take wasm's native vector shift.
      const shifts: BinaryOp[] = t === 'pred' || t === 'f32' ? [] : ['shift-left', 'shift-right-logical', 'shift-right-arithmetic'];
      const counts = t === 's32' ? [0, 1, 31, 32, 33, -1] : [0, 1, 31, 32, 33, 0xffffffff];
      for (const op of shifts) for (const c of counts) {
        const name = `${op}.splat${c}`;
        buffers.push({ name, dtype: storage(t), size: n, role: 'output' });
        const j4 = b.mul(b.variable('j'), b.int(4));
        kernels.push({ name: name.replace(/[-.]/g, '_'), args: ['x', name], body: [b.loop('j', 0, n / 4, [
          b.store(1, j4, b.binary(op, b.load(0, j4, t, 4), b.splat(b.constant(t, c))))], 'parallel')] });
      }
      const p = program(`binary_${t}`, buffers, kernels);
      const inputs = { x: fill(storage(t), pairs.map((q) => q[0])), y: fill(storage(t), pairs.map((q) => q[1])) };
      const want = reference(p, inputs), got = await runWasm(p, inputs);
      const shown = pairs.map((q) => `${q[0]},${q[1]}`);
      for (const op of ops) {
        const tol = TRANSCENDENTAL.has(op) ? (t === 'f32' ? F32_TOL : INT_TOL) : undefined;
        for (const o of [op, `${op}.v`]) expectClose(`${o} on ${t}`, storage(t), got[o], want[o], tol, shown);
      }
      for (const op of shifts) for (const c of counts) expectClose(`${op} by splat ${c}`, storage(t), got[`${op}.splat${c}`], want[`${op}.splat${c}`]);
    });
  }
});

describe('wasm compare, select, convert, bitcast, round', () => {
  for (const t of TYPES) {
    it(t, async () => {
      const { program: p, buffers, inputs, shown } = compareConvertCase(t);
      const want = reference(p, inputs), got = await runWasm(p, inputs);
      for (const buf of buffers.slice(2)) expectClose(`${buf.name} on ${t}`, buf.dtype, got[buf.name], want[buf.name], undefined, shown);
    });
  }
});
