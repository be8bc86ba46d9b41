import { describe, expect, it } from 'vitest';
import { EVAL, interpret } from '../../ir/interpret/index.js';
import type { Instruction } from '../../ir/module.js';
import { OPCODES, type Opcode } from '../../ir/opcodes.js';
import { array, scalar, tuple } from '../../ir/shape.js';
import { elements, f32, lit, moduleOf, nums, run, s32 } from './helpers.js';

describe('tuples and calls', () => {
  it('tuple, get-tuple-element, call and fusion', () => {
    const text = `HloModule t
twice { a = f32[2] parameter(0)
 ROOT d = f32[2] add(a, a) }
fused { p = f32[2] parameter(0)
 q = f32[2] parameter(1)
 ROOT m = f32[2] multiply(p, q) }
ENTRY e {
  x = f32[2] parameter(0)
  c = f32[2] call(x), to_apply=twice
  f = f32[2] fusion(c, x), kind=kLoop, calls=fused
  t = (f32[2], f32[2]) tuple(c, f)
  ROOT g = f32[2] get-tuple-element(t), index=1
}`;
    expect(nums(run(text, f32([2], [1, 3])))).toEqual([2, 18]);
  });

  it('while runs the body until the condition fails', () => {
    const text = `HloModule t
cond { s = (s32[], s32[]) parameter(0)
 i = s32[] get-tuple-element(s), index=0
 n = s32[] constant(10)
 ROOT lt = pred[] compare(i, n), direction=LT }
body { s = (s32[], s32[]) parameter(0)
 i = s32[] get-tuple-element(s), index=0
 a = s32[] get-tuple-element(s), index=1
 one = s32[] constant(1)
 j = s32[] add(i, one)
 b = s32[] add(a, j)
 ROOT t = (s32[], s32[]) tuple(j, b) }
ENTRY e {
  z = s32[] constant(0)
  init = (s32[], s32[]) tuple(z, z)
  ROOT w = (s32[], s32[]) while(init), condition=cond, body=body
}`;
    const r = elements(run(text));
    expect(nums(r[0])).toEqual([10]);
    expect(nums(r[1])).toEqual([55]);
  });

  it('conditional on a pred', () => {
    const text = `HloModule t
neg { a = f32[] parameter(0)
 ROOT n = f32[] negate(a) }
id { a = f32[] parameter(0)
 ROOT c = f32[] copy(a) }
ENTRY e {
  p = pred[] parameter(0)
  x = f32[] parameter(1)
  ROOT c = f32[] conditional(p, x, x), true_computation=neg, false_computation=id
}`;
    expect(nums(run(text, lit('pred', [], [true]), f32([], [2])))).toEqual([-2]);
    expect(nums(run(text, lit('pred', [], [false]), f32([], [2])))).toEqual([2]);
  });

  it('conditional on an index: out of range runs the last branch', () => {
    const text = `HloModule t
b0 { a = s32[] parameter(0)
 ROOT r = s32[] add(a, a) }
b1 { a = s32[] parameter(0)
 ROOT r = s32[] multiply(a, a) }
b2 { a = s32[] parameter(0)
 ROOT r = s32[] negate(a) }
ENTRY e {
  i = s32[] parameter(0)
  x = s32[] parameter(1)
  ROOT c = s32[] conditional(i, x, x, x), branch_computations={b0, b1, b2}
}`;
    const go = (i: number) => nums(run(text, s32([], [i]), s32([], [5])))[0];
    expect([go(0), go(1), go(2), go(7), go(-1)]).toEqual([10, 25, -5, -5, -5]);
  });
});

describe('sort', () => {
  const LT = 'lt { a = s32[] parameter(0)\n b = s32[] parameter(1)\n c = s32[] parameter(2)\n d = s32[] parameter(3)\n ROOT r = pred[] compare(a, b), direction=LT }';

  it('variadic and stable: keys sort, values follow, ties keep their order', () => {
    const text = `HloModule t
${LT}
ENTRY e {
  k = s32[6] parameter(0)
  v = s32[6] parameter(1)
  ROOT s = (s32[6], s32[6]) sort(k, v), dimensions={0}, is_stable=true, to_apply=lt
}`;
    const r = elements(run(text, s32([6], [3, 1, 2, 1, 3, 1]), s32([6], [0, 1, 2, 3, 4, 5])));
    expect(nums(r[0])).toEqual([1, 1, 1, 2, 3, 3]);
    expect(nums(r[1])).toEqual([1, 3, 5, 2, 0, 4]);
  });

  it('sorts along the given dimension', () => {
    const text = (d: number) => `HloModule t
lt { a = f32[] parameter(0)
 b = f32[] parameter(1)
 ROOT r = pred[] compare(a, b), direction=LT }
ENTRY e {
  x = f32[2,3] parameter(0)
  ROOT s = f32[2,3] sort(x), dimensions={${d}}, to_apply=lt
}`;
    const x = f32([2, 3], [3, 1, 2, 0, 5, -1]);
    expect(nums(run(text(1), x))).toEqual([1, 2, 3, -1, 0, 5]);
    expect(nums(run(text(0), x))).toEqual([0, 1, -1, 3, 5, 2]);
  });

  it('a TOTALORDER comparator orders NaN and signed zeros', () => {
    const text = `HloModule t
lt { a = f32[] parameter(0)
 b = f32[] parameter(1)
 ROOT r = pred[] compare(a, b), direction=LT, type=TOTALORDER }
ENTRY e {
  x = f32[5] parameter(0)
  ROOT s = f32[5] sort(x), dimensions={0}, to_apply=lt
}`;
    const r = nums(run(text, f32([5], [NaN, 1, -Infinity, 0, -0])));
    expect(r).toEqual([-Infinity, -0, 0, 1, NaN]);
    expect(Object.is(r[1], -0)).toBe(true);
  });

  it('runs a general comparator computation', () => {
    const text = `HloModule t
desc { a = f32[] parameter(0)
 b = f32[] parameter(1)
 na = f32[] negate(a)
 nb = f32[] negate(b)
 ROOT r = pred[] compare(na, nb), direction=LT }
ENTRY e {
  x = f32[4] parameter(0)
  ROOT s = f32[4] sort(x), dimensions={0}, to_apply=desc
}`;
    expect(nums(run(text, f32([4], [2, 9, -1, 4])))).toEqual([9, 4, 2, -1]);
  });
});

/** An instruction made directly, bypassing the parser. */
function ins(name: string, opcode: string, shape: Instruction['shape'], operands: Instruction[] = [], attrs: object = {}): Instruction {
  return { name, opcode, shape, operands, attrs, raw: [] } as unknown as Instruction;
}

describe('what the interpreter refuses, and how it says so', () => {
  it('every opcode has an evaluator', () => {
    for (const op of Object.keys(OPCODES) as Opcode[]) expect(typeof EVAL[op]).toBe('function');
  });

  it('opaque opcodes name the opcode and the instruction', () => {
    const p = ins('p', 'parameter', array('f32', [2]), [], { parameter_number: 0 });
    const ar = ins('ar', 'all-reduce', array('f32', [2]), [p]);
    expect(() => interpret(moduleOf([p, ar], [p]), [f32([2], [1, 2])]))
      .toThrow("kiln's interpreter does not run opcode 'all-reduce' (instruction %ar)");
    const cc = ins('cc', 'custom-call', array('f32', [2]), [p], { custom_call_target: 'foo' });
    expect(() => interpret(moduleOf([p, cc], [p]), [f32([2], [1, 2])])).toThrow(/opcode 'custom-call' \(instruction %cc\)/);
  });

  it('non-computable dtypes are refused', () => {
    const p = ins('p', 'parameter', array('f32', [2]), [], { parameter_number: 0 });
    const c = ins('c', 'convert', array('c64', [2]), [p]);
    expect(() => interpret(moduleOf([p, c], [p]), [f32([2], [1, 2])])).toThrow(/element type 'c64'.*%c/);
    const q = ins('q', 'parameter', array('s4', [2]), [], { parameter_number: 0 });
    const n = ins('n', 'negate', array('s4', [2]), [q]);
    expect(() => interpret(moduleOf([q, n], [q]), [lit('s8', [2], [1, 2])])).toThrow(/element type 's4'/);
  });

  it('rng and elided constants are refused', () => {
    const a = ins('a', 'constant', scalar('f32'), [], { literal: f32([], [0]) });
    const r = ins('r', 'rng', array('f32', [2]), [a, a], { distribution: 'rng_uniform' });
    expect(() => interpret(moduleOf([a, r]), [])).toThrow(/opcode 'rng'.*%r/);
    const e = ins('e', 'constant', array('f32', [2]), [], { literal: { shape: array('f32', [2]), data: new Float64Array(0), elided: true } });
    expect(() => interpret(moduleOf([e]), [])).toThrow(/elided.*%e/);
  });

  it('errors inside an evaluator name the instruction', () => {
    const a = ins('a', 'constant', scalar('f32'), [], { literal: f32([], [0]) });
    const t = ins('t', 'tuple', tuple([scalar('f32')]), [a]);
    const g = ins('g', 'get-tuple-element', scalar('f32'), [t], { index: 3 });
    expect(() => interpret(moduleOf([a, t, g]), [])).toThrow(/index 3 is out of range.*%g/);
  });

  it('checks the argument count', () => {
    const p = ins('p', 'parameter', array('f32', [2]), [], { parameter_number: 0 });
    expect(() => interpret(moduleOf([p], [p]), [])).toThrow(/takes 1 arguments, got 0/);
  });

  it('does not evaluate instructions the root does not use', () => {
    const a = ins('a', 'constant', scalar('f32'), [], { literal: f32([], [4]) });
    const unused = ins('x', 'all-reduce', scalar('f32'), [a]);
    const n = ins('n', 'negate', scalar('f32'), [a]);
    expect(nums(interpret(moduleOf([a, unused, n]), []))).toEqual([-4]);
  });
});
