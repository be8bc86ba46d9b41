import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../ir/builder.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import { array, scalar, tuple } from '../../ir/shape.js';
import { VerifyError, verifyModule, verifyModuleAll } from '../../ir/verify.js';
import { S } from './helpers.js';

/** A small valid module: %add reducer, %main with parameters, elementwise, dot, reduce. */
function sample(): Module {
  const b = new ModuleBuilder('sample');
  const add = b.computation('add', (c) => c.add(c.parameter(scalar('f32')), c.parameter(scalar('f32'))));
  b.entry('main', (c) => {
    const x = c.parameter(array('f32', [2, 3]), 'x');
    const w = c.parameter(array('f32', [3, 4]), 'w');
    const d = c.dot(x, w);
    const e = c.exponential(d);
    const t = c.transpose(e, [1, 0]);
    const r = c.reduce(t, c.constantScalar('f32', 0), [0], add);
    return c.add(r, r);
  });
  return b.build();
}

const find = (c: Computation, name: string): Instruction => {
  const i = c.instructions.find((x) => x.name === name);
  if (!i) throw new Error(`no %${name} in %${c.name}`);
  return i;
};
const main = (m: Module) => m.entry;
const messages = (m: Module) => verifyModuleAll(m).map((e) => e.message);

describe('verifyModule', () => {
  it('accepts a well-formed module', () => {
    const m = sample();
    expect(verifyModuleAll(m)).toEqual([]);
    expect(() => verifyModule(m)).not.toThrow();
  });

  it('throws a VerifyError naming the computation and the instruction', () => {
    const m = sample();
    const add = find(main(m), 'add.1');
    add.operands[1] = find(main(m), 'exponential');
    let error: unknown;
    try {
      verifyModule(m);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VerifyError);
    const v = error as VerifyError;
    expect(v.computation).toBe('main');
    expect(v.instruction).toBe('add.1');
    expect(v.detail).toBe('operand 1 has shape f32[2,4], expected f32[2]');
    expect(v.message).toBe('computation %main, instruction %add.1: operand 1 has shape f32[2,4], expected f32[2]');
  });

  it('reports every problem with verifyModuleAll', () => {
    const m = sample();
    find(main(m), 'exponential').shape = S('f32[4,2]');
    find(main(m), 'transpose').attrs = { dimensions: [0, 0] };
    expect(messages(m)).toEqual([
      'computation %main, instruction %exponential: shape is f32[4,2] but the operands give f32[2,4]',
      'computation %main, instruction %transpose: dimensions {0,0} names dimension 0 twice',
      // The reduce now sees a transpose whose written shape is still right, so nothing more.
    ]);
  });
});

describe('instruction checks', () => {
  it('written shape against inferred shape', () => {
    const m = sample();
    find(main(m), 'dot').shape = S('f32[2,5]');
    expect(messages(m)).toContain('computation %main, instruction %dot: shape is f32[2,5] but the operands give f32[2,4]');
  });

  it('dot and convolution may choose their result type, not their dims', () => {
    const m = sample();
    find(main(m), 'dot').shape = S('f64[2,4]');
    expect(messages(m).filter((x) => x.includes('%dot'))).toEqual([]);
  });

  it('operand counts against the opcode table', () => {
    const m = sample();
    find(main(m), 'exponential').operands.push(find(main(m), 'x'));
    expect(messages(m)).toEqual(['computation %main, instruction %exponential: expects 1 operand, got 2']);
  });

  it('required attributes present', () => {
    const m = sample();
    find(main(m), 'transpose').attrs = {} as never;
    expect(messages(m)).toEqual(['computation %main, instruction %transpose: missing required attribute dimensions']);
  });

  it('no unknown attributes, and each of its kind', () => {
    const m = sample();
    (find(main(m), 'transpose').attrs as Record<string, unknown>).bogus = 1;
    (find(main(m), 'reduce').attrs as Record<string, unknown>).dimensions = 'zero';
    expect(messages(m)).toEqual([
      'computation %main, instruction %transpose: transpose has no attribute bogus',
      'computation %main, instruction %reduce: attribute dimensions should be a list of integers, got "zero"',
    ]);
  });

  it('attribute sanity: dimension numbers in range', () => {
    const m = sample();
    find(main(m), 'reduce').attrs = { ...find(main(m), 'reduce').attrs, dimensions: [3] } as never;
    expect(messages(m)).toEqual(['computation %main, instruction %reduce: dimensions[0] = 3 is out of range for input f32[4,2]']);
  });

  it('operands defined before use', () => {
    const m = sample();
    const c = main(m);
    const k = c.instructions.indexOf(find(c, 'exponential'));
    [c.instructions[k], c.instructions[k + 1]] = [c.instructions[k + 1], c.instructions[k]];
    expect(messages(m)).toEqual(['computation %main, instruction %transpose: operand 0 %exponential is defined after its use']);
  });

  it('operands from the same computation', () => {
    const m = sample();
    const reducer = m.computations[0];
    find(main(m), 'exponential').operands[0] = reducer.root;
    expect(messages(m)).toContain('computation %main, instruction %exponential: operand 0 %add belongs to computation %add');
  });

  it('operands that are in no computation', () => {
    const m = sample();
    const stray = { ...find(main(m), 'x'), name: 'stray' } as Instruction;
    find(main(m), 'exponential').operands[0] = stray;
    expect(messages(m)).toContain('computation %main, instruction %exponential: operand 0 %stray is in no computation of the module');
  });

  it('written shapes are well formed', () => {
    const m = sample();
    find(main(m), 'x').shape = { kind: 'array', dtype: 'f32', dims: [2, 3], layout: { minorToMajor: [0, 0] } };
    find(main(m), 'w').shape = array('f32', [3, -4]);
    const found = messages(m);
    expect(found).toContain('computation %main, instruction %x: layout {0,0} is not a permutation of the 2 dimensions of the shape');
    expect(found).toContain('computation %main, instruction %w: shape has dimension 1 of size -4, must be a non-negative integer');
  });

  it('opaque ops are checked for nothing beyond their structure', () => {
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => {
      const x = c.parameter(S('f32[4]'));
      return c.op('custom-call', [x], { custom_call_target: 'foo' }, tuple([S('s8[7]'), S('f32[]')]));
    });
    expect(verifyModuleAll(b.build())).toEqual([]);
  });

  it('reshape element counts', () => {
    const m = sample();
    const b = new ModuleBuilder('m');
    b.entry('main', (c) => c.reshape(c.parameter(S('f32[2,3]')), [3, 2]));
    const m2 = b.build();
    m2.entry.root.shape = S('f32[7]');
    expect(messages(m2)).toEqual(['computation %main, instruction %reshape: operand f32[2,3] has 6 elements but the result f32[7] has 7']);
    expect(messages(m)).toEqual([]);
  });
});

describe('computation checks', () => {
  it('the root is one of the instructions', () => {
    const m = sample();
    main(m).root = m.computations[0].root;
    expect(messages(m)).toEqual(['computation %main: the root %add is not one of its instructions']);
  });

  it('parameter numbers are dense and unique', () => {
    const m = sample();
    const w = find(main(m), 'w');
    w.attrs = { parameter_number: 0 };
    expect(messages(m)).toContain('computation %main, instruction %w: parameter number 0 is also used by %x');
    w.attrs = { parameter_number: 2 };
    expect(messages(m)).toContain(
      'computation %main, instruction %w: parameter number 2 is out of range: the computation has 2 parameters, numbered 0..1');
  });

  it('the parameter list matches the parameter instructions', () => {
    const m = sample();
    main(m).params.reverse();
    expect(messages(m)).toEqual([
      'computation %main: its parameter list has %w at 0, but parameter 0 is %x',
      'computation %main: its parameter list has %x at 1, but parameter 1 is %w',
    ]);
  });

  it('instruction names are unique within a computation', () => {
    const m = sample();
    find(main(m), 'w').name = 'x';
    expect(messages(m)).toContain('computation %main, instruction %x: the name %x is used by two instructions');
  });

  it('an instruction appears once', () => {
    const m = sample();
    main(m).instructions.push(find(main(m), 'x'));
    expect(messages(m)).toContain('computation %main, instruction %x: appears twice in the instruction list');
  });

  it('called computations take what the caller passes', () => {
    const m = sample();
    const add = m.computations[0];
    add.params[1].shape = S('s32[]');
    expect(messages(m)).toContain(
      'computation %main, instruction %reduce: to_apply %add parameter 1 has shape s32[], expected f32[] (the element type of input 0)');
  });
});

describe('module checks', () => {
  it('callees come before their callers and belong to the module', () => {
    const m = sample();
    m.computations.reverse();
    expect(messages(m)).toContain(
      'computation %main, instruction %reduce: calls computation %add, which is defined after its caller (callees come first)');
    const n = sample();
    n.computations.shift();
    expect(messages(n)).toEqual(['computation %main, instruction %reduce: calls computation %add, which is not in the module']);
  });

  it('computation names are unique', () => {
    const m = sample();
    m.computations[0].name = 'main';
    expect(messages(m)).toContain('computation %main: the name %main is used by two computations');
  });

  it('exactly one entry, marked as such', () => {
    const m = sample();
    m.computations[0].isEntry = true;
    expect(messages(m)).toEqual(['computation %add: is marked as entry but the module has another entry']);
    const n = sample();
    n.entry = n.computations[0];
    expect(messages(n)).toContain('computation %add: is the entry but not marked as entry');
    const o = sample();
    o.computations.pop();
    expect(messages(o)).toContain('module: the entry computation %main is not in the module\'s computations');
  });
});
