import { describe, expect, it } from 'vitest';
import { lines, opcodes, optimise } from './helpers.js';

const cseDce = ['cse', 'dce'];

describe('cse', () => {
  it('merges identical instructions, transitively', () => {
    const m = optimise(`HloModule m
ENTRY e {
  p = f32[2] parameter(0)
  a = f32[2] exponential(p)
  b = f32[2] exponential(p)
  c = f32[2] negate(a)
  d = f32[2] negate(b)
  ROOT r = f32[2] add(c, d)
}`, cseDce);
    expect(lines(m.entry)).toEqual([
      'p = f32[2] parameter(0)',
      'a = f32[2] exponential(p)',
      'c = f32[2] negate(a)',
      'ROOT r = f32[2] add(c, c)',
    ]);
  });

  it('compares attributes and called computations', () => {
    const m = optimise(`HloModule m
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
add2 {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY e {
  p = f32[2,3] parameter(0)
  z = f32[] constant(0)
  r0 = f32[2] reduce(p, z), dimensions={1}, to_apply=add
  r1 = f32[2] reduce(p, z), dimensions={1}, to_apply=add
  r2 = f32[2] reduce(p, z), dimensions={1}, to_apply=add2
  r3 = f32[3] reduce(p, z), dimensions={0}, to_apply=add
  ROOT t = (f32[2], f32[2], f32[2], f32[3]) tuple(r0, r1, r2, r3)
}`, cseDce);
    expect(lines(m.entry).at(-1)).toBe('ROOT t = (f32[2], f32[2], f32[2], f32[3]) tuple(r0, r0, r2, r3)');
  });

  it('merges constants only when bit-identical (NaN with NaN, never 0 with -0 or f32 with s32)', () => {
    const m = optimise(`HloModule m
ENTRY e {
  a = f32[2] constant({1, nan})
  b = f32[2] constant({1, nan})
  c = f32[] constant(0)
  d = f32[] constant(-0)
  e = s32[] constant(0)
  f = s32[] constant(0)
  ROOT t = (f32[2], f32[2], f32[], f32[], s32[], s32[]) tuple(a, b, c, d, e, f)
}`, cseDce);
    expect(m.entry.root.operands.map((o) => o.name)).toEqual(['a', 'a', 'c', 'd', 'e', 'e']);
  });

  it('never merges parameters, rng or custom-calls', () => {
    const m = optimise(`HloModule m
ENTRY e {
  p = f32[] parameter(0)
  q = f32[] parameter(1)
  lo = f32[] constant(0)
  hi = f32[] constant(1)
  r0 = f32[2] rng(lo, hi), distribution=rng_uniform
  r1 = f32[2] rng(lo, hi), distribution=rng_uniform
  c0 = f32[2] custom-call(r0), custom_call_target="foo"
  c1 = f32[2] custom-call(r0), custom_call_target="foo"
  ROOT t = (f32[], f32[], f32[2], f32[2], f32[2], f32[2]) tuple(p, q, r0, r1, c0, c1)
}`, cseDce);
    expect(opcodes(m).filter((o) => o === 'rng' || o === 'custom-call' || o === 'parameter')).toHaveLength(6);
  });
});
