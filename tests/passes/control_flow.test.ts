// call-inline, conditional-simplify and while-simplify: before/after HLO, and results
// unchanged on the interpreter.
import { describe, expect, it } from 'vitest';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral } from '../../ir/literal.js';
import { array } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import { bitDifference, hlo, lines, optimise } from './helpers.js';
import { runPasses } from '../../passes/pipeline.js';
import { assignBuffers } from '../../passes/buffer_assignment.js';
import { MAX_UNROLL_INSTRUCTIONS, MAX_UNROLL_TRIPS } from '../../passes/while_simplify.js';

describe('call-inline', () => {
  it('replaces a call by its callee, parameters standing for the operands', () => {
    const m = optimise(`HloModule m
sq {
  x = f32[2] parameter(0)
  y = f32[2] parameter(1)
  m = f32[2] multiply(x, y)
  ROOT n = f32[2] negate(m)
}
ENTRY e {
  p = f32[2] parameter(0)
  q = f32[2] parameter(1)
  c = f32[2] call(p, q), to_apply=sq
  ROOT r = f32[2] add(c, p)
}`, ['call-inline', 'dce']);
    expect(lines(m.entry)).toEqual([
      'p = f32[2] parameter(0)',
      'q = f32[2] parameter(1)',
      'm.1 = f32[2] multiply(p, q)',
      'n.1 = f32[2] negate(m.1)',
      'ROOT r = f32[2] add(n.1, p)',
    ]);
    expect(m.computations.map((c) => c.name)).toEqual(['e']);
  });

  it('inlines calls inside called code, a root that is a parameter, and a call as the root', () => {
    const m = optimise(`HloModule m
id {
  x = f32[] parameter(0)
  ROOT x2 = f32[] negate(x)
}
outer {
  a = f32[] parameter(0)
  ROOT b = f32[] call(a), to_apply=id
}
pass {
  z = f32[] parameter(0)
  ROOT zz = f32[] parameter(1)
}
ENTRY e {
  p = f32[] parameter(0)
  c = f32[] call(p), to_apply=outer
  ROOT d = f32[] call(p, c), to_apply=pass
}`, ['call-inline', 'dce']);
    // Copies take fresh names (outer's own inlined copy took x2.1); the callees go at DCE.
    expect(lines(m.entry)).toEqual(['p = f32[] parameter(0)', 'ROOT x2.2 = f32[] negate(p)']);
  });

  it('inlines a chain of 5000 nested calls without running out of stack', () => {
    const N = 5000;
    const comps = [`c0 {\n  x = f32[] parameter(0)\n  ROOT y = f32[] negate(x)\n}`];
    for (let k = 1; k < N; k++) comps.push(`c${k} {\n  x = f32[] parameter(0)\n  ROOT y = f32[] call(x), to_apply=c${k - 1}\n}`);
    const text = `HloModule chain\n${comps.join('\n')}\nENTRY e {\n  p = f32[] parameter(0)\n  ROOT r = f32[] call(p), to_apply=c${N - 1}\n}`;
    const m = runPasses(hlo(text), ['call-inline', 'dce']);
    expect(m.computations.length).toBe(1);
    expect(m.entry.instructions.map((i) => i.opcode)).toEqual(['parameter', 'negate']);
    const two = arrayLiteral(array('f32', []), [2]);
    expect(bitDifference(interpret(m, [two]), arrayLiteral(array('f32', []), [-2]))).toBeUndefined();
  });
});

const COND = (sel: string) => `HloModule m
yes {
  a = f32[2] parameter(0)
  ROOT n = f32[2] negate(a)
}
no {
  b = f32[2] parameter(0)
  ROOT e = f32[2] exponential(b)
}
ENTRY e {
  p = f32[2] parameter(0)
  ${sel}
  ROOT c = f32[2] conditional(s, p, p), ${sel.includes('pred') ? 'true_computation=yes, false_computation=no' : 'branch_computations={yes, no}'}
}`;

describe('conditional-simplify', () => {
  it.each([
    ['s = pred[] constant(true)', 'negate'],
    ['s = pred[] constant(false)', 'exponential'],
    ['s = s32[] constant(0)', 'negate'],
    ['s = s32[] constant(1)', 'exponential'],
    ['s = s32[] constant(7)', 'exponential'],
    ['s = s32[] constant(-1)', 'exponential'],
  ])('%s runs the branch it selects, inlined (%s)', (sel, op) => {
    const before = hlo(COND(sel));
    const m = runPasses(before, ['conditional-simplify', 'dce']);
    expect(m.entry.instructions.map((i) => i.opcode)).toEqual(['parameter', op]);
    const x = arrayLiteral(array('f32', [2]), [0.5, -1]);
    expect(bitDifference(interpret(m, [x]), interpret(before, [x]))).toBeUndefined();
  });

  it('gives the branch copy fresh names, reading the branch operand', () => {
    const m = optimise(COND('s = s32[] constant(1)'), ['conditional-simplify', 'dce']);
    expect(lines(m.entry)).toEqual(['p = f32[2] parameter(0)', 'ROOT e.1 = f32[2] exponential(p)']);
  });

  it('leaves a conditional on a parameter alone', () => {
    const m = optimise(COND('s = pred[] parameter(1)'), ['conditional-simplify']);
    expect(m.entry.instructions.map((i) => i.opcode)).toContain('conditional');
  });
});

/** A counting loop: i from `start` while i `dir` `limit`, i += `step`, x doubled each time. */
const LOOP = (start: number, dir: string, limit: number, step = 1) => `HloModule m
cond {
  s = (s32[], f32[2]) parameter(0)
  i = s32[] get-tuple-element(s), index=0
  n = s32[] constant(${limit})
  ROOT lt = pred[] compare(i, n), direction=${dir}
}
body {
  s = (s32[], f32[2]) parameter(0)
  i = s32[] get-tuple-element(s), index=0
  x = f32[2] get-tuple-element(s), index=1
  one = s32[] constant(${step})
  i1 = s32[] add(i, one)
  x2 = f32[2] add(x, x)
  ROOT t = (s32[], f32[2]) tuple(i1, x2)
}
ENTRY e {
  p = f32[2] parameter(0)
  z = s32[] constant(${start})
  init = (s32[], f32[2]) tuple(z, p)
  ROOT w = (s32[], f32[2]) while(init), condition=cond, body=body
}`;

describe('while-simplify', () => {
  const x = arrayLiteral(array('f32', [2]), [1.5, -3]);
  /** Simplifies `text`, expects the entry's opcodes (when given) and the same results as before. */
  const check = (text: string, opcodes?: string[]) => {
    const before = hlo(text);
    const m = runPasses(before, ['while-simplify', 'dce']);
    verifyModule(m);
    if (opcodes) expect(m.entry.instructions.map((i) => i.opcode)).toEqual(opcodes);
    expect(bitDifference(interpret(m, [x]), interpret(before, [x]))).toBeUndefined();
    return m;
  };

  it('removes a loop that runs 0 times: the result is the init value', () => {
    const m = check(LOOP(5, 'LT', 5), ['parameter', 'constant', 'tuple']);
    expect(lines(m.entry)).toEqual(['p = f32[2] parameter(0)', 'z = s32[] constant(5)', 'ROOT init = (s32[], f32[2]) tuple(z, p)']);
  });

  it('inlines the body of a loop that runs once', () => {
    const m = check(LOOP(4, 'LT', 5), ['parameter', 'constant', 'tuple', 'get-tuple-element', 'get-tuple-element', 'constant', 'add', 'add', 'tuple']);
    expect(lines(m.entry)).toEqual([
      'p = f32[2] parameter(0)',
      'z = s32[] constant(4)',
      'init = (s32[], f32[2]) tuple(z, p)',
      'i.2 = s32[] get-tuple-element(init), index=0',
      'x.1 = f32[2] get-tuple-element(init), index=1',
      'one.1 = s32[] constant(1)',
      'i1.1 = s32[] add(i.2, one.1)',
      'x2.1 = f32[2] add(x.1, x.1)',
      'ROOT t.1 = (s32[], f32[2]) tuple(i1.1, x2.1)',
    ]);
  });

  it('counts with the constant on the left, other directions and steps, and wrap-around', () => {
    check(LOOP(10, 'LT', 5, -7).replace('compare(i, n), direction=LT', 'compare(n, i), direction=LT'), ['parameter', 'constant', 'tuple', 'get-tuple-element', 'get-tuple-element', 'constant', 'add', 'add', 'tuple']);
    // 2147483647 + 1 wraps to INT_MIN, which is not GE 0: once.
    check(LOOP(2147483647, 'GE', 0), ['parameter', 'constant', 'tuple', 'get-tuple-element', 'get-tuple-element', 'constant', 'add', 'add', 'tuple']);
  });

  it('unrolls a loop that runs a few times into that many copies of its body', () => {
    const twice = check(LOOP(3, 'LT', 5), ['parameter', 'constant', 'tuple',
      'get-tuple-element', 'get-tuple-element', 'constant', 'add', 'add', 'tuple',
      'get-tuple-element', 'get-tuple-element', 'constant', 'add', 'add', 'tuple']);
    expect(lines(twice.entry).at(-1)).toMatch(/^ROOT t\.\d+ = \(s32\[\], f32\[2\]\) tuple\(/);
    const eight = check(LOOP(0, 'LT', MAX_UNROLL_TRIPS)).entry.instructions;
    expect(eight.filter((i) => i.opcode === 'tuple')).toHaveLength(MAX_UNROLL_TRIPS + 1); // init and one per trip
    expect(eight.some((i) => i.opcode === 'while')).toBe(false);
  });

  it('keeps a loop that runs more than MAX_UNROLL_TRIPS times, or whose copies would be too large', () => {
    check(LOOP(0, 'LT', MAX_UNROLL_TRIPS + 1), ['parameter', 'constant', 'tuple', 'while']);
    check(LOOP(0, 'LT', 10), ['parameter', 'constant', 'tuple', 'while']);
    // Two trips of a body of more than MAX_UNROLL_INSTRUCTIONS / 2 instructions.
    const doublings = Array.from({ length: MAX_UNROLL_INSTRUCTIONS / 2 }, (_, j) => `  x${j + 3} = f32[2] add(x${j + 2}, x${j + 2})`).join('\n');
    const big = LOOP(3, 'LT', 5).replace('  ROOT t = (s32[], f32[2]) tuple(i1, x2)', `${doublings}\n  ROOT t = (s32[], f32[2]) tuple(i1, x${MAX_UNROLL_INSTRUCTIONS / 2 + 2})`);
    check(big, ['parameter', 'constant', 'tuple', 'while']);
    const m = optimise(LOOP(0, 'LT', 10).replace('z = s32[] constant(0)', 'z = s32[] parameter(1)'), ['while-simplify']);
    expect(m.entry.instructions.map((i) => i.opcode)).toContain('while');
  });

  it('removes a loop whose condition is constant false', () => {
    const text = LOOP(0, 'LT', 10).replace('ROOT lt = pred[] compare(i, n), direction=LT', 'ROOT lt = pred[] constant(false)');
    check(text, ['parameter', 'constant', 'tuple']);
  });
});

describe('buffer assignment of a called computation (paramsOutside)', () => {
  it('gives its parameters no slice and places the rest from offset 0', () => {
    const m = hlo(`HloModule m
ENTRY body {
  s = (f32[16], f32[16]) parameter(0)
  a = f32[16] get-tuple-element(s), index=0
  b = f32[16] get-tuple-element(s), index=1
  c = f32[16] add(a, b)
  d = f32[16] multiply(c, a)
  ROOT t = (f32[16], f32[16]) tuple(d, b)
}`);
    const inside = assignBuffers(m, { paramsOutside: true });
    const entry = assignBuffers(m);
    const params = inside.buffers.filter((x) => x.kind === 'parameter');
    expect(params.length).toBe(2);
    expect(params.every((x) => x.slice === undefined)).toBe(true);
    // c and d: the root's d is live to the end, c dies at d (written in place over it).
    expect(inside.arenaBytes).toBe(64);
    expect(entry.arenaBytes).toBe(192);
  });
});
