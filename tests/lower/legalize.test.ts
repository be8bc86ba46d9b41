// passes/kernel/legalize.ts: XLA's integer division and shift edges expanded into guarded
// kernel IR. Two checks: the reference executor computes the same before and after (the
// pass keeps meaning), and a strict evaluator with native semantics — division by 0 or
// INT_MIN by −1 and out-of-range shift counts throw, and both arms of every select are
// evaluated, as WGSL's select() does — computes XLA's result without ever throwing.
import { describe, expect, it } from 'vitest';
import * as k from '../../ir/kernel/build.js';
import type { BinaryOp, Expr, ScalarType, StorageType } from '../../ir/kernel/kernel.js';
import { printExpr } from '../../ir/kernel/print.js';
import { binaryKernel } from '../../ir/scalar/ops.js';
import { EXACT_OPS, legalizeKernel, legalizeProgram } from '../../passes/kernel/legalize.js';
import { fill, pad4, program, referenceAll } from '../wasm/harness.js';

const GUARD = { exactDivision: false, exactShifts: false, exactRoundF16: true, exactRoundBf16: true };
const OPS: readonly BinaryOp[] = ['divide', 'remainder', 'shift-left', 'shift-right-logical', 'shift-right-arithmetic'];
const TYPES = ['s32', 'u32', 's64', 'u64'] as const;
type IntType = (typeof TYPES)[number];
const bits = (t: IntType): number => (t.endsWith('64') ? 64 : 32);
const wrap = (t: IntType, v: bigint): bigint => (t[0] === 's' ? BigInt.asIntN(bits(t), v) : BigInt.asUintN(bits(t), v));

const edges = (t: IntType): bigint[] => {
  const min = t[0] === 's' ? -(2n ** BigInt(bits(t) - 1)) : 0n;
  return [0n, 1n, -1n, 2n, -3n, 7n, 31n, 32n, 33n, 63n, 64n, 65n, -32n, min, min + 1n, -min - 1n].map((v) => wrap(t, v));
};
const CONSTS = [0, -1, 3, 40, -3, 31, 63];

/** The expressions legalize sees: a op b with b read or constant. */
function forms(t: IntType, op: BinaryOp, lanes: 1 | 4, a: Expr, b: Expr): Expr[] {
  return [k.binary(op, a, b), ...CONSTS.map((c) => k.binary(op, a, k.constant(t, wrap(t, BigInt(c)), lanes)))];
}

describe('legalize keeps meaning (reference executor)', () => {
  for (const t of TYPES) for (const lanes of t.endsWith('64') ? [1] as const : [1, 4] as const) {
    it(`${t}${lanes === 4 ? 'x4' : ''}`, () => {
      const e = edges(t);
      const pairs = pad4(e.flatMap((x) => e.map((y) => [x, y] as const)));
      const n = pairs.length;
      const i = lanes === 1 ? k.variable('i') : k.mul(k.variable('i'), k.int(4));
      const a = k.load(0, i, t, lanes), b = k.load(1, i, t, lanes);
      const exprs = OPS.flatMap((op) => forms(t, op, lanes, a, b));
      const st = t as StorageType;
      const p = program('l', [
        { name: 'a', dtype: st, size: n, role: 'input' }, { name: 'b', dtype: st, size: n, role: 'input' },
        ...exprs.map((_, j) => ({ name: `o${j}`, dtype: st, size: n, role: 'output' as const }))],
      exprs.map((x, j) => ({ name: `k${j}`, args: ['a', 'b', `o${j}`], body: [k.loop('i', 0, n / lanes, [k.store(2, i, x)], 'parallel')] })));
      const inputs = { a: fill(st, pairs.map(([x]) => x)), b: fill(st, pairs.map(([, y]) => y)) };
      const legal = legalizeProgram(p, GUARD);
      expect(legal).not.toEqual(p);
      expect(referenceAll(legal, inputs)).toEqual(referenceAll(p, inputs));
    });
  }
});

/** Native integer semantics, strictly: throws where a native operator is undefined or traps. */
function native(e: Expr, env: Record<string, bigint>): bigint {
  const t = e.type.scalar as ScalarType;
  const w = (v: bigint): bigint => (t === 'pred' ? (v ? 1n : 0n) : wrap(t as IntType, v));
  switch (e.k) {
    case 'const': return w(BigInt(e.value));
    case 'var': return env[e.name];
    case 'select': {
      const c = native(e.cond, env), x = native(e.a, env), y = native(e.b, env); // both arms, always
      return c ? x : y;
    }
    case 'compare': {
      const x = native(e.a, env), y = native(e.b, env);
      return BigInt({ EQ: x === y, NE: x !== y, LT: x < y, LE: x <= y, GT: x > y, GE: x >= y }[e.dir]);
    }
    case 'binary': {
      const x = native(e.a, env), y = native(e.b, env);
      const it = t as IntType, nb = BigInt(t === 'pred' ? 1 : bits(it));
      const shiftOk = () => { if (y < 0n || y >= nb) throw new Error(`native ${e.op} by ${y}`); };
      switch (e.op) {
        case 'and': return x & y;
        case 'or': return x | y;
        case 'divide': case 'remainder': {
          if (y === 0n || (t[0] === 's' && y === -1n && x === -(2n ** (nb - 1n)))) throw new Error(`native ${e.op} ${x} by ${y}`);
          return w(e.op === 'divide' ? x / y : x % y);
        }
        case 'shift-left': shiftOk(); return w(x << y);
        case 'shift-right-logical': shiftOk(); return w(BigInt.asUintN(Number(nb), x) >> y);
        case 'shift-right-arithmetic': shiftOk(); return w(BigInt.asIntN(Number(nb), x) >> y);
        default: throw new Error(`evaluator: ${e.op}`);
      }
    }
    default: throw new Error(`evaluator: ${e.k}`);
  }
}

describe('legalized operators are safe natively', () => {
  for (const t of TYPES) {
    it(t, () => {
      const a = k.variable('a', { scalar: t, lanes: 1 }), b = k.variable('b', { scalar: t, lanes: 1 });
      for (const op of OPS) {
        const xla = binaryKernel(op, t)!;
        for (const e of forms(t, op, 1, a, b)) {
          const kern = legalizeKernel({ name: 'k', source: 'k', schedule: {}, params: [], body: [k.letStmt('r', e)] }, GUARD);
          const legal = (kern.body[0] as { value: Expr }).value;
          for (const x of edges(t)) for (const y0 of edges(t)) {
            const rhs = e.k === 'binary' ? e.b : undefined;
            const y = rhs?.k === 'const' ? BigInt(rhs.value) : y0;
            const want = wrap(t, BigInt(xla(t.endsWith('64') ? x : Number(x), t.endsWith('64') ? y : Number(y))));
            expect(native(legal, { a: x, b: y }), `${op} ${x} ${y}`).toBe(want);
          }
        }
      }
    });
  }
});

describe('legalize output, as printed kernel IR', () => {
  it('guards the operand and selects XLA\'s value at the edges (s32)', () => {
    const a = k.variable('a'), b = k.variable('b');
    const legal = (op: BinaryOp): string => {
      const kern = legalizeKernel({ name: 'k', source: 'k', schedule: {}, params: [], body: [k.letStmt('r', k.binary(op, a, b))] }, GUARD);
      return printExpr((kern.body[0] as { value: Expr }).value);
    };
    expect(legal('divide')).toBe('(b == 0) ? -1 : (a / (((b == 0) | ((a == -2147483648) & (b == -1))) ? 1 : b))');
    expect(legal('remainder')).toBe('(b == 0) ? a : (a % (((b == 0) | ((a == -2147483648) & (b == -1))) ? 1 : b))');
    expect(legal('shift-left')).toBe('((b < 0) | (b >= 32)) ? 0 : (a << (b & 31))');
    expect(legal('shift-right-arithmetic')).toBe('shift-right-arithmetic(a, ((b < 0) | (b >= 32)) ? 31 : b)');
    // Constant operands: no guard, or a constant one.
    expect(printExpr((legalizeKernel({ name: 'k', source: 'k', schedule: {}, params: [], body: [k.letStmt('r', k.binary('divide', a, k.int(8)))] }, GUARD).body[0] as { value: Expr }).value)).toBe('a / 8');
  });
});

describe('legalize opts in per capability', () => {
  it('leaves a kernel alone where the native operators are exact (wasm)', () => {
    const kern = { name: 'k', source: 'k', schedule: {}, params: [], body: [k.letStmt('r', k.binary('divide', k.variable('a'), k.variable('b')))] };
    expect(legalizeKernel(kern, EXACT_OPS)).toBe(kern);
    const shiftsOnly = legalizeKernel(kern, { ...EXACT_OPS, exactShifts: false });
    expect(shiftsOnly.body).toEqual(kern.body);
  });
});

describe('legalize expands round to f16/bf16 into bit arithmetic', () => {
  // Every f32 bit pattern's top 20 bits with a spread of low bits: all exponents, ties,
  // subnormal halves, the overflow edge (65504..65520), infinities and NaNs.
  const samples: number[] = [];
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  for (let hi = 0; hi < 1 << 20; hi += 61) for (const lo of [0, 0x7ff, 0x800, 0x801, 0xfff, 0x1000, 0x1001]) { u[0] = (hi << 12) | lo; samples.push(f[0]); }
  for (const v of [65504, 65519.996, 65520, 65536, 2 ** -14, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 1.5 * 2 ** -24]) samples.push(v, -v);
  const xs = pad4(samples.map(Math.fround));
  for (const to of ['f16', 'bf16'] as const) for (const lanes of [1, 4] as const) {
    it(`${to}${lanes === 4 ? 'x4' : ''}`, () => {
      const n = xs.length;
      const i = lanes === 1 ? k.variable('i') : k.mul(k.variable('i'), k.int(4));
      const round: Expr = { k: 'round', type: { scalar: 'f32', lanes }, to, a: k.load(0, i, 'f32', lanes) };
      const p = program('r', [{ name: 'x', dtype: 'f32', size: n, role: 'input' }, { name: 'y', dtype: 'f32', size: n, role: 'output' }],
        [{ name: 'k', args: ['x', 'y'], body: [k.loop('i', 0, n / lanes, [k.store(1, i, round)], 'parallel')] }]);
      const legal = legalizeProgram(p, { ...EXACT_OPS, exactRoundF16: false, exactRoundBf16: false });
      expect(JSON.stringify(legal)).not.toContain('"round","type"');
      const inputs = { x: fill('f32', xs) };
      const want = referenceAll(p, inputs).y as Float32Array, got = referenceAll(legal, inputs).y as Float32Array;
      // NaNs compare as NaN; everything else (signed zeros included) bit for bit.
      const bitsOf = (a: Float32Array) => Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v));
      expect(bitsOf(got)).toEqual(bitsOf(want));
    });
  }
});
