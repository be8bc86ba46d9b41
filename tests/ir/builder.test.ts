import { describe, expect, it } from 'vitest';
import { ComputationBuilder, ModuleBuilder, NameUniquer, parseDimLabels, withDefaultLayout } from '../../ir/builder.js';
import { arrayLiteral } from '../../ir/literal.js';
import type { Instruction, Module } from '../../ir/module.js';
import { array, scalar, shapeToString, tuple } from '../../ir/shape.js';
import { NeedsShapeError } from '../../ir/shape_inference.js';
import { verifyModuleAll } from '../../ir/verify.js';
import { S, errorOf, str } from './helpers.js';

type Unary = (this: ComputationBuilder, x: Instruction) => Instruction;
type Binary = (this: ComputationBuilder, x: Instruction, y: Instruction) => Instruction;
const full = (s: Parameters<typeof shapeToString>[0]) => shapeToString(s, { layout: true });

function example(): Module {
  const b = new ModuleBuilder('m');
  const add = b.computation('add', (c) => {
    const x = c.parameter(scalar('f32'));
    const y = c.parameter(scalar('f32'));
    return c.add(x, y);
  });
  b.entry('main', (c) => {
    const x = c.parameter(array('f32', [2, 3]), 'x');
    return c.reduce([x], [c.constantScalar('f32', 0)], [1], add);
  });
  return b.build();
}

describe('ModuleBuilder', () => {
  it('builds the example from the design: a reducer and an entry', () => {
    const m = example();
    expect(m.name).toBe('m');
    expect(m.computations.map((c) => c.name)).toEqual(['add', 'main']);
    expect(m.entry).toBe(m.computations[1]);
    expect(m.entry.isEntry).toBe(true);
    expect(m.computations[0].isEntry).toBe(false);
    expect(full(m.entry.root.shape)).toBe('f32[2]{0}');
    expect(m.entry.params.map((p) => p.name)).toEqual(['x']);
    expect(m.headerAttrs).toEqual([]);
    expect(m.style).toEqual({ percent: true, operandShapes: true, signatures: true });
    expect(verifyModuleAll(m)).toEqual([]);
  });

  it('orders callees first, whatever order they were made in, and the entry last', () => {
    const b = new ModuleBuilder('m');
    const neg = b.computation('neg', (c) => c.negate(c.parameter(S('f32[2]'))));
    b.entry('main', (c) => {
      const inner = b.computation('twice', (d) => {
        const p = d.parameter(S('f32[2]'));
        return d.call(neg, [d.call(neg, [p])]);
      });
      return c.call(inner, [c.parameter(S('f32[2]'))]);
    });
    const late = b.computation('late', (c) => c.parameter(S('f32[]')));
    const m = b.build();
    expect(m.computations.map((c) => c.name)).toEqual(['neg', 'twice', 'late', 'main']);
    expect(late.isEntry).toBe(false);
  });

  it('names instructions like XLA, unique across the module', () => {
    const b = new ModuleBuilder('m');
    const add = b.computation('add', (c) => c.add(c.parameter(scalar('f32')), c.parameter(scalar('f32'))));
    b.entry('main', (c) => {
      const x = c.parameter(S('f32[]'), 'x');
      const a = c.add(x, x);
      const a1 = c.add(a, x);
      const named = c.op('add', [a1, x], {}, undefined, 'sum');
      const again = c.op('add', [named, x], {}, undefined, 'sum');
      expect([a.name, a1.name, named.name, again.name]).toEqual(['add.1', 'add.2', 'sum', 'sum.1']);
      return c.call(add, [again, x]);
    });
    const m = b.build();
    expect(m.computations[0].instructions.map((i) => i.name)).toEqual(['p0', 'p1', 'add']);
  });

  it('keeps computation names unique too', () => {
    const b = new ModuleBuilder('m');
    const one = b.computation('f', (c) => c.parameter(S('f32[]')));
    const two = b.computation('f', (c) => c.parameter(S('f32[]')));
    expect([one.name, two.name]).toEqual(['f', 'f.1']);
  });

  it('makes a tuple root when the body returns several values', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => {
      const x = c.parameter(S('f32[2]'));
      return [x, c.negate(x)];
    });
    const m = b.build();
    expect(m.entry.root.opcode).toBe('tuple');
    expect(full(m.entry.root.shape)).toBe('(f32[2]{0}, f32[2]{0})');
  });

  it('refuses to build without an entry, or with two', () => {
    const b = new ModuleBuilder('m');
    expect(errorOf(() => b.build())).toBe('module m has no entry computation: call entry() before build()');
    b.entry('main', (c) => c.parameter(S('f32[]')));
    expect(errorOf(() => b.entry('again', (c) => c.parameter(S('f32[]'))))).toBe('module m already has an entry computation %main');
  });

  it('verifies the module it builds', () => {
    const other = new ModuleBuilder('other');
    const foreign = other.computation('neg', (c) => c.negate(c.parameter(S('f32[]'))));
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => c.call(foreign, [c.parameter(S('f32[]'))]));
    expect(errorOf(() => b.build())).toBe('computation %main, instruction %call: calls computation %neg, which is not in the module');
    expect(b.build({ verify: false }).computations.map((c) => c.name)).toEqual(['main']);
  });
});

describe('ComputationBuilder', () => {
  it('infers shapes with shape inference and gives arrays the default layout', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => {
      const x = c.parameter(S('f32[2,3,4]'));
      expect(full(x.shape)).toBe('f32[2,3,4]{2,1,0}');
      const t = c.transpose(x, [2, 0, 1]);
      expect(full(t.shape)).toBe('f32[4,2,3]{2,1,0}');
      const s = c.constantScalar('s32', 7);
      expect(full(s.shape)).toBe('s32[]');
      const pair = c.tuple([t, s]);
      expect(full(pair.shape)).toBe('(f32[4,2,3]{2,1,0}, s32[])');
      return pair;
    });
    b.build();
  });

  it('keeps a layout that was given', () => {
    const layout = { minorToMajor: [0, 1] };
    expect(full(withDefaultLayout({ ...S('f32[2,3]'), layout }))).toBe('f32[2,3]{0,1}');
    expect(full(withDefaultLayout(tuple([S('f32[2]'), S('pred[]')])))).toBe('(f32[2]{0}, pred[])');
  });

  it('checks a given shape against the operands', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => {
      const x = c.parameter(S('f32[2]'));
      expect(errorOf(() => c.op('add', [x, x], {}, S('f32[3]')))).toBe('add: shape is f32[3] but the operands give f32[2]');
      expect(errorOf(() => c.add(x, c.parameter(S('f32[3]'))))).toBe('add: operand 1 has shape f32[3], expected f32[2]');
      return x;
    });
  });

  it('asks for the shape where the operands do not determine it', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => {
      const x = c.parameter(S('f32[2,3]'));
      let error: unknown;
      try {
        c.op('reshape', [x], {});
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NeedsShapeError);
      expect((error as Error).message).toMatch(/^reshape: result shape must be written/);
      expect(str(c.op('reshape', [x], {}, S('f32[6]')).shape)).toBe('f32[6]');
      return x;
    });
  });

  it('refuses operands of another computation', () => {
    const b = new ModuleBuilder('m');
    let outer: ComputationBuilder | undefined;
    b.entry('main', (c) => {
      outer = c;
      const x = c.parameter(S('f32[]'), 'x');
      b.computation('inner', (d) => {
        expect(errorOf(() => d.negate(x))).toBe('negate: operand 0 %x does not belong to computation %inner');
        return d.parameter(S('f32[]'));
      });
      return x;
    });
    expect(errorOf(() => outer!.parameter(S('f32[]')))).toBe('computation %main is finished; add instructions inside its body');
  });

  it('numbers parameters in call order', () => {
    const b = new ModuleBuilder('m');
    const main = b.entry('main', (c) => c.add(c.parameter(S('f32[]'), 'a'), c.parameter(S('f32[]'), 'b')));
    expect(main.params.map((p) => [p.name, p.opcode === 'parameter' && p.attrs.parameter_number])).toEqual([['a', 0], ['b', 1]]);
  });

  it('has typed helpers for the common ops', () => {
    const b = new ModuleBuilder('m');
    const add = b.computation('add', (c) => c.add(c.parameter(scalar('f32')), c.parameter(scalar('f32'))));
    const lt = b.computation('lt', (c) => c.compare(c.parameter(scalar('f32')), c.parameter(scalar('f32')), 'LT'));
    const neg = b.computation('neg', (c) => c.negate(c.parameter(S('f32[2,3]'))));
    const shapes: Record<string, string> = {};
    b.entry('main', (c) => {
      const x = c.parameter(S('f32[2,3]'), 'x');
      const i = c.parameter(S('s32[]'), 'i');
      const got = {
        iota: c.iota(S('s32[4]'), 0),
        constant: c.constant(arrayLiteral(S('f32[2]'), [1, 2])),
        constantArray: c.constantArray('s32', [2, 2], [1, 2, 3, 4]),
        isFinite: c.isFinite(x),
        compare: c.compare(x, x, 'GE'),
        select: c.select(c.compare(x, x, 'LT'), x, x),
        clamp: c.clamp(c.constantScalar('f32', 0), x, c.constantScalar('f32', 1)),
        convert: c.convert(x, 'bf16'),
        bitcastConvert: c.bitcastConvert(x, 'u8'),
        broadcast: c.broadcast(x, [5, 2, 3], [1, 2]),
        reshape: c.reshape(x, [3, 2]),
        slice: c.slice(x, [0, 1], [2, 3]),
        stridedSlice: c.slice(x, [0, 0], [2, 3], [1, 2]),
        dynamicSlice: c.dynamicSlice(x, [i, i], [1, 2]),
        dynamicUpdateSlice: c.dynamicUpdateSlice(x, c.constantArray('f32', [1, 1], [9]), [i, i]),
        concatenate: c.concatenate([x, x], 0),
        pad: c.pad(x, c.constantScalar('f32', 0), [[1, 1], { low: 0, high: 0, interior: 1 }]),
        reverse: c.reverse(x, [1]),
        dot: c.dot(x, c.transpose(x, [1, 0])),
        dotBatch: c.dot(x, x, { lhsBatch: [0], rhsBatch: [0], lhsContracting: [1], rhsContracting: [1] }),
        dotPreferred: c.dot(c.convert(x, 's8'), c.convert(c.transpose(x, [1, 0]), 's8'), {}, 's32'),
        reduce: c.reduce(x, c.constantScalar('f32', 0), [0], add),
        reduceWindow: c.reduceWindow(x, c.constantScalar('f32', 0), [{ size: 2 }, { size: 2, stride: 2 }], add),
        map: c.map([x, x], add),
        sort: c.sort(x, 1, lt),
        getTupleElement: c.getTupleElement(c.tuple([x, i]), 1),
        call: c.call(neg, [x]),
        reducePrecision: c.reducePrecision(x, 5, 10),
      };
      for (const [k, v] of Object.entries(got)) shapes[k] = str(v.shape);
      return x;
    });
    b.build();
    expect(shapes).toEqual({
      iota: 's32[4]', constant: 'f32[2]', constantArray: 's32[2,2]', isFinite: 'pred[2,3]', compare: 'pred[2,3]',
      select: 'f32[2,3]', clamp: 'f32[2,3]', convert: 'bf16[2,3]', bitcastConvert: 'u8[2,3,4]', broadcast: 'f32[5,2,3]',
      reshape: 'f32[3,2]', slice: 'f32[2,2]', stridedSlice: 'f32[2,2]', dynamicSlice: 'f32[1,2]', dynamicUpdateSlice: 'f32[2,3]',
      concatenate: 'f32[4,3]', pad: 'f32[4,5]', reverse: 'f32[2,3]', dot: 'f32[2,2]', dotBatch: 'f32[2]',
      dotPreferred: 's32[2,2]', reduce: 'f32[3]', reduceWindow: 'f32[1,1]', map: 'f32[2,3]', sort: 'f32[2,3]',
      getTupleElement: 's32[]', call: 'f32[2,3]', reducePrecision: 'f32[2,3]',
    });
  });

  it('has every elementwise op as a method', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => {
      const f = c.parameter(S('f32[2]')), n = c.parameter(S('s32[2]')), p = c.parameter(S('pred[2]'));
      const z = c.parameter(S('c64[2]'));
      const floats: Unary[] = [c.abs, c.negate, c.exponential, c.exponentialMinusOne, c.log, c.logPlusOne, c.tanh, c.logistic,
        c.sqrt, c.rsqrt, c.cbrt, c.sine, c.cosine, c.tan, c.acos, c.acosh, c.asin, c.asinh, c.atanh, c.cosh, c.sinh,
        c.erf, c.floor, c.ceil, c.roundNearestAfz, c.roundNearestEven, c.sign, c.copy];
      for (const op of floats) expect(str(op.call(c, f).shape)).toBe('f32[2]');
      expect(str(c.real(z).shape)).toBe('f32[2]');
      expect(str(c.imag(z).shape)).toBe('f32[2]');
      expect(str(c.not(p).shape)).toBe('pred[2]');
      for (const op of [c.popcnt, c.clz] as Unary[]) expect(str(op.call(c, n).shape)).toBe('s32[2]');
      const binaries: Binary[] = [c.add, c.subtract, c.multiply, c.divide, c.remainder, c.power, c.maximum, c.minimum, c.atan2];
      for (const op of binaries) expect(str(op.call(c, f, f).shape)).toBe('f32[2]');
      for (const op of [c.and, c.or, c.xor, c.shiftLeft, c.shiftRightArithmetic, c.shiftRightLogical] as Binary[])
        expect(str(op.call(c, n, n).shape)).toBe('s32[2]');
      expect(str(c.complex(f, f).shape)).toBe('c64[2]');
      return f;
    });
    expect(verifyModuleAll(b.build())).toEqual([]);
  });

  it('builds convolutions from dim labels with a default window', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => {
      const img = c.parameter(S('f32[1,8,8,3]'));
      const k = c.parameter(S('f32[3,3,3,16]'));
      const same = c.convolution(img, k, { window: [{ padLow: 1, padHigh: 1 }, { padLow: 1, padHigh: 1 }] });
      expect(str(same.shape)).toBe('f32[1,8,8,16]');
      expect(same.attrs.window?.map((w) => w.size)).toEqual([3, 3]);
      const nchw = c.convolution(c.parameter(S('f32[1,3,8,8]')), c.parameter(S('f32[16,3,3,3]')), { dimLabels: 'bf01_oi01->bf01' });
      expect(str(nchw.shape)).toBe('f32[1,16,6,6]');
      const typed = c.convolution(c.convert(img, 'bf16'), c.convert(k, 'bf16'), { window: [{ stride: 2 }, { stride: 2 }] }, 'f32');
      expect(str(typed.shape)).toBe('f32[1,3,3,16]');
      return same;
    });
    expect(verifyModuleAll(b.build())).toEqual([]);
  });

  it('builds control flow', () => {
    const b = new ModuleBuilder('m');
    const cond = b.computation('cond', (c) => c.compare(c.parameter(S('s32[]')), c.constantScalar('s32', 10), 'LT'));
    const body = b.computation('body', (c) => c.add(c.parameter(S('s32[]')), c.constantScalar('s32', 1)));
    const negate = b.computation('negate', (c) => c.negate(c.parameter(S('f32[2]'))));
    const keep = b.computation('keep', (c) => c.copy(c.parameter(S('f32[2]'))));
    b.entry('main', (c) => {
      const n = c.whileLoop(cond, body, c.constantScalar('s32', 0));
      const x = c.parameter(S('f32[2]'));
      const byPred = c.conditional(c.parameter(S('pred[]')), [negate, keep], [x, x]);
      const byIndex = c.conditional(c.parameter(S('s32[]')), [negate, keep, negate], [x, x, x]);
      expect(byPred.attrs.true_computation).toBe(negate);
      expect(byIndex.attrs.branch_computations).toEqual([negate, keep, negate]);
      return [n, byPred, byIndex];
    });
    const m = b.build();
    expect(str(m.entry.root.shape)).toBe('(s32[], f32[2], f32[2])');
  });
});

describe('helpers', () => {
  it('NameUniquer numbers repeats of a name, reading a numeric suffix as one (as XLA does)', () => {
    const u = new NameUniquer();
    expect(['a', 'a', 'b', 'a', 'a.1', 'a.7', 'a.7', 'a'].map((n) => u.unique(n))).toEqual(['a', 'a.1', 'b', 'a.2', 'a.3', 'a.7', 'a.8', 'a.9']);
  });

  it('parseDimLabels reads XLA\'s dim_labels', () => {
    expect(parseDimLabels('b01f_01io->b01f')).toEqual({
      inputBatch: 0, inputFeature: 3, inputSpatial: [1, 2],
      kernelInput: 2, kernelOutput: 3, kernelSpatial: [0, 1],
      outputBatch: 0, outputFeature: 3, outputSpatial: [1, 2],
    });
    expect(parseDimLabels('f01b_i01o->01bf').outputSpatial).toEqual([0, 1]);
    expect(errorOf(() => parseDimLabels('b0f_0io'))).toBe("dim_labels 'b0f_0io' is not of the form lhs_rhs->out");
    expect(errorOf(() => parseDimLabels('b0x_0io->b0f'))).toBe("dim_labels 'b0x_0io->b0f': unexpected 'x' in 'b0x'");
  });
});
