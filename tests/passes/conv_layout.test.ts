import { describe, expect, it } from 'vitest';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral } from '../../ir/literal.js';
import type { ArrayShape } from '../../ir/shape.js';
import { bitDifference, hlo, lines, opcodes, optimise } from './helpers.js';

const layout = ['conv-layout', 'dce'];

/** Inputs for every parameter, deterministic. */
const inputsOf = (text: string) =>
  hlo(text).entry.params.map((p) => {
    const s = p.shape as ArrayShape;
    const n = s.dims.reduce((a, b) => a * b, 1);
    return arrayLiteral(s, Array.from({ length: n }, (_, i) => ((i * 7919) % 101) / 50 - 1));
  });

/** The pass changes nothing an interpreter can see, bit for bit. */
function sameResult(text: string): void {
  const args = inputsOf(text);
  expect(bitDifference(interpret(optimise(text, layout), args), interpret(hlo(text), args))).toBeUndefined();
}

describe('conv-layout', () => {
  it('permutes a constant OIHW kernel to HWIO and relabels the convolution', () => {
    const text = `HloModule m
ENTRY e {
  x = f32[1,2,4,4] parameter(0)
  w = f32[4,2,1,2] constant({ { { {1, 2} }, { {3, 4} } }, { { {5, 6} }, { {7, 8} } }, { { {9, 10} }, { {11, 12} } }, { { {13, 14} }, { {15, 16} } } })
  ROOT y = f32[1,4,4,3] convolution(x, w), window={size=1x2}, dim_labels=bf01_oi01->bf01
}`;
    const m = optimise(text, layout);
    expect(lines(m.entry)).toEqual([
      'x = f32[1,2,4,4] parameter(0)',
      'w.hwio = f32[1,2,2,4] constant({ { /*i0=0*/ { /*i1=0*/ { 1, 5, 9, 13 }, { 3, 7, 11, 15 } }, { /*i1=1*/ { 2, 6, 10, 14 }, { 4, 8, 12, 16 } } } })',
      'ROOT y = f32[1,4,4,3] convolution(x, w.hwio), window={size=1x2}, dim_labels=bf01_01io->bf01',
    ]);
    sameResult(text);
  });

  it('transposes a kernel that is not a constant, once for two convolutions', () => {
    const text = `HloModule m
ENTRY e {
  x = f32[2,3,6,6] parameter(0)
  w = f32[5,3,3,3] parameter(1)
  a = f32[2,5,4,4] convolution(x, w), window={size=3x3}, dim_labels=bf01_oi01->bf01
  b = f32[2,5,6,6] convolution(x, w), window={size=3x3 pad=1_1x1_1}, dim_labels=bf01_oi01->bf01
  ra = f32[2,5,4,4] negate(a)
  rb = f32[2,5,6,6] negate(b)
  ROOT t = (f32[2,5,4,4], f32[2,5,6,6]) tuple(ra, rb)
}`;
    expect(opcodes(optimise(text, layout))).toEqual(['parameter', 'parameter', 'transpose', 'convolution', 'convolution', 'negate', 'negate', 'tuple']);
    sameResult(text);
  });

  it('gives an NHWC input gradient (01oi kernel) an HWIO kernel', () => {
    const text = `HloModule m
ENTRY e {
  g = f32[4,6,6,8] parameter(0)
  w = f32[3,3,4,8] parameter(1)
  r = f32[3,3,4,8] reverse(w), dimensions={0,1}
  ROOT y = f32[4,6,6,4] convolution(g, r), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01oi->b01f
}`;
    expect(lines(optimise(text, layout).entry).slice(3)).toEqual([
      'r.hwio = f32[3,3,8,4] transpose(r), dimensions={0,1,3,2}',
      'ROOT y = f32[4,6,6,4] convolution(g, r.hwio), window={size=3x3 pad=1_1x1_1}, dim_labels=b01f_01io->b01f',
    ]);
    sameResult(text);
  });

  it('gives a kernel gradient (f01b input, i01o kernel, 01bf output) an NHWC input and an HWIO kernel', () => {
    const text = `HloModule m
ENTRY e {
  x = f32[2,6,6,16] parameter(0)
  g = f32[2,6,6,16] parameter(1)
  ROOT y = f32[5,5,16,16] convolution(x, g), window={size=6x6 pad=2_2x2_2}, dim_labels=f01b_i01o->01bf
}`;
    expect(lines(optimise(text, layout).entry).slice(2)).toEqual([
      'x.nhwc = f32[16,6,6,2] transpose(x), dimensions={3,1,2,0}',
      'g.hwio = f32[6,6,2,16] transpose(g), dimensions={1,2,0,3}',
      'ROOT y = f32[5,5,16,16] convolution(x.nhwc, g.hwio), window={size=6x6 pad=2_2x2_2}, dim_labels=b01f_01io->01bf',
    ]);
    sameResult(text);
    // With 2 features each side the copies outweigh the convolution: left alone.
    const small = text.replace('f32[5,5,16,16]', 'f32[5,5,2,2]').replaceAll(',6,16]', ',6,2]');
    expect(opcodes(optimise(small, layout))).toEqual(['parameter', 'parameter', 'convolution']);
  });

  it('leaves small NHWC convolutions, HWIO kernels, grouped and narrow convolutions alone', () => {
    for (const conv of [
      'f32[1,4,4,4] convolution(x, w), window={size=1x1}, dim_labels=b01f_io01->b01f',
      'f32[1,4,4,4] convolution(x, w), window={size=1x1}, dim_labels=bf01_01io->bf01',
      'f32[1,4,4,4] convolution(x, w), window={size=1x1}, feature_group_count=4, dim_labels=bf01_oi01->bf01',
    ]) {
      const shapes = conv.includes('01io') ? ['f32[1,4,4,4]', 'f32[1,1,4,4]'] : conv.includes('feature_group') ? ['f32[1,4,4,4]', 'f32[4,1,1,1]'] : ['f32[1,4,4,4]', 'f32[4,4,1,1]'];
      const text = `HloModule m
ENTRY e {
  x = ${shapes[0]} parameter(0)
  w = ${shapes[1]} parameter(1)
  ROOT y = ${conv}
}`;
      expect(opcodes(optimise(text, layout))).toEqual(['parameter', 'parameter', 'convolution']);
    }
    const narrow = `HloModule m
ENTRY e {
  x = f32[1,2,5,5] parameter(0)
  w = f32[3,2,3,3] parameter(1)
  ROOT y = f32[1,3,3,3] convolution(x, w), window={size=3x3}, dim_labels=bf01_oi01->bf01
}`;
    expect(opcodes(optimise(narrow, layout))).toEqual(['parameter', 'parameter', 'convolution']);
  });
});
