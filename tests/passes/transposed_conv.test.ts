import { describe, expect, it } from 'vitest';
import { interpret } from '../../ir/interpret/index.js';
import { arrayLiteral } from '../../ir/literal.js';
import type { InstructionOf, Module } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { bitDifference, hlo, opcodes, optimise } from './helpers.js';

const passes = ['transposed-conv', 'dce'];

/** Inputs for every parameter, deterministic, exact in f32. */
const inputsOf = (text: string) =>
  hlo(text).entry.params.map((p, k) => {
    const s = p.shape as ArrayShape;
    const n = s.dims.reduce((a, b) => a * b, 1);
    return arrayLiteral(s, Array.from({ length: n }, (_, i) => (((i + 31 * k) * 7919) % 127) / 64 - 1));
  });

/** The rewrite computes what the dilated convolution computes, bit for bit (the same nonzero terms in the same order). */
function sameResult(text: string): void {
  const args = inputsOf(text);
  expect(bitDifference(interpret(optimise(text, passes), args), interpret(hlo(text), args))).toBeUndefined();
}

/** A 1-D transposed convolution as an importer writes it: stride d, kernel K, ONNX pads p (+ output padding op high). */
function transposed1d(d: number, K: number, p: number, op: number, n = 5): string {
  const out = (n - 1) * d + 1 + (K - 1 - p) * 2 + op - K + 1;
  return `HloModule t
ENTRY e {
  x = f32[2,3,${n}] parameter(0)
  w = f32[4,3,${K}] parameter(1)
  ROOT y = f32[2,4,${out}] convolution(x, w), window={size=${K} pad=${K - 1 - p}_${K - 1 - p + op} lhs_dilate=${d}}, dim_labels=bf0_oi0->bf0
}`;
}

/** Whether any convolution of the entry still dilates its input. */
const dilated = (m: Module): boolean =>
  m.entry.instructions.some((i) => i.opcode === 'convolution' && (i as InstructionOf<'convolution'>).attrs.window!.some((w) => w.lhsDilate > 1));

describe('transposed-conv', () => {
  it('turns a 2×2 stride-2 transposed convolution into four 1×1 convolutions with constant taps', () => {
    const text = `HloModule m
ENTRY e {
  x = f32[1,2,3,3] parameter(0)
  w = f32[2,2,2,2] constant({ { { {1, 2}, {3, 4} }, { {5, 6}, {7, 8} } }, { { {9, 10}, {11, 12} }, { {13, 14}, {15, 16} } } })
  ROOT y = f32[1,2,6,6] convolution(x, w), window={size=2x2 pad=1_1x1_1 lhs_dilate=2x2}, dim_labels=bf01_oi01->bf01
}`;
    const m = optimise(text, passes);
    expect(opcodes(m).filter((o) => o === 'convolution')).toHaveLength(4);
    expect(m.entry.instructions.filter((i) => i.opcode === 'convolution').every((i) => i.attrs.window!.every((w) => w.size === 1 && w.lhsDilate === 1))).toBe(true);
    expect(opcodes(m)).not.toContain('slice');
    sameResult(text);
  });

  it('matches the dilated convolution for every stride, kernel size, padding and output padding', () => {
    for (const d of [2, 3])
      for (const K of [1, 2, 3, 4, 5])
        for (let p = 0; p < K; p++)
          for (let op = 0; op < d; op++) {
            const text = transposed1d(d, K, p, op);
            expect(dilated(optimise(text, passes)), text).toBe(false);
            sameResult(text);
          }
  });

  it('slices a kernel that is not a constant, keeps feature groups and NHWC layouts', () => {
    const text = `HloModule m
ENTRY e {
  x = f32[1,4,3,4] parameter(0)
  w = f32[3,3,2,6] parameter(1)
  ROOT y = f32[1,12,5,6] convolution(x, w), window={size=3x3 pad=2_2x1_1 lhs_dilate=3x2}, dim_labels=b01f_01io->b01f, feature_group_count=2
}`;
    const m = optimise(text, passes);
    expect(opcodes(m)).toContain('slice');
    expect(dilated(m)).toBe(false);
    sameResult(text);
  });

  it('leaves alone what it cannot rewrite: strides, kernel dilation, reversal, more than 16 phases', () => {
    const cases: [string, number][] = [['size=3 pad=2_2 lhs_dilate=2 stride=2', 6], ['size=3 pad=2_2 lhs_dilate=2 rhs_dilate=2', 9], ['size=3 pad=2_2 lhs_dilate=2 rhs_reversal=1', 11],
      ['size=3 pad=2_2 lhs_dilate=17', 71]];
    for (const [window, out] of cases) {
      const text = `HloModule m
ENTRY e {
  x = f32[1,2,5] parameter(0)
  w = f32[2,2,3] parameter(1)
  ROOT y = f32[1,2,${out}] convolution(x, w), window={${window}}, dim_labels=bf0_oi0->bf0
}`;
      expect(opcodes(optimise(text, passes))).toEqual(['parameter', 'parameter', 'convolution']);
    }
  });
});
