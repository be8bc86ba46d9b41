// Row fusion (kRow) and multi-output row groups (passes/fusion/row.ts): printed HLO after
// the fusion pass, and the same bits as the unfused module on the interpreter.
import { describe, expect, it } from 'vitest';
import type { Module } from '../../ir/module.js';
import { body, fuse as fuseChecked, fusions, kinds, lines, REDUCERS } from './helpers.js';

const fuse = (text: string): Module => fuseChecked(text, 3);

const softmax = (rows: number, n: number) => `HloModule softmax
${REDUCERS}
ENTRY e {
  x = f32[${rows},${n}] parameter(0)
  ninf = f32[] constant(-inf)
  mx = f32[${rows}] reduce(x, ninf), dimensions={1}, to_apply=max
  mb = f32[${rows},${n}] broadcast(mx), dimensions={0}
  sh = f32[${rows},${n}] subtract(x, mb)
  ex = f32[${rows},${n}] exponential(sh)
  zero = f32[] constant(0)
  s = f32[${rows}] reduce(ex, zero), dimensions={1}, to_apply=add
  sb = f32[${rows},${n}] broadcast(s), dimensions={0}
  ROOT probs = f32[${rows},${n}] divide(ex, sb)
}`;

const LAYERNORM = `HloModule layernorm
${REDUCERS}
ENTRY e {
  x = f32[2,3,32] parameter(0)
  g = f32[32] parameter(1)
  zero = f32[] constant(0)
  s = f32[2,3] reduce(x, zero), dimensions={2}, to_apply=add
  n = f32[] constant(32)
  nb = f32[2,3] broadcast(n), dimensions={}
  mean = f32[2,3] divide(s, nb)
  mb = f32[2,3,32] broadcast(mean), dimensions={0,1}
  d = f32[2,3,32] subtract(x, mb)
  d2 = f32[2,3,32] multiply(d, d)
  v = f32[2,3] reduce(d2, zero), dimensions={2}, to_apply=add
  var = f32[2,3] divide(v, nb)
  r = f32[2,3] rsqrt(var)
  rb = f32[2,3,32] broadcast(r), dimensions={0,1}
  gb = f32[2,3,32] broadcast(g), dimensions={2}
  nd = f32[2,3,32] multiply(d, rb)
  ROOT o = f32[2,3,32] multiply(nd, gb)
}`;

describe('row fusion (kRow)', () => {
  it('fuses softmax into one kRow fusion: the max, exp, the sum and the divide', () => {
    const m = fuse(softmax(4, 32));
    expect(kinds(m)).toEqual(['kRow']);
    expect(lines(body(fusions(m)[0]))).toMatchInlineSnapshot(`
      [
        "param_0 = f32[4,32] parameter(0)",
        "ninf = f32[] constant(-inf)",
        "mx = f32[4] reduce(param_0, ninf), dimensions={1}, to_apply=max",
        "mb = f32[4,32] broadcast(mx), dimensions={0}",
        "sh = f32[4,32] subtract(param_0, mb)",
        "ex = f32[4,32] exponential(sh)",
        "zero = f32[] constant(0)",
        "s = f32[4] reduce(ex, zero), dimensions={1}, to_apply=add",
        "sb = f32[4,32] broadcast(s), dimensions={0}",
        "ROOT probs = f32[4,32] divide(ex, sb)",
      ]
    `);
  });

  it('takes a scalar broadcast written without dimensions (old dumps, XLA reads {}): a vector normalised by its sum', () => {
    // The row of a vector is the whole vector: its sum is a scalar, broadcast back as `broadcast(s)`.
    const m = fuse(`HloModule normalise
${REDUCERS}
ENTRY e {
  x = f32[32] parameter(0)
  zero = f32[] constant(0)
  s = f32[] reduce(x, zero), dimensions={0}, to_apply=add
  b = f32[32] broadcast(s)
  ROOT o = f32[32] divide(x, b)
}`);
    expect(kinds(m)).toEqual(['kRow']);
  });

  it('fuses LayerNorm into one kRow fusion: mean, variance, normalise and scale', () => {
    const m = fuse(LAYERNORM);
    expect(kinds(m)).toEqual(['kRow']);
    expect(lines(body(fusions(m)[0]))).toMatchInlineSnapshot(`
      [
        "param_0 = f32[2,3,32] parameter(0)",
        "param_1 = f32[32] parameter(1)",
        "zero = f32[] constant(0)",
        "s = f32[2,3] reduce(param_0, zero), dimensions={2}, to_apply=add",
        "n = f32[] constant(32)",
        "nb = f32[2,3] broadcast(n), dimensions={}",
        "mean = f32[2,3] divide(s, nb)",
        "mb = f32[2,3,32] broadcast(mean), dimensions={0,1}",
        "d = f32[2,3,32] subtract(param_0, mb)",
        "d2 = f32[2,3,32] multiply(d, d)",
        "v = f32[2,3] reduce(d2, zero), dimensions={2}, to_apply=add",
        "var = f32[2,3] divide(v, nb)",
        "r = f32[2,3] rsqrt(var)",
        "rb = f32[2,3,32] broadcast(r), dimensions={0,1}",
        "gb = f32[2,3,32] broadcast(param_1), dimensions={2}",
        "nd = f32[2,3,32] multiply(d, rb)",
        "ROOT o = f32[2,3,32] multiply(nd, gb)",
      ]
    `);
  });

  it('puts sibling row reductions of one input (Σx and Σx²) in the same row group', () => {
    const m = fuse(`HloModule siblings
${REDUCERS}
ENTRY e {
  x = f32[8,64] parameter(0)
  zero = f32[] constant(0)
  s = f32[8] reduce(x, zero), dimensions={1}, to_apply=add
  x2 = f32[8,64] multiply(x, x)
  q = f32[8] reduce(x2, zero), dimensions={1}, to_apply=add
  sb = f32[8,64] broadcast(s), dimensions={0}
  qb = f32[8,64] broadcast(q), dimensions={0}
  a = f32[8,64] multiply(x, sb)
  ROOT o = f32[8,64] subtract(a, qb)
}`);
    expect(kinds(m)).toEqual(['kRow']);
    expect(lines(body(fusions(m)[0]))).toMatchInlineSnapshot(`
      [
        "param_0 = f32[8,64] parameter(0)",
        "zero = f32[] constant(0)",
        "s = f32[8] reduce(param_0, zero), dimensions={1}, to_apply=add",
        "x2 = f32[8,64] multiply(param_0, param_0)",
        "q = f32[8] reduce(x2, zero), dimensions={1}, to_apply=add",
        "sb = f32[8,64] broadcast(s), dimensions={0}",
        "qb = f32[8,64] broadcast(q), dimensions={0}",
        "a = f32[8,64] multiply(param_0, sb)",
        "ROOT o = f32[8,64] subtract(a, qb)",
      ]
    `);
  });

  it('makes a value also read outside the row group an extra output (a tuple root), not a second kernel', () => {
    const m = fuse(`HloModule residual
${REDUCERS}
ENTRY e {
  x = f32[4,32] parameter(0)
  h = f32[4,32] exponential(x)
  ninf = f32[] constant(-inf)
  mx = f32[4] reduce(h, ninf), dimensions={1}, to_apply=max
  mb = f32[4,32] broadcast(mx), dimensions={0}
  o = f32[4,32] subtract(h, mb)
  t = f32[4,32] tanh(h)
  ROOT r = (f32[4,32], f32[4,32], f32[4]) tuple(o, t, mx)
}`);
    expect(kinds(m)).toEqual(['kRow']);
    expect(lines(m.entry)).toMatchInlineSnapshot(`
      [
        "x = f32[4,32] parameter(0)",
        "fusion = (f32[4,32], f32[4], f32[4,32]) fusion(x), kind=kRow, calls=fused_computation",
        "get-tuple-element = f32[4,32] get-tuple-element(fusion), index=0",
        "get-tuple-element.1 = f32[4] get-tuple-element(fusion), index=1",
        "get-tuple-element.2 = f32[4,32] get-tuple-element(fusion), index=2",
        "t = f32[4,32] tanh(get-tuple-element.2)",
        "ROOT r = (f32[4,32], f32[4,32], f32[4]) tuple(get-tuple-element, t, get-tuple-element.1)",
      ]
    `);
    expect(lines(body(fusions(m)[0]))).toMatchInlineSnapshot(`
      [
        "param_0 = f32[4,32] parameter(0)",
        "h = f32[4,32] exponential(param_0)",
        "ninf = f32[] constant(-inf)",
        "mx = f32[4] reduce(h, ninf), dimensions={1}, to_apply=max",
        "mb = f32[4,32] broadcast(mx), dimensions={0}",
        "o = f32[4,32] subtract(h, mb)",
        "ROOT tuple = (f32[4,32], f32[4], f32[4,32]) tuple(o, mx, h)",
      ]
    `);
  });

  it('leaves short rows, column reductions and transposed reads to the other kinds', () => {
    expect(kinds(fuse(softmax(4, 8)))).toEqual(['kInput', 'kLoop', 'kInput', 'kLoop']);
    const column = fuse(`HloModule column
${REDUCERS}
ENTRY e {
  x = f32[32,32] parameter(0)
  zero = f32[] constant(0)
  s = f32[32] reduce(x, zero), dimensions={0}, to_apply=add
  sb = f32[32,32] broadcast(s), dimensions={0}
  ROOT o = f32[32,32] divide(x, sb)
}`);
    expect(kinds(column)).not.toContain('kRow');
    // A reduction broadcast back along the other dim is not a value of the row.
    const across = fuse(`HloModule across
${REDUCERS}
ENTRY e {
  x = f32[32,32] parameter(0)
  zero = f32[] constant(0)
  s = f32[32] reduce(x, zero), dimensions={1}, to_apply=add
  sb = f32[32,32] broadcast(s), dimensions={1}
  ROOT o = f32[32,32] divide(x, sb)
}`);
    expect(kinds(across)).not.toContain('kRow');
  });
});

describe('sibling multi-output fusion', () => {
  it('merges reduce fusions with the same output dims that read one input into one fusion with a tuple root', () => {
    const m = fuse(`HloModule siblings
${REDUCERS}
ENTRY e {
  x = f32[64,24] parameter(0)
  zero = f32[] constant(0)
  s = f32[24] reduce(x, zero), dimensions={0}, to_apply=add
  x2 = f32[64,24] multiply(x, x)
  q = f32[24] reduce(x2, zero), dimensions={0}, to_apply=add
  ninf = f32[] constant(-inf)
  r = f32[64] reduce(x, ninf), dimensions={1}, to_apply=max
  ROOT t = (f32[24], f32[24], f32[64]) tuple(s, q, r)
}`);
    expect(kinds(m)).toEqual(['kInput', 'kInput']);
    expect(lines(m.entry)).toMatchInlineSnapshot(`
      [
        "x = f32[64,24] parameter(0)",
        "fusion = (f32[24], f32[24]) fusion(x), kind=kInput, calls=fused_computation",
        "get-tuple-element = f32[24] get-tuple-element(fusion), index=0",
        "get-tuple-element.1 = f32[24] get-tuple-element(fusion), index=1",
        "fusion.1 = f32[64] fusion(x), kind=kInput, calls=fused_computation.1",
        "ROOT t = (f32[24], f32[24], f32[64]) tuple(get-tuple-element.1, get-tuple-element, fusion.1)",
      ]
    `);
    expect(lines(body(fusions(m)[0]))).toMatchInlineSnapshot(`
      [
        "param_0 = f32[64,24] parameter(0)",
        "zero = f32[] constant(0)",
        "s = f32[24] reduce(param_0, zero), dimensions={0}, to_apply=add",
        "x2 = f32[64,24] multiply(param_0, param_0)",
        "q = f32[24] reduce(x2, zero), dimensions={0}, to_apply=add",
        "ROOT tuple = (f32[24], f32[24]) tuple(q, s)",
      ]
    `);
  });
});
