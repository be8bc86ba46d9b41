// Every opcode the rule table differentiates has a property test, and every refused
// opcode's error names the instruction, the opcode and the reason.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../ir/builder.js';
import { OPCODES, type Opcode } from '../../ir/opcodes.js';
import { array, scalar } from '../../ir/shape.js';
import { AutodiffUsageError, NotDifferentiableError, RULES, grad, jvp, vjp } from '../../passes/autodiff/index.js';
import { COMPUTE_CASES } from './cases_compute.js';
import { ELEMENTWISE_CASES } from './cases_elementwise.js';
import { STRUCTURAL_CASES } from './cases_structural.js';
import { WINDOW_CASES } from './cases_window.js';
import { mod } from './cases_elementwise.js';
import { type Case, U, checkJvp, checkVjp } from './harness.js';

const ALL = { ...ELEMENTWISE_CASES, ...STRUCTURAL_CASES, ...COMPUTE_CASES, ...WINDOW_CASES };

describe('autodiff: the rule table', () => {
  it('has an entry for every opcode, and a property test for every rule', () => {
    const ops = Object.keys(OPCODES) as Opcode[];
    const withRule = ops.filter((op) => !('notDifferentiable' in RULES[op]));
    const untested = withRule.filter((op) => (ALL[op] ?? []).length === 0);
    expect(untested).toEqual([]);
    expect(withRule.length).toBeGreaterThan(70);
  });

  it('gives every refusal a reason', () => {
    for (const [op, r] of Object.entries(RULES)) if ('notDifferentiable' in r) expect(r.notDifferentiable.length, op).toBeGreaterThan(20);
  });
});

function mapModule() {
  const b = new ModuleBuilder('s');
  // A reshape is no elementwise op, so this map is not expanded.
  const sq = b.computation('sq', (c) => { const p = c.parameter(scalar('f32')); return c.reshape(c.multiply(p, p), []); });
  b.entry('main', (c) => c.map([c.sine(c.parameter(array('f32', [4]), 'x'))], sq));
  return b.build();
}

describe('autodiff: map with an elementwise to_apply is expanded first', () => {
  const c: Case = {
    name: 'map', args: [U(0.5, 2), U(-1, 1)],
    build: mod('map', [[2, 3], [2, 3]], (k, [x, y], b) => {
      const f = b.computation('f', (fc) => {
        const p = fc.parameter(scalar('f64')), q = fc.parameter(scalar('f64'));
        return fc.add(fc.multiply(fc.log(p), q), fc.constantScalar('f64', 2));
      });
      return k.map([x, k.sine(y)], f);
    }),
  };
  it('vjp', () => checkVjp(c));
  it('jvp', () => checkJvp(c));
});

describe('autodiff: refusals', () => {
  it('names the instruction, its opcode and the reason', () => {
    const m = mapModule();
    for (const f of [vjp, jvp]) {
      const err = (() => { try { f(m); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(NotDifferentiableError);
      expect((err as Error).message).toMatch(/%map \(map\): map is differentiated only when its to_apply is elementwise/);
    }
  });

  it('refuses a reducer it does not know, naming it', () => {
    const b = new ModuleBuilder('r');
    const sub = b.computation('sub', (c) => c.subtract(c.parameter(scalar('f32')), c.parameter(scalar('f32'))));
    b.entry('main', (c) => c.reduce(c.parameter(array('f32', [4])), c.constantScalar('f32', 0), [0], sub));
    expect(() => grad(b.build())).toThrow(/%reduce \(reduce\): its reducer %sub is not add, multiply, maximum or minimum/);
  });

  it('does not mind refused ops the derivative does not pass through', () => {
    const b = new ModuleBuilder('m');
    const sq = b.computation('sq', (c) => { const p = c.parameter(scalar('f32')); return c.reshape(c.multiply(p, p), []); });
    b.entry('main', (c) => {
      const x = c.parameter(array('f32', [4])), k = c.parameter(array('f32', [4]));
      return [c.multiply(x, x), c.map([k], sq)];
    });
    expect(() => vjp(b.build(), { wrt: [0] })).not.toThrow();
  });

  it('refuses integer wrt, tuple parameters and non-scalar grad roots', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => c.convert(c.parameter(array('s32', [2])), 'f32'));
    expect(() => vjp(b.build(), { wrt: [0] })).toThrow(AutodiffUsageError);
    expect(() => grad(b.build())).toThrow(/scalar floating-point root/);
    const t = new ModuleBuilder('t');
    t.entry('main', (c) => c.getTupleElement(c.parameter({ kind: 'tuple', elements: [scalar('f32')] }), 0));
    expect(() => grad(t.build())).toThrow(/tuple shape/);
  });
});
