// Test data and hand-built kernels shared by the wasm tests (tests/wasm) and the WebGPU
// tests (tests/wgsl): the same edge values, kernel builders and programs, run on each
// device by a thin runner in that device's test file. Where one backend tests more values
// than the other, the extra values are named here, on top of the shared list.
import * as b from '../ir/kernel/build.js';
import { S32 } from '../ir/kernel/build.js';
import { computeTypeOf, isWide, type CompareDir, type Expr, type Program, type ScalarType, type Step, type StorageType } from '../ir/kernel/kernel.js';
import type { TypedArray } from '../runtime/wasm/index.js';
import { fill, pad4, program, type BufferSpec, type KernelSpec } from './wasm/harness.js';

// ---- Elementwise operators (tests/wasm/ops.test.ts, tests/wgsl/ops.test.ts) ----

/** The 32-bit compute types. */
export const TYPES32: readonly ScalarType[] = ['f32', 's32', 'u32', 'pred'];

/** Float functions the targets approximate (within a tolerance of the reference, not bit-exact). */
export const TRANSCENDENTAL = new Set<string>([
  'exponential', 'exponential-minus-one', 'log', 'log-plus-one', 'tanh', 'logistic', 'cbrt', 'sine', 'cosine', 'tan',
  'erf', 'acos', 'acosh', 'asin', 'asinh', 'atanh', 'cosh', 'sinh', 'power', 'atan2',
]);

export const F32_EDGES = [
  0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3, -3.5, 1e-3, -1e-3, 1e-8, 0.1, 0.7, -0.7, 0.9999999, 1.0000001, 2, 4, 10, -10,
  20, -20, 88.7, 88.8, -88.8, -103, 100, 1e10, -1e10, 1e30, 3.4e38, -3.4e38, 1.17549435e-38, 1e-40, -1e-45, Infinity,
  -Infinity, NaN, 65504, 65520, 6e-5, 7e-8, 3.1415927, -3.1415927, 1.5707964, 6.2831855, 123.456, -0.75, 8, 27, -8,
  0.25, 16777217, 2147483647, -2147483648, 4294967296, 1e5, 0.3, -0.3, 5e-5, 3.9, 0.001, 1e-20, -1e-30, 9, -9,
];
export const S32_EDGES = [
  0, 1, -1, 2, -2, 3, -3, 7, 31, 32, 33, -32, 100, -100, 255, 256, -129, 65535, 65536, 2147483647, -2147483648, -2147483647,
  0x12345678, -0x12345678, 16, 30, 4, 5, 10, -7, 1000, 46341,
];
export const U32_EDGES = S32_EDGES.map((v) => v >>> 0);

/** Edge values of `t` for one-operand tests, padded to a multiple of 4 lanes. */
export const edges = (t: ScalarType): number[] =>
  pad4(t === 'f32' ? F32_EDGES.map(Math.fround) : t === 's32' ? S32_EDGES : t === 'u32' ? U32_EDGES : [0, 1, 1, 0]);

/** Fewer edge values of `t`, for two-operand tests over every pair. */
export const smallEdges = (t: ScalarType): number[] =>
  t === 'f32' ? [0, -0, 1, -1, 0.5, -2.5, 3, 7.25, -7.25, 1e-40, 1e30, -1e30, 100, 0.1, 2, Infinity, -Infinity, NaN].map(Math.fround)
    : t === 's32' ? [0, 1, -1, 2, -2, 3, 5, 31, 32, 33, -32, 100, 2147483647, -2147483648, 0x1234567, -7]
      : t === 'u32' ? [0, 1, 2, 3, 5, 31, 32, 33, 100, 0xffffffff, 0x80000000, 0x7fffffff, 0x1234567, 7, 0xfffffff9, 64]
        : [0, 1];

/** Scalar and vector kernels storing `f(loads)` into `out` and `out.v`. */
export function elementwise(name: string, out: string, outType: ScalarType, ins: readonly string[], inTypes: readonly ScalarType[], n: number,
  f: (xs: Expr[]) => Expr): KernelSpec[] {
  const i = b.variable('i'), j4 = b.mul(b.variable('j'), b.int(4));
  return [
    { name, args: [...ins, out], body: [b.loop('i', 0, n, [b.store(ins.length, i, f(ins.map((_, k) => b.load(k, i, inTypes[k]))))], 'parallel')] },
    { name: `${name}_v`, args: [...ins, `${out}.v`], body: [b.loop('j', 0, n / 4, [b.store(ins.length, j4, f(ins.map((_, k) => b.load(k, j4, inTypes[k], 4))))], 'parallel')] },
  ];
}

/**
 * Every pair of `t`'s small edge values as inputs x and y, through compare (each
 * direction), select, convert to the other 32-bit types, bitcast and (f32) round to
 * f16/bf16, scalar and 4-lane: the program, its buffers (outputs from index 2), the filled
 * inputs and a label per element.
 */
export function compareConvertCase(t: ScalarType) {
  const e = smallEdges(t);
  const pairs = pad4(e.flatMap((x) => e.map((y) => [x, y] as const)));
  const n = pairs.length;
  const buffers: BufferSpec[] = [{ name: 'x', dtype: t, size: n, role: 'input' }, { name: 'y', dtype: t, size: n, role: 'input' }];
  const kernels: KernelSpec[] = [];
  const add = (name: string, outType: ScalarType, f: (xs: Expr[]) => Expr) => {
    buffers.push({ name, dtype: outType, size: n, role: 'output' }, { name: `${name}.v`, dtype: outType, size: n, role: 'output' });
    kernels.push(...elementwise(name.replace(/[-.]/g, '_'), name, outType, ['x', 'y'], [t, t], n, f));
  };
  const dirs: CompareDir[] = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE'];
  for (const d of dirs) add(`cmp.${d}`, 'pred', ([x, y]) => b.compare(d, x, y));
  add('select', t, ([x, y]) => b.select(b.compare('LT', x, y), x, y));
  for (const to of TYPES32) if (to !== t) add(`convert.${to}`, to, ([x]) => b.convert(x, to));
  if (t !== 'pred') for (const to of ['f32', 's32', 'u32'] as const) if (to !== t) add(`bitcast.${to}`, to, ([x]) => b.bitcast(x, to));
  if (t === 'f32') for (const to of ['f16', 'bf16'] as const) add(`round.${to}`, 'f32', ([x]) => ({ k: 'round', type: x.type, to, a: x }));
  const p = program(`misc_${t}`, buffers, kernels);
  const inputs = { x: fill(t, pairs.map((q) => q[0])), y: fill(t, pairs.map((q) => q[1])) };
  return { program: p, buffers, inputs, shown: pairs.map((q) => `${q[0]},${q[1]}`) };
}

// ---- 64-bit operators (tests/wasm/ops64.test.ts, tests/wgsl/int64.test.ts) ----

export const MIN64 = -(2n ** 63n), MAX64 = 2n ** 63n - 1n;
/** s64 edge values (u64: the same bits). */
export const S64_EDGES = [MIN64, MAX64, MIN64 + 1n, -1n, 0n, 1n, 2n, -2n, 3n, 7n, 63n, 64n, 65n, -64n, 100n, -100n, 2n ** 32n, 2n ** 31n, -(2n ** 31n),
  2n ** 53n + 1n, -(2n ** 53n) - 1n, 0x123456789abcdef1n, -0x123456789abcdef1n, 2n ** 62n, 255n, 4294967295n, 16777217n, 1000000007n];
/** Fewer s64 edge values, for two-operand tests over every pair. */
export const SMALL_S64_EDGES = [MIN64, MAX64, -1n, 0n, 1n, 2n, -2n, 3n, 63n, 64n, 65n, -64n, 2n ** 53n + 1n, -0x123456789abcdef1n, 1000000007n, 2n ** 32n];

/** A scalar kernel storing `f(loads)` into `out`. */
export function scalarKernel(name: string, out: string, ins: readonly string[], inTypes: readonly ScalarType[], n: number, f: (xs: Expr[]) => Expr): KernelSpec {
  const i = b.variable('i');
  return { name: name.replace(/[^A-Za-z0-9_]/g, '_'), args: [...ins, out], body: [b.loop('i', 0, n, [b.store(ins.length, i, f(ins.map((_, k) => b.load(k, i, inTypes[k]))))], 'parallel')] };
}

// ---- Loads and stores (tests/wasm/memory.test.ts, tests/wgsl/memory.test.ts) ----

/** Elements per buffer of the load/store tests. */
export const MEM_N = 64;

const I64_EDGES = [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 32n + 5n,
  0x123456789abcdef1n, -0x123456789abcdef1n, 2n ** 24n + 1n, 16777217n, 2n ** 62n + 2n ** 38n + 1n, 255n, 65535n, 32768n, -129n, 4294967295n];
const F64_EDGES = [0, -0, 1, -1, 0.5, 2.5, -2.5, 1e300, -1e300, 5e-324, -5e-324, 2.2250738585072014e-308, Infinity, -Infinity, NaN,
  3.4028235677973366e38, 3.4028234663852886e38, 3.40282357e38, 1 + 2 ** -30, 1 + 2 ** -24 + 2 ** -40, 1 + 2 ** -24, 2 ** 53 + 2,
  9.3e18, -9.3e18, 9.223372036854776e18, -9.223372036854776e18, 1.8446744073709552e19, 2e19, 65520, 65519.99, 65504.1, 1e-8,
  2 ** -25 + 2 ** -60, 2 ** -24, 2147483648, -2147483648.5, -2147483649, 4294967295.5, 4294967296, 255.9, -128.9, 127.5, 1e-310, 1e-45, 7e-46];

/** MEM_N raw element values of `dt` (bit patterns for f16/bf16) covering the type's edges. */
export function rawValues(dt: StorageType): (number | bigint)[] {
  const N = MEM_N;
  const rnd = (k: number) => Array.from({ length: k }, (_, i) => Math.sin(i * 12.9898 + 1) * 43758.5453 % 1);
  switch (dt) {
    case 'pred': return [0, 1, 2, 255, ...rnd(60).map((r) => (r > 0 ? 1 : 0))];
    case 's8': return [-128, 127, -1, 0, 1, 64, -65, 100, ...rnd(56).map((r) => Math.round(r * 127))];
    case 'u8': return [0, 255, 1, 128, 127, 200, 17, 3, ...rnd(56).map((r) => Math.round(Math.abs(r) * 255))];
    case 's16': return [-32768, 32767, -1, 0, 1, 1000, -1000, 12345, ...rnd(56).map((r) => Math.round(r * 32767))];
    case 'u16': return [0, 65535, 1, 32768, 32767, 40000, 7, 3, ...rnd(56).map((r) => Math.round(Math.abs(r) * 65535))];
    case 's32': return [-2147483648, 2147483647, -1, 0, 1, 16777217, -16777217, 65536, ...rnd(56).map((r) => Math.round(r * 2 ** 31))];
    case 'u32': return [0, 4294967295, 1, 2147483648, 2147483647, 16777217, 33554435, 65535, ...rnd(56).map((r) => Math.round(Math.abs(r) * 2 ** 32) >>> 0)];
    case 'f16': return [0, 0x8000, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x0001, 0x03ff, 0x0400, 0x8001, 0x3555, 0x4248, 0x7d00,
      ...rnd(48).map((r) => Math.round(Math.abs(r) * 65535))];
    case 'bf16': return [0, 0x8000, 0x3f80, 0xbf80, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x0001, 0x007f, 0x0080, 0x8001, 0x3eaa, 0x4049, 0x7fa0,
      ...rnd(48).map((r) => Math.round(Math.abs(r) * 65535))];
    case 'f32': return [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 65504, 65519, 65520, -65520, 1e-8, 6e-8, 3e-8, 2.98e-8, 1e10, -1e10, 300, -300, 255.5, -128.5,
      127.5, 40000, 1e-40, -1e-45, Infinity, -Infinity, NaN, 3.4e38, 1.0009765625, 1.00048828125, 1.000732421875, 0.333333, 2 ** -14, 2 ** -24,
      2 ** -25, 1.5 * 2 ** -25, 4294967296, 4294967040, -2147483904, 2147483520, ...rnd(22).map((r) => r * 1000)].map(Math.fround);
    case 's64': return [...I64_EDGES, ...rnd(N - I64_EDGES.length).map((r) => BigInt(Math.round(r * 2 ** 62)) * 3n)];
    case 'u64': return [...I64_EDGES.map((v) => BigInt.asUintN(64, v)), ...rnd(N - I64_EDGES.length).map((r) => BigInt(Math.round(Math.abs(r) * 2 ** 62)) * 4n + 1n)];
    case 'f64': return [...F64_EDGES, ...rnd(N - F64_EDGES.length).map((r) => r * 1e6)];
  }
}

/** Stores lowering never makes (an f64 into f16, a 64-bit value into bf16): the wasm target refuses them. */
const refusedStore = (ct: ScalarType, dst: StorageType): boolean => (dst === 'f16' && ct === 'f64') || (dst === 'bf16' && isWide(ct));

/**
 * The program loading `src`'s MEM_N elements as each of `computes` (widening, with convert
 * when it differs from the storage's own) and storing them into each of `dsts`, scalar
 * and 4-lane; input `x`, one output per (compute type, destination[, .v]).
 */
export function loadStoreProgram(src: StorageType, dsts: readonly StorageType[], computes: readonly ScalarType[]): { program: Program; buffers: BufferSpec[] } {
  const N = MEM_N;
  const buffers: BufferSpec[] = [{ name: 'x', dtype: src, size: N, role: 'input' }];
  const kernels: KernelSpec[] = [];
  const i = b.variable('i'), j4 = b.mul(b.variable('j'), b.int(4));
  for (const ct of computes) for (const dst of dsts) {
    if ((ct !== computeTypeOf(src) && ct !== computeTypeOf(dst)) || refusedStore(ct, dst)) continue;
    const name = `${ct}.${dst}`;
    buffers.push({ name, dtype: dst, size: N, role: 'output' });
    kernels.push({ name: `s_${ct}_${dst}`, args: ['x', name], body: [b.loop('i', 0, N, [b.store(1, i, b.load(0, i, ct))], 'parallel')] });
    // 64-bit values are scalar only; a 4-lane 32-bit value may still be stored into a 64-bit buffer.
    if (isWide(ct) || isWide(computeTypeOf(src))) continue;
    buffers.push({ name: `${name}.v`, dtype: dst, size: N, role: 'output' });
    kernels.push({ name: `v_${ct}_${dst}`, args: ['x', `${name}.v`], body: [b.loop('j', 0, N / 4, [b.store(1, j4, b.load(0, j4, ct, 4))], 'parallel')] });
  }
  return { program: program(`mem_${src}`, buffers, kernels), buffers };
}

// ---- Control steps (tests/wasm/steps.test.ts, tests/wgsl/steps.test.ts) ----

const STEPS_N = 64;
const v = (n: string, t = S32) => b.variable(n, t);
const launch = (kernel: number): Step => ({ k: 'launch', kernel, args: [] });

/** acc[j] = Σ_{i<n} (j + i), then out = acc × 10·(branch + 1) by `sel`, and flag = loop predicate's last value. */
export function loopAndSwitch(): Program {
  const N = STEPS_N;
  const scale = (c: number) => b.loop('j', 0, N, [b.store(1, v('j'), b.binary('multiply', b.load(0, v('j'), 'f32'), b.constant('f32', c)))], 'parallel');
  const kernels: KernelSpec[] = [
    { name: 'init', args: ['i', 'acc'], body: [b.store(0, b.int(0), b.int(0)), b.loop('j', 0, N, [b.store(1, v('j'), b.constant('f32', 0))], 'parallel')] },
    { name: 'cond', args: ['i', 'n', 'go'], body: [b.store(2, b.int(0), b.compare('LT', b.load(0, b.int(0), 's32'), b.load(1, b.int(0), 's32')))] },
    { name: 'body', args: ['i', 'acc'], body: [b.loop('j', 0, N, [b.store(1, v('j'), b.binary('add', b.load(1, v('j'), 'f32'),
      b.convert(b.add(v('j'), b.load(0, b.int(0), 's32')), 'f32')))], 'parallel')] },
    { name: 'inc', args: ['i'], body: [b.store(0, b.int(0), b.add(b.load(0, b.int(0), 's32'), b.int(1)))] },
    { name: 'b0', args: ['acc', 'out'], body: [scale(10)] },
    { name: 'b1', args: ['acc', 'out'], body: [scale(20)] },
    { name: 'b2', args: ['acc', 'out'], body: [scale(30)] },
    { name: 'yes', args: ['flag'], body: [b.store(0, b.int(0), b.int(1))] },
    { name: 'no', args: ['flag'], body: [b.store(0, b.int(0), b.int(2))] },
  ];
  const p = program('steps', [
    { name: 'n', dtype: 's32', size: 1, role: 'input' },
    { name: 'sel', dtype: 's32', size: 1, role: 'input' },
    { name: 'i', dtype: 's32', size: 1, role: 'temp' },
    { name: 'go', dtype: 'pred', size: 1, role: 'temp' },
    { name: 'acc', dtype: 'f32', size: N, role: 'output' },
    { name: 'out', dtype: 'f32', size: N, role: 'output' },
    { name: 'flag', dtype: 's32', size: 1, role: 'output' },
  ], kernels);
  // program() launches every kernel in order; these steps use each where control flow says.
  const withArgs = (s: Step): Step => (s.k === 'launch' ? p.steps[s.kernel] : s);
  const steps: Step[] = [
    launch(0),
    { k: 'while', cond: [launch(1)], pred: 3, body: [launch(2), launch(3)] },
    { k: 'switch', index: 1, indexType: 's32', branches: [[launch(4)], [launch(5)], [launch(6)]] },
    // The loop ended with go = false: branch 1.
    { k: 'switch', index: 3, indexType: 'pred', branches: [[launch(7)], [launch(8)]] },
  ];
  const deep = (ss: Step[]): Step[] => ss.map((s) => s.k === 'launch' ? withArgs(s)
    : s.k === 'while' ? { ...s, cond: deep([...s.cond]), body: deep([...s.body]) } : { ...s, branches: s.branches.map((br) => deep([...br])) });
  return { ...p, steps: deep(steps) };
}

/** loopAndSwitch()'s cases: [n, sel, the scale branch `sel` picks]. */
export const STEP_CASES: [number, number, number][] = [[5, 0, 10], [5, 1, 20], [3, 2, 30], [4, 7, 30], [2, -1, 30], [0, 1, 20]];

/** loopAndSwitch()'s inputs for a case and the outputs it must give. */
export function stepCase(n: number, sel: number, scale: number) {
  const inputs = { n: fill('s32', [n]), sel: fill('s32', [sel]) };
  const acc = Array.from({ length: STEPS_N }, (_, j) => n * j + (n * (n - 1)) / 2);
  const want = { acc: acc, out: acc.map((x) => x * scale), flag: [2] };
  return { inputs, want };
}

/** loopAndSwitch()'s outputs as plain arrays, to compare with stepCase's `want`. */
export const stepOutputs = (o: Record<string, TypedArray>) => ({ acc: [...o.acc], out: [...o.out], flag: [...o.flag] });
