import { describe, expect, it } from 'vitest';
import { lines, opcodes, optimise } from './helpers.js';

const foldDce = ['constant-fold', 'dce'];

describe('constant-fold', () => {
  it('folds chains of instructions on constants, keeping the name', () => {
    const m = optimise(`HloModule m
ENTRY e {
  a = f32[2] constant({1, 2})
  b = f32[2] constant({3, 4})
  s = f32[2] add(a, b)
  ROOT n = f32[2] negate(s)
}`, foldDce);
    expect(lines(m.entry)).toEqual(['ROOT n = f32[2] constant({-4, -6})']);
  });

  it('rounds like the interpreter (f32) and folds reductions with their computation', () => {
    const m = optimise(`HloModule m
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
ENTRY e {
  a = f32[3] constant({0.1, 0.2, 0.3})
  z = f32[] constant(0)
  ROOT r = f32[] reduce(a, z), dimensions={0}, to_apply=add
}`, foldDce);
    expect(opcodes(m)).toEqual(['constant']);
    const l = m.entry.root.opcode === 'constant' ? m.entry.root.attrs.literal : undefined;
    expect((l as { data: Float64Array }).data[0]).toBe(Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2)) + Math.fround(0.3)));
    expect(m.computations.map((c) => c.name)).toEqual(['e']);
  });

  it('leaves parameters, broadcasts, iota, rng and big results alone', () => {
    const m = optimise(`HloModule m
ENTRY e {
  p = f32[2] parameter(0)
  c = f32[] constant(1)
  b = f32[2] broadcast(c), dimensions={}
  i = s32[4] iota(), iota_dimension=0
  r = f32[2] rng(c, c), distribution=rng_uniform
  big = f32[65537] broadcast(c), dimensions={}
  nbig = f32[65537] negate(big)
  ROOT t = (f32[2], f32[2], s32[4], f32[2], f32[65537]) tuple(p, b, i, r, nbig)
}`, foldDce);
    expect(opcodes(m)).toEqual(['parameter', 'constant', 'broadcast', 'iota', 'rng', 'broadcast', 'negate', 'tuple']);
  });

  it('folds through a tuple constant and leaves what the interpreter rejects', () => {
    const m = optimise(`HloModule m
ENTRY e {
  t = (f32[], s32[]) constant((2, 3))
  g = s32[] get-tuple-element(t), index=1
  one = s32[] constant(1)
  ROOT s = s32[] add(g, one)
}`, foldDce);
    expect(lines(m.entry)).toEqual(['ROOT s = s32[] constant(4)']);
  });
});
