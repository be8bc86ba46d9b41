// The wasm op tables (unary.ts, binary.ts, ops64.ts) refuse what the reference does not
// define with NotSupported, also for vector forms that run a scalar form lane by lane.
import { describe, expect, it } from 'vitest';
import * as b from '../../ir/kernel/build.js';
import type { Expr, ScalarType, StorageType } from '../../ir/kernel/kernel.js';
import { compileWasm, NotSupported } from '../../targets/wasm/index.js';
import { program } from './harness.js';

/** A program storing f(x) for 4-lane (or scalar) loads of `t`. */
function kernel(t: ScalarType, lanes: 1 | 4, f: (x: Expr) => Expr) {
  const i = lanes === 4 ? b.mul(b.variable('i'), b.int(4)) : b.variable('i');
  return program('k', [{ name: 'x', dtype: t as StorageType, size: 8, role: 'input' }, { name: 'o', dtype: t as StorageType, size: 8, role: 'output' }],
    [{ name: 'k', args: ['x', 'o'], body: [b.loop('i', 0, 8 / lanes, [b.store(1, i, f(b.load(0, i, t, lanes)))], 'parallel')] }]);
}

describe('wasm op tables', () => {
  it('refuses clz on pred lanes (run lane by lane, the scalar form has none)', () => {
    expect(() => compileWasm(kernel('pred', 4, (x) => b.unary('clz', x)))).toThrow(NotSupported);
  });
  it('refuses bit operators on floats and shifts on pred, scalar and vector', () => {
    for (const lanes of [1, 4] as const) {
      expect(() => compileWasm(kernel('f32', lanes, (x) => b.binary('xor', x, x)))).toThrow(NotSupported);
      expect(() => compileWasm(kernel('pred', lanes, (x) => b.binary('shift-left', x, x)))).toThrow(NotSupported);
    }
    expect(() => compileWasm(kernel('f64', 1, (x) => b.unary('popcnt', x)))).toThrow(NotSupported);
  });
  it('spells clz on s32 lanes lane by lane', () => {
    expect(compileWasm(kernel('s32', 4, (x) => b.unary('clz', x))).wasm.length).toBeGreaterThan(0);
  });
});
