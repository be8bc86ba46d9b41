import { describe, expect, it } from 'vitest';
import type { Instruction, Module } from '../../ir/module.js';
import { body, fuse as fuseChecked, fusions, kinds, lines, opcodes, optimise, REDUCERS } from './helpers.js';

/** The opcodes inside a fusion, parameters left out. */
const inside = (f: Instruction): string[] => body(f).instructions.filter((i) => i.opcode !== 'parameter').map((i) => i.opcode);

const fuse = (text: string): Module => fuseChecked(text, 1);

describe('fusion', () => {
  it('fuses an elementwise chain with its broadcasts into one kLoop fusion', () => {
    const m = fuse(`HloModule m
ENTRY e {
  p = f32[4,3] parameter(0)
  q = f32[3] parameter(1)
  qb = f32[4,3] broadcast(q), dimensions={1}
  a = f32[4,3] add(p, qb)
  n = f32[4,3] negate(a)
  two = f32[] constant(2)
  twos = f32[4,3] broadcast(two), dimensions={}
  ROOT r = f32[4,3] multiply(n, twos)
}`);
    expect(opcodes(m)).toEqual(['parameter', 'parameter', 'fusion']);
    expect(kinds(m)).toEqual(['kLoop']);
    const f = fusions(m)[0];
    expect(m.entry.root).toBe(f);
    expect(body(f).name).toBe('fused_computation');
    expect(lines(body(f))).toEqual([
      'param_0 = f32[4,3] parameter(0)',
      'param_1 = f32[3] parameter(1)',
      'qb = f32[4,3] broadcast(param_1), dimensions={1}',
      'a = f32[4,3] add(param_0, qb)',
      'n = f32[4,3] negate(a)',
      'two = f32[] constant(2)',
      'twos = f32[4,3] broadcast(two), dimensions={}',
      'ROOT r = f32[4,3] multiply(n, twos)',
    ]);
    expect(f.operands.map((o) => o.name)).toEqual(['p', 'q']);
  });

  it('fuses dot + bias + relu into one kOutput fusion (the dense layer)', () => {
    const m = fuse(`HloModule m
ENTRY e {
  x = f32[2,8] parameter(0)
  w = f32[8,16] parameter(1)
  b = f32[16] parameter(2)
  h = f32[2,16] dot(x, w), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  hb = f32[2,16] broadcast(b), dimensions={1}
  h1 = f32[2,16] add(h, hb)
  zero = f32[] constant(0)
  zeros = f32[2,16] broadcast(zero), dimensions={}
  ROOT relu = f32[2,16] maximum(h1, zeros)
}`);
    expect(kinds(m)).toEqual(['kOutput']);
    expect(opcodes(m)).toEqual(['parameter', 'parameter', 'parameter', 'fusion']);
    expect(inside(fusions(m)[0]).sort()).toEqual(['add', 'broadcast', 'broadcast', 'constant', 'dot', 'maximum']);
    expect(body(fusions(m)[0]).root.opcode).toBe('maximum');
  });

  it('fuses a tanh activation onto a convolution (kOutput), but not the conv operands', () => {
    const m = fuse(`HloModule m
ENTRY e {
  x = f32[1,5,2] parameter(0)
  k = f32[3,2,4] parameter(1)
  xn = f32[1,5,2] negate(x)
  c = f32[1,3,4] convolution(xn, k), window={size=3}, dim_labels=b0f_0io->b0f
  ROOT t = f32[1,3,4] tanh(c)
}`);
    expect(opcodes(m)).toEqual(['parameter', 'parameter', 'negate', 'fusion']);
    expect(kinds(m)).toEqual(['kOutput']);
    expect(inside(fusions(m)[0])).toEqual(['convolution', 'tanh']);
  });

  it('does not put a dot under a broadcast (that would recompute it)', () => {
    const m = fuse(`HloModule m
ENTRY e {
  x = f32[2,3] parameter(0)
  y = f32[3] parameter(1)
  d = f32[2] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}
  db = f32[4,2] broadcast(d), dimensions={1}
  ROOT n = f32[4,2] negate(db)
}`);
    expect(opcodes(m)).toEqual(['parameter', 'parameter', 'dot', 'fusion']);
    expect(inside(fusions(m)[0])).toEqual(['broadcast', 'negate']);
  });

  it('fuses the elementwise producers of a reduce into it (kInput)', () => {
    const m = fuse(`HloModule m
${REDUCERS}
ENTRY e {
  p = f32[4,6] parameter(0)
  q = f32[4,6] parameter(1)
  d = f32[4,6] subtract(p, q)
  sq = f32[4,6] multiply(d, d)
  zero = f32[] constant(0)
  ROOT s = f32[4] reduce(sq, zero), dimensions={1}, to_apply=add
}`);
    expect(kinds(m)).toEqual(['kInput']);
    expect(opcodes(m)).toEqual(['parameter', 'parameter', 'fusion']);
    expect(inside(fusions(m)[0])).toEqual(['subtract', 'multiply', 'constant', 'reduce']);
    // The reducer is defined before the fused computation that calls it.
    const names = m.computations.map((c) => c.name);
    expect(names.indexOf('add')).toBeLessThan(names.indexOf('fused_computation'));
  });

  it('turns softmax into a few fusions, each reduce with its producers', () => {
    const m = fuse(`HloModule m
${REDUCERS}
ENTRY e {
  x = f32[2,4] parameter(0)
  ninf = f32[] constant(-inf)
  mx = f32[2] reduce(x, ninf), dimensions={1}, to_apply=max
  mb = f32[2,4] broadcast(mx), dimensions={0}
  sh = f32[2,4] subtract(x, mb)
  ex = f32[2,4] exponential(sh)
  zero = f32[] constant(0)
  s = f32[2] reduce(ex, zero), dimensions={1}, to_apply=add
  sb = f32[2,4] broadcast(s), dimensions={0}
  ROOT probs = f32[2,4] divide(ex, sb)
}`);
    expect(opcodes(m).filter((o) => o !== 'parameter')).toEqual(['fusion', 'fusion', 'fusion', 'fusion']);
    expect(kinds(m)).toEqual(['kInput', 'kLoop', 'kInput', 'kLoop']);
    const [, e, , p] = fusions(m);
    expect(inside(e)).toEqual(['broadcast', 'subtract', 'exponential']);
    expect(inside(p)).toEqual(['broadcast', 'divide']);
    expect(m.entry.root).toBe(p);
  });

  it('duplicates a cheap producer (broadcast of a scalar) into each consumer, not an expensive one', () => {
    const m = fuse(`HloModule m
ENTRY e {
  p = f32[8] parameter(0)
  q = f32[8] parameter(1)
  c = f32[] constant(3)
  cb = f32[8] broadcast(c), dimensions={}
  ex = f32[8] exponential(q)
  a = f32[8] add(p, cb)
  a2 = f32[8] tanh(a)
  b = f32[8] multiply(q, cb)
  b2 = f32[8] add(b, ex)
  b3 = f32[8] subtract(b2, p)
  u = f32[8] add(ex, p)
  u2 = f32[8] negate(u)
  ROOT t = (f32[8], f32[8], f32[8]) tuple(a2, b3, u2)
}`);
    expect(kinds(m)).toEqual(['kLoop', 'kLoop', 'kLoop']);
    const [fa, fb, fu] = fusions(m).map(inside);
    expect(fa).toEqual(['constant', 'broadcast', 'add', 'tanh']);
    expect(fb).toEqual(['constant', 'broadcast', 'multiply', 'add', 'subtract']);
    expect(fu).toEqual(['add', 'negate']);
    // exp has two users in different fusions: it stays one value, computed once.
    expect(m.entry.instructions.filter((i) => i.opcode === 'exponential')).toHaveLength(1);
    expect(m.entry.instructions.some((i) => i.opcode === 'broadcast' || i.opcode === 'constant')).toBe(false);
  });

  it('does not recompute an expensive producer below an expanding broadcast', () => {
    const m = fuse(`HloModule m
ENTRY e {
  p = f32[4] parameter(0)
  q = f32[16,4] parameter(1)
  l = f32[4] log(p)
  lb = f32[16,4] broadcast(l), dimensions={1}
  ROOT r = f32[16,4] add(lb, q)
}`);
    expect(opcodes(m)).toEqual(['parameter', 'parameter', 'log', 'fusion']);
    expect(inside(fusions(m)[0])).toEqual(['broadcast', 'add']);
  });

  it('never fuses parameters, rng, custom-calls or while loops', () => {
    const m = fuse(`HloModule m
cond {
  s = f32[4] parameter(0)
  ROOT f = pred[] constant(false)
}
body {
  s = f32[4] parameter(0)
  ROOT n = f32[4] negate(s)
}
ENTRY e {
  p = f32[4] parameter(0)
  lo = f32[] constant(0)
  hi = f32[] constant(1)
  r = f32[4] rng(lo, hi), distribution=rng_uniform
  w = f32[4] while(p), condition=cond, body=body
  a = f32[4] add(p, w)
  ROOT n = f32[4] negate(a)
}`);
    expect(opcodes(m)).toEqual(['parameter', 'constant', 'constant', 'rng', 'while', 'fusion']);
    expect(inside(fusions(m)[0])).toEqual(['add', 'negate']);
    expect(fusions(m)[0].operands.map((o) => o.opcode)).toEqual(['parameter', 'while']);
  });

  it('recomputes a cheap elementwise value in each consumer that reads it', () => {
    const m = fuse(`HloModule m
ENTRY e {
  p = f32[4] parameter(0)
  a = f32[4] multiply(p, p)
  b = f32[4] negate(a)
  c = f32[4] sqrt(a)
  d = f32[4] abs(c)
  ROOT t = (f32[4], f32[4]) tuple(b, d)
}`);
    // LayerNorm's x − mean pattern: no buffer for `a`, each fusion squares p itself.
    expect(m.entry.instructions.filter((i) => i.opcode === 'multiply')).toHaveLength(0);
    expect(kinds(m)).toEqual(['kLoop', 'kLoop']);
    expect(fusions(m).map(inside)).toEqual([['multiply', 'negate'], ['multiply', 'sqrt', 'abs']]);
  });

  it('a value used outside the group stays a separate value when it is expensive or reads computed values', () => {
    const m = fuse(`HloModule m
ENTRY e {
  p = f32[4] parameter(0)
  a = f32[4] exponential(p)
  b = f32[4] negate(a)
  c = f32[4] sqrt(a)
  d = f32[4] abs(c)
  q = f32[4] add(p, p)
  r = f32[4] multiply(q, q)
  s = f32[4] negate(r)
  u = f32[4] abs(r)
  ROOT t = (f32[4], f32[4], f32[4], f32[4]) tuple(b, d, s, u)
}`);
    expect(m.entry.instructions.filter((i) => i.opcode === 'exponential')).toHaveLength(1);
    // r reads q, which is computed: recomputing r would copy q too and cascade.
    expect(m.entry.instructions.filter((i) => i.opcode === 'fusion' && inside(i).includes('multiply'))).toHaveLength(1);
  });

  it('does not fuse instructions with control dependencies', () => {
    const m = fuse(`HloModule m
ENTRY e {
  p = f32[4] parameter(0)
  a = f32[4] add(p, p)
  b = f32[4] negate(a)
  c = f32[4] exponential(b), control-predecessors={a}
  ROOT d = f32[4] abs(c)
}`);
    expect(opcodes(m)).toEqual(['parameter', 'add', 'negate', 'exponential', 'abs']);
  });

  it('leaves single instructions alone and keeps the entry signature', () => {
    const text = `HloModule m
ENTRY e {
  p = f32[4] parameter(0)
  ROOT n = f32[4] negate(p)
}`;
    const m = fuse(text);
    expect(fusions(m)).toHaveLength(0);
  });

  it('runs last in the default pipeline', () => {
    const m = optimise(`HloModule m
ENTRY e {
  p = f32[4] parameter(0)
  z = f32[] constant(0)
  zb = f32[4] broadcast(z), dimensions={}
  a = f32[4] add(p, zb)
  e1 = f32[4] exponential(a)
  ROOT n = f32[4] negate(e1)
}`, ['simplify', 'constant-fold', 'cse', 'dce', 'fusion']);
    expect(kinds(m)).toEqual(['kLoop']);
    expect(inside(fusions(m)[0])).toEqual(['exponential', 'negate']);
  });
});
