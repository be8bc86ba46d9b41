import { describe, expect, it } from 'vitest';
import { parseDimLabels } from '../../ir/builder.js';
import { arrayLiteral } from '../../ir/literal.js';
import type { Opcode, OpAttrs } from '../../ir/opcodes.js';
import { OPCODES } from '../../ir/opcodes.js';
import { Shape, scalar, tuple } from '../../ir/shape.js';
import { NeedsShapeError, ShapeError, inferShape, shapeMismatch } from '../../ir/shape_inference.js';
import { S, computations, errorOf, str, win } from './helpers.js';

const C = computations();

/** The inferred shape as text. */
function infer<K extends Opcode>(op: K, operands: Shape[], attrs: OpAttrs<K>, written?: Shape): string {
  return str(inferShape(op, operands, attrs, { written }));
}
const fails = <K extends Opcode>(op: K, operands: Shape[], attrs: OpAttrs<K>, written?: Shape) =>
  errorOf(() => inferShape(op, operands, attrs, { written }));

describe('inferShape: the table and its errors', () => {
  it('has a rule for every opcode', () => {
    // The table is typed over Opcode; this guards the runtime side of it too.
    for (const op of Object.keys(OPCODES) as Opcode[]) {
      try {
        inferShape(op, [], {} as never, {});
      } catch (e) {
        expect(e, op).toBeInstanceOf(ShapeError);
      }
    }
  });

  it('checks operand counts against the opcode table', () => {
    expect(fails('add', [S('f32[2]')], {})).toBe('add: expects 2 operands, got 1');
    expect(fails('negate', [S('f32[2]'), S('f32[2]')], {})).toBe('negate: expects 1 operand, got 2');
    expect(fails('reduce', [S('f32[2]')], { dimensions: [0], to_apply: C.addF32 })).toBe('reduce: expects at least 2 operands, got 1');
  });

  it('checks required attributes', () => {
    expect(fails('compare', [S('f32[2]'), S('f32[2]')], {} as never)).toBe('compare: missing required attribute direction');
  });

  it('errors are ShapeErrors carrying the opcode and the bare detail', () => {
    try {
      inferShape('add', [S('f32[2]'), S('f32[3]')], {});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ShapeError);
      expect((e as ShapeError).op).toBe('add');
      expect((e as ShapeError).detail).toBe('operand 1 has shape f32[3], expected f32[2]');
    }
  });
});

describe('elementwise', () => {
  it('binary ops need one shape and keep it', () => {
    expect(infer('add', [S('f32[2,3]'), S('f32[2,3]')], {})).toBe('f32[2,3]');
    expect(fails('add', [S('f32[2]'), S('f32[3]')], {})).toBe('add: operand 1 has shape f32[3], expected f32[2]');
    expect(fails('multiply', [S('f32[2]'), S('s32[2]')], {})).toBe('multiply: operand 1 has shape s32[2], expected f32[2]');
    expect(fails('add', [S('f32[]'), S('f32[4]')], {})).toBe('add: operand 1 has shape f32[4], expected f32[]');
    expect(fails('add', [tuple([S('f32[]')]), S('f32[]')], {})).toBe('add: operand 0 must be an array, got (f32[])');
  });

  it('binary ops allow mixed float precision, giving the wider type (as XLA does)', () => {
    expect(infer('minimum', [S('f16[]'), S('f32[]')], {})).toBe('f32[]');
    expect(infer('add', [S('bf16[3]'), S('f16[3]')], {})).toBe('f16[3]');
  });

  it('binary ops check element types', () => {
    expect(fails('and', [S('f32[2]'), S('f32[2]')], {})).toBe('and: operands have element type f32, expected pred or integer');
    expect(infer('xor', [S('pred[2]'), S('pred[2]')], {})).toBe('pred[2]');
    expect(fails('subtract', [S('pred[]'), S('pred[]')], {})).toMatch(/^subtract: operands have element type pred/);
    expect(infer('complex', [S('f32[2]'), S('f32[2]')], {})).toBe('c64[2]');
    expect(infer('complex', [S('f64[]'), S('f64[]')], {})).toBe('c128[]');
    expect(fails('complex', [S('s32[]'), S('s32[]')], {})).toBe('complex: operands have element type s32, expected f32 or f64');
  });

  it('compare gives pred', () => {
    expect(infer('compare', [S('s32[4]'), S('s32[4]')], { direction: 'LT' })).toBe('pred[4]');
    expect(fails('compare', [S('s32[4]'), S('s32[5]')], { direction: 'LT' })).toBe('compare: operand 1 has shape s32[5], expected s32[4]');
  });

  it('unary ops check element types and keep or change them', () => {
    expect(infer('is-finite', [S('f32[4]')], {})).toBe('pred[4]');
    expect(fails('is-finite', [S('s32[4]')], {})).toBe('is-finite: operand s32[4] has element type s32, expected floating');
    expect(infer('abs', [S('c64[2]')], {})).toBe('f32[2]');
    expect(infer('abs', [S('s8[2]')], {})).toBe('s8[2]');
    expect(fails('abs', [S('u32[2]')], {})).toMatch(/^abs: operand u32\[2\] has element type u32/);
    expect(infer('real', [S('c128[]')], {})).toBe('f64[]');
    expect(infer('imag', [S('f32[3]')], {})).toBe('f32[3]');
    expect(fails('floor', [S('s32[]')], {})).toBe('floor: operand s32[] has element type s32, expected floating');
    expect(infer('negate', [S('u8[3]')], {})).toBe('u8[3]');
    expect(infer('not', [S('pred[3]')], {})).toBe('pred[3]');
    expect(fails('popcnt', [S('f32[3]')], {})).toMatch(/^popcnt: .* expected integer$/);
    expect(fails('sqrt', [S('s32[3]')], {})).toMatch(/expected floating or complex$/);
    expect(infer('exponential', [S('bf16[2,2]')], {})).toBe('bf16[2,2]');
  });

  it('copy passes any shape through, tuples included', () => {
    expect(infer('copy', [tuple([S('f32[2]'), S('s32[]')])], {})).toBe('(f32[2], s32[])');
  });

  it('reduce-precision checks its bit counts', () => {
    expect(infer('reduce-precision', [S('f32[2]')], { exponent_bits: 5, mantissa_bits: 10 })).toBe('f32[2]');
    expect(fails('reduce-precision', [S('f32[2]')], { exponent_bits: 0, mantissa_bits: 10 })).toBe('reduce-precision: exponent_bits is 0, must be at least 1');
  });

  it('select: pred of the same dims (or a scalar), branches of one shape', () => {
    expect(infer('select', [S('pred[2,3]'), S('f32[2,3]'), S('f32[2,3]')], {})).toBe('f32[2,3]');
    expect(infer('select', [S('pred[]'), S('f32[2,3]'), S('f32[2,3]')], {})).toBe('f32[2,3]');
    expect(fails('select', [S('pred[3]'), S('f32[2]'), S('f32[2]')], {})).toBe(
      'select: pred has shape pred[3] but on_true has f32[2]; pred must be a scalar or have the same dims');
    expect(fails('select', [S('s32[2]'), S('f32[2]'), S('f32[2]')], {})).toBe('select: pred s32[2] has element type s32, expected pred');
    expect(fails('select', [S('pred[2]'), S('f32[2]'), S('s32[2]')], {})).toBe(
      'select: on_false has shape s32[2], expected f32[2] (the shape of on_true)');
  });

  it('clamp: min and max may be scalars', () => {
    expect(infer('clamp', [S('f32[]'), S('f32[4]'), S('f32[]')], {})).toBe('f32[4]');
    expect(infer('clamp', [S('f32[4]'), S('f32[4]'), S('f32[]')], {})).toBe('f32[4]');
    expect(fails('clamp', [S('f32[3]'), S('f32[4]'), S('f32[]')], {})).toBe('clamp: min has shape f32[3], expected f32[4] or a scalar');
    expect(fails('clamp', [S('s32[]'), S('f32[4]'), S('f32[]')], {})).toBe('clamp: min has element type s32, expected f32');
  });
});

describe('ops whose result must be written', () => {
  for (const op of ['reshape', 'broadcast', 'convert', 'bitcast', 'bitcast-convert', 'iota', 'parameter', 'rng', 'custom-call'] as const) {
    it(`${op} needs the written shape`, () => {
      const operands = op === 'rng' ? [S('f32[]'), S('f32[]')] : op === 'iota' || op === 'parameter' ? [] : [S('f32[4]')];
      const attrs = { dimensions: [0], iota_dimension: 0, parameter_number: 0, distribution: 'rng_uniform', custom_call_target: 'x' };
      let error: unknown;
      try {
        inferShape(op, operands, attrs as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NeedsShapeError);
      expect((error as Error).message).toMatch(new RegExp(`^${op}: result shape must be written`));
    });
  }

  it('opaque ops need a written shape and take it as it is', () => {
    expect(fails('all-reduce', [S('f32[4]')], {})).toMatch(/^all-reduce: needs a written shape/);
    expect(errorOf(() => inferShape('cholesky', [S('f32[4,4]')], {}))).toMatch(/needs a written shape/);
    expect(infer('all-reduce', [S('f32[4]')], {}, S('f32[4]'))).toBe('f32[4]');
    expect(infer('custom-call', [S('f32[4]')], { custom_call_target: 'foo' }, tuple([S('s8[2]')]))).toBe('(s8[2])');
  });

  it('reshape keeps the element count and the element type', () => {
    expect(infer('reshape', [S('f32[2,3]')], {}, S('f32[3,2]'))).toBe('f32[3,2]');
    expect(infer('reshape', [S('f32[2,3]')], {}, S('s32[6]'))).toBe('f32[6]');
    expect(fails('reshape', [S('f32[2,3]')], {}, S('f32[4]'))).toBe('reshape: operand f32[2,3] has 6 elements but the result f32[4] has 4');
  });

  it('broadcast maps operand dims onto equal result dims', () => {
    expect(infer('broadcast', [S('f32[3]')], { dimensions: [1] }, S('f32[2,3]'))).toBe('f32[2,3]');
    expect(infer('broadcast', [S('f32[]')], {}, S('f32[2,3]'))).toBe('f32[2,3]');
    expect(fails('broadcast', [S('f32[3]')], { dimensions: [0] }, S('f32[2,3]'))).toBe(
      'broadcast: operand dim 0 has size 3 but result dim 0 has size 2');
    expect(fails('broadcast', [S('f32[3]')], { dimensions: [2] }, S('f32[2,3]'))).toBe(
      'broadcast: dimensions[0] = 2 is out of range for the result f32[2,3]');
    expect(fails('broadcast', [S('f32[3]')], { dimensions: [] }, S('f32[2,3]'))).toBe(
      'broadcast: dimensions {} has 0 entries but operand f32[3] has rank 1');
  });

  it('convert takes the written type and the operand dims', () => {
    expect(infer('convert', [S('f32[2,3]')], {}, S('s32[2,3]'))).toBe('s32[2,3]');
    expect(infer('convert', [S('f32[2,3]')], {}, S('s32[6]'))).toBe('s32[2,3]');
  });

  it('bitcast-convert adds or removes a minor dim when the widths differ', () => {
    expect(infer('bitcast-convert', [S('f32[2]')], {}, S('s32[2]'))).toBe('s32[2]');
    expect(infer('bitcast-convert', [S('f32[2]')], {}, S('u8[2,4]'))).toBe('u8[2,4]');
    expect(infer('bitcast-convert', [S('u8[2,4]')], {}, S('f32[2]'))).toBe('f32[2]');
    expect(fails('bitcast-convert', [S('u8[2,3]')], {}, S('f32[2]'))).toBe(
      'bitcast-convert: operand u8[2,3] must end in a dimension of size 4 to bitcast u8 to f32');
    expect(fails('bitcast-convert', [S('c64[2]')], {}, S('f32[2,2]'))).toBe(
      'bitcast-convert: cannot bitcast between complex and real types (c64 to f32)');
  });

  it('iota needs rank >= 1 and an iota_dimension in range', () => {
    expect(infer('iota', [], { iota_dimension: 1 }, S('s32[2,3]'))).toBe('s32[2,3]');
    expect(fails('iota', [], { iota_dimension: 2 }, S('s32[2,3]'))).toBe('iota: iota_dimension[0] = 2 is out of range for the result s32[2,3]');
    expect(fails('iota', [], { iota_dimension: 0 }, S('s32[]'))).toBe('iota: the result must have rank at least 1, got a scalar');
  });

  it('constant takes its literal\'s shape', () => {
    expect(infer('constant', [], { literal: arrayLiteral(S('f32[2]'), [1, 2]) })).toBe('f32[2]');
  });

  it('rng takes its operands\' type and the written dims', () => {
    expect(infer('rng', [S('f32[]'), S('f32[]')], { distribution: 'rng_uniform' }, S('f32[3,2]'))).toBe('f32[3,2]');
    expect(fails('rng', [S('f32[2]'), S('f32[]')], { distribution: 'rng_uniform' }, S('f32[3]'))).toBe(
      'rng: operand 0 must be a scalar, got f32[2]');
    expect(infer('rng-bit-generator', [S('u64[2]')], { algorithm: 'rng_default' }, tuple([S('u64[2]'), S('u32[8]')]))).toBe('(u64[2], u32[8])');
  });
});

describe('structural', () => {
  it('transpose permutes dims', () => {
    expect(infer('transpose', [S('f32[2,3,4]')], { dimensions: [2, 0, 1] })).toBe('f32[4,2,3]');
    expect(fails('transpose', [S('f32[2,3]')], { dimensions: [0, 0] })).toBe('transpose: dimensions {0,0} names dimension 0 twice');
    expect(fails('transpose', [S('f32[2,3]')], { dimensions: [1] })).toBe(
      'transpose: dimensions {1} has 1 entries, expected 2 (a permutation of 0..1)');
  });

  it('slice: ceil((limit - start) / stride) per dim, within bounds', () => {
    expect(infer('slice', [S('f32[10,4]')], { slice: [{ start: 1, limit: 8, stride: 3 }, { start: 0, limit: 4, stride: 1 }] })).toBe('f32[3,4]');
    expect(infer('slice', [S('f32[10]')], { slice: [{ start: 5, limit: 5, stride: 1 }] })).toBe('f32[0]');
    expect(fails('slice', [S('f32[10]')], { slice: [{ start: 2, limit: 11, stride: 1 }] })).toBe(
      'slice: slice dimension 0 [2:11] is out of bounds for size 10 (need 0 <= start <= limit <= 10)');
    expect(fails('slice', [S('f32[10]')], { slice: [{ start: 0, limit: 4, stride: 0 }] })).toBe('slice: slice dimension 0 has stride 0, must be positive');
    expect(fails('slice', [S('f32[10]')], { slice: [] })).toBe('slice: slice has 0 dimensions but operand f32[10] has rank 1');
  });

  it('dynamic-slice: one integer scalar per dim, sizes within the operand', () => {
    const attrs = { dynamic_slice_sizes: [2, 3] };
    expect(infer('dynamic-slice', [S('f32[8,8]'), S('s32[]'), S('s32[]')], attrs)).toBe('f32[2,3]');
    expect(infer('dynamic-slice', [S('f32[8,8]'), S('s32[2]')], attrs)).toBe('f32[2,3]');
    expect(fails('dynamic-slice', [S('f32[8,8]'), S('s32[]')], attrs)).toBe('dynamic-slice: has 1 start indices but operand f32[8,8] has rank 2');
    expect(fails('dynamic-slice', [S('f32[8,8]'), S('f32[]'), S('f32[]')], attrs)).toBe(
      'dynamic-slice: start index 0 (operand 1) must have an integer element type, got f32[]');
    expect(fails('dynamic-slice', [S('f32[8,2]'), S('s32[]'), S('s32[]')], attrs)).toBe(
      'dynamic-slice: dynamic_slice_sizes[1] = 3 is out of range for operand dim 1 of size 2');
  });

  it('dynamic-update-slice: an update no larger than the operand', () => {
    expect(infer('dynamic-update-slice', [S('f32[8,8]'), S('f32[2,8]'), S('s32[]'), S('s32[]')], {})).toBe('f32[8,8]');
    expect(fails('dynamic-update-slice', [S('f32[8,8]'), S('f32[2,9]'), S('s32[]'), S('s32[]')], {})).toBe(
      'dynamic-update-slice: update dim 1 has size 9, larger than operand dim 1 of size 8');
  });

  it('concatenate sums the chosen dim', () => {
    expect(infer('concatenate', [S('f32[2,3]'), S('f32[2,5]'), S('f32[2,1]')], { dimensions: [1] })).toBe('f32[2,9]');
    expect(fails('concatenate', [S('f32[2,1]'), S('f32[3,1]')], { dimensions: [1] })).toBe(
      'concatenate: operand 1 f32[3,1] differs from operand 0 f32[2,1] in dim 0, which is not the concatenated dim 1');
    expect(fails('concatenate', [S('f32[2]'), S('f32[3]')], { dimensions: [1] })).toBe(
      'concatenate: dimensions[0] = 1 is out of range for operand 0 f32[2]');
  });

  it('pad: low + high + d + (d - 1) * interior, negative padding allowed', () => {
    const p = (low: number, high: number, interior = 0) => ({ low, high, interior });
    expect(infer('pad', [S('f32[3,4]'), S('f32[]')], { padding: [p(1, 2, 1), p(0, 0)] })).toBe('f32[8,4]');
    expect(infer('pad', [S('f32[5]'), S('f32[]')], { padding: [p(-1, -2)] })).toBe('f32[2]');
    expect(infer('pad', [S('f32[0]'), S('f32[]')], { padding: [p(1, 1, 3)] })).toBe('f32[2]');
    expect(fails('pad', [S('f32[2]'), S('f32[]')], { padding: [p(-2, -1)] })).toBe(
      'pad: padding -2_-1_0 on dimension 0 of size 2 gives negative size -1');
    expect(fails('pad', [S('f32[2]'), S('f32[]')], { padding: [p(0, 0, -1)] })).toBe(
      'pad: padding dimension 0 has interior padding -1, must not be negative');
    expect(fails('pad', [S('f32[2]'), S('f32[1]')], { padding: [p(0, 0)] })).toBe('pad: padding value must be a scalar, got f32[1]');
  });

  it('reverse keeps the shape; its dims must be valid', () => {
    expect(infer('reverse', [S('f32[2,3]')], { dimensions: [0, 1] })).toBe('f32[2,3]');
    expect(fails('reverse', [S('f32[2,3]')], { dimensions: [2] })).toBe('reverse: dimensions[0] = 2 is out of range for operand f32[2,3]');
  });

  it('tuple and get-tuple-element', () => {
    const t = tuple([S('f32[2]'), S('s32[]')]);
    expect(infer('tuple', [S('f32[2]'), S('s32[]')], {})).toBe('(f32[2], s32[])');
    expect(infer('get-tuple-element', [t], { index: 1 })).toBe('s32[]');
    expect(fails('get-tuple-element', [t], { index: 2 })).toBe(
      'get-tuple-element: index 2 is out of range for tuple (f32[2], s32[]) of 2 elements');
    expect(fails('get-tuple-element', [S('f32[2]')], { index: 0 })).toBe('get-tuple-element: operand must be a tuple, got f32[2]');
  });
});

describe('dot', () => {
  it('contracts lhs and rhs dims: batch dims, then lhs free dims, then rhs free dims', () => {
    expect(infer('dot', [S('f32[2,3]'), S('f32[3,4]')], { lhs_contracting_dims: [1], rhs_contracting_dims: [0] })).toBe('f32[2,4]');
    expect(infer('dot', [S('f32[2,5,3]'), S('f32[3,5,7]')], {
      lhs_batch_dims: [1], rhs_batch_dims: [1], lhs_contracting_dims: [2], rhs_contracting_dims: [0],
    })).toBe('f32[5,2,7]');
    expect(infer('dot', [S('f32[3]'), S('f32[3]')], { lhs_contracting_dims: [0], rhs_contracting_dims: [0] })).toBe('f32[]');
    expect(infer('dot', [S('f32[2]'), S('f32[3]')], {})).toBe('f32[2,3]');
  });

  it('takes the lhs type (the written type may differ)', () => {
    expect(infer('dot', [S('s8[2,3]'), S('s8[3]')], { lhs_contracting_dims: [1], rhs_contracting_dims: [0] })).toBe('s8[2]');
    expect(shapeMismatch('dot', S('s32[2]'), S('s8[2]'))).toBeUndefined();
    expect(shapeMismatch('dot', S('s32[3]'), S('s8[2]'))).toBe('shape is s32[3] but the operands give s8[2]');
    expect(shapeMismatch('add', S('s32[2]'), S('s8[2]'))).toBe('shape is s32[2] but the operands give s8[2]');
  });

  it('names the mismatching dims', () => {
    expect(fails('dot', [S('f32[2,3]'), S('f32[4,5]')], { lhs_contracting_dims: [1], rhs_contracting_dims: [0] })).toBe(
      'dot: lhs contracting dim 1 has size 3 but rhs contracting dim 0 has size 4');
    expect(fails('dot', [S('f32[5,2,3]'), S('f32[6,3,4]')], {
      lhs_batch_dims: [0], rhs_batch_dims: [0], lhs_contracting_dims: [2], rhs_contracting_dims: [1],
    })).toBe('dot: lhs batch dim 0 has size 5 but rhs batch dim 0 has size 6');
    expect(fails('dot', [S('f32[2,3]'), S('f32[3,4]')], { lhs_contracting_dims: [2], rhs_contracting_dims: [0] })).toBe(
      'dot: lhs_contracting_dims[0] = 2 is out of range for lhs f32[2,3]');
    expect(fails('dot', [S('f32[2,3]'), S('f32[3,4]')], { lhs_contracting_dims: [1], rhs_contracting_dims: [] })).toBe(
      'dot: lhs_contracting_dims {1} and rhs_contracting_dims {} differ in length');
    expect(fails('dot', [S('f32[3,3]'), S('f32[3,4]')], {
      lhs_batch_dims: [1], rhs_batch_dims: [0], lhs_contracting_dims: [1], rhs_contracting_dims: [0],
    })).toBe('dot: lhs dim 1 is both a batch and a contracting dim');
  });
});

describe('convolution', () => {
  const nhwc = parseDimLabels('b01f_01io->b01f');
  const conv = (lhs: string, rhs: string, attrs: Partial<OpAttrs<'convolution'>>) =>
    infer('convolution', [S(lhs), S(rhs)], { dim_labels: nhwc, ...attrs });

  it('computes spatial sizes from window size, stride, padding and dilations', () => {
    expect(conv('f32[1,8,8,3]', 'f32[3,3,3,16]', { window: win({ size: 3, padLow: 1, padHigh: 1 }, { size: 3, padLow: 1, padHigh: 1 }) })).toBe('f32[1,8,8,16]');
    expect(conv('f32[2,8,8,3]', 'f32[3,3,3,4]', { window: win({ size: 3, stride: 2 }, { size: 3, stride: 2 }) })).toBe('f32[2,3,3,4]');
    expect(conv('f32[1,8,8,3]', 'f32[3,3,3,4]', { window: win({ size: 3, rhsDilate: 2 }, { size: 3 }) })).toBe('f32[1,4,6,4]');
    expect(conv('f32[1,8,8,3]', 'f32[3,3,3,4]', { window: win({ size: 3, lhsDilate: 2 }, { size: 3 }) })).toBe('f32[1,13,6,4]');
    expect(conv('f32[1,2,2,3]', 'f32[3,3,3,4]', { window: win({ size: 3 }, { size: 3 }) })).toBe('f32[1,0,0,4]');
  });

  it('follows dim_labels for every operand layout', () => {
    const nchw = parseDimLabels('bf01_oi01->bf01');
    expect(infer('convolution', [S('f32[1,3,8,8]'), S('f32[16,3,3,3]')], {
      dim_labels: nchw, window: win({ size: 3 }, { size: 3 }),
    })).toBe('f32[1,16,6,6]');
    expect(infer('convolution', [S('f32[4,6]'), S('f32[6,5]')], { dim_labels: parseDimLabels('bf_io->bf') })).toBe('f32[4,5]');
  });

  it('handles feature and batch groups', () => {
    expect(conv('f32[1,5,5,6]', 'f32[1,1,3,4]', { window: win({}, {}), feature_group_count: 2 })).toBe('f32[1,5,5,4]');
    expect(conv('f32[4,5,5,3]', 'f32[1,1,3,4]', { window: win({}, {}), batch_group_count: 2 })).toBe('f32[2,5,5,4]');
    expect(errorOf(() => conv('f32[1,5,5,6]', 'f32[1,1,2,4]', { window: win({}, {}), feature_group_count: 2 }))).toBe(
      'convolution: lhs feature size 6 / feature_group_count 2 is 3 but rhs input feature dim 2 has size 2');
    expect(errorOf(() => conv('f32[1,5,5,6]', 'f32[1,1,3,5]', { window: win({}, {}), feature_group_count: 2 }))).toBe(
      'convolution: rhs output feature dim 3 has size 5, not a multiple of feature_group_count 2');
  });

  it('names what does not fit', () => {
    expect(errorOf(() => conv('f32[1,8,8,3]', 'f32[3,3,3,16]', { window: win({ size: 2 }, { size: 3 }) }))).toBe(
      'convolution: window dimension 0 has size 2 but rhs spatial dim 0 has size 3');
    expect(errorOf(() => conv('f32[1,8,8,3]', 'f32[3,3,4,16]', { window: win({ size: 3 }, { size: 3 }) }))).toBe(
      'convolution: lhs feature size 3 / feature_group_count 1 is 3 but rhs input feature dim 2 has size 4');
    expect(errorOf(() => conv('f32[1,8,3]', 'f32[3,3,3,16]', { window: win({ size: 3 }, { size: 3 }) }))).toBe(
      'convolution: lhs f32[1,8,3] has rank 3, but dim_labels with 2 spatial dims need rank 4');
    expect(errorOf(() => conv('f32[1,8,8,3]', 'f32[3,3,3,16]', {}))).toBe(
      'convolution: window has 0 dimensions but the convolution has 2 spatial dims');
  });
});

describe('reductions and windows', () => {
  it('reduce removes the reduced dims; the reducer decides the type', () => {
    expect(infer('reduce', [S('f32[2,3,4]'), S('f32[]')], { dimensions: [0, 2], to_apply: C.addF32 })).toBe('f32[3]');
    expect(infer('reduce', [S('f32[2,3]'), S('f32[]')], { dimensions: [0, 1], to_apply: C.addF32 })).toBe('f32[]');
  });

  it('variadic reduce gives a tuple', () => {
    expect(infer('reduce', [S('f32[2,3]'), S('s32[2,3]'), S('f32[]'), S('s32[]')], { dimensions: [1], to_apply: C.pairMax })).toBe('(f32[2], s32[2])');
  });

  it('checks the reducer against the inputs and init values', () => {
    expect(fails('reduce', [S('f32[2,3]'), S('f32[]')], { dimensions: [1], to_apply: C.add3 })).toBe(
      'reduce: to_apply %add3 takes 3 parameters, expected 2 (2 x 1 input)');
    expect(fails('reduce', [S('s32[2,3]'), S('s32[]')], { dimensions: [1], to_apply: C.addF32 })).toBe(
      'reduce: init value 0 has type s32 but to_apply %add_f32 accumulates f32');
    expect(fails('reduce', [S('f32[2,3]'), S('f32[]')], { dimensions: [2], to_apply: C.addF32 })).toBe(
      'reduce: dimensions[0] = 2 is out of range for input f32[2,3]');
    expect(fails('reduce', [S('f32[2,3]'), S('f32[2]')], { dimensions: [1], to_apply: C.addF32 })).toBe(
      'reduce: init value 0 (operand 1) must be a scalar, got f32[2]');
    expect(fails('reduce', [S('f32[2,3]'), S('s32[2,4]'), S('f32[]'), S('s32[]')], { dimensions: [1], to_apply: C.pairMax })).toBe(
      'reduce: input 1 has shape s32[2,4] but input 0 has f32[2,3]; dims must match');
  });

  it('reduce-window: strided windows with padding and dilation', () => {
    const rw = (shape: string, window: ReturnType<typeof win>) =>
      infer('reduce-window', [S(shape), S('f32[]')], { window, to_apply: C.maxF32 });
    expect(rw('f32[4,6]', win({ size: 2, stride: 2 }, { size: 3, stride: 3 }))).toBe('f32[2,2]');
    expect(rw('f32[4,6]', win({ size: 3, padLow: 1, padHigh: 1 }, { size: 1 }))).toBe('f32[4,6]');
    expect(rw('f32[4]', win({ size: 2, lhsDilate: 2 }))).toBe('f32[6]');
    expect(errorOf(() => rw('f32[4,6]', win({ size: 2 })))).toBe('reduce-window: window has 1 dimensions but input f32[4,6] has 2');
    expect(errorOf(() => rw('f32[4]', win({ size: 2, stride: 0 })))).toBe('reduce-window: window dimension 0 has stride 0, must be positive');
  });

  it('select-and-scatter has its operand\'s shape; the source must match the window', () => {
    const attrs = { window: win({ size: 2, stride: 2 }, { size: 2, stride: 2 }), select: C.geF32, scatter: C.addF32 };
    expect(infer('select-and-scatter', [S('f32[4,6]'), S('f32[2,3]'), S('f32[]')], attrs)).toBe('f32[4,6]');
    expect(fails('select-and-scatter', [S('f32[4,6]'), S('f32[2,2]'), S('f32[]')], attrs)).toBe(
      'select-and-scatter: source has shape f32[2,2] but the window over operand f32[4,6] gives {2,3}');
    expect(fails('select-and-scatter', [S('f32[4,6]'), S('f32[2,3]'), S('f32[]')], { ...attrs, select: C.addF32 })).toBe(
      'select-and-scatter: select %add_f32 returns f32[], expected pred[]');
  });
});

describe('gather and scatter', () => {
  it('gather: batch dims from the indices, offset dims from the slice sizes', () => {
    // TF-style gather of rows: operand[3,4], indices[5] -> [5,4].
    expect(infer('gather', [S('f32[3,4]'), S('s32[5]')], {
      offset_dims: [1], collapsed_slice_dims: [0], start_index_map: [0], index_vector_dim: 1, slice_sizes: [1, 4],
    })).toBe('f32[5,4]');
    // Windows kept uncollapsed, index vectors of two entries, offset dims in the middle.
    expect(infer('gather', [S('f32[10,9,8]'), S('s32[6,2,5]')], {
      offset_dims: [1, 2, 3], start_index_map: [0, 1], index_vector_dim: 1, slice_sizes: [2, 3, 4],
    })).toBe('f32[6,2,3,4,5]');
    // Batching dims pair operand dim 0 with indices dim 0.
    expect(infer('gather', [S('f32[4,10,3]'), S('s32[4,7,1]')], {
      offset_dims: [2], collapsed_slice_dims: [1], start_index_map: [1], operand_batching_dims: [0],
      start_indices_batching_dims: [0], index_vector_dim: 2, slice_sizes: [1, 1, 3],
    })).toBe('f32[4,7,3]');
  });

  it('gather names bad attributes', () => {
    const base = { offset_dims: [1], collapsed_slice_dims: [0], start_index_map: [0], index_vector_dim: 1, slice_sizes: [1, 4] };
    expect(fails('gather', [S('f32[3,4]'), S('s32[5]')], { ...base, slice_sizes: [1, 5] })).toBe(
      'gather: slice_sizes[1] = 5 is out of range for operand dim 1 of size 4');
    expect(fails('gather', [S('f32[3,4]'), S('s32[5]')], { ...base, slice_sizes: [2, 4] })).toBe(
      'gather: slice_sizes[0] = 2, but collapsed and batching dims must have slice size 0 or 1');
    expect(fails('gather', [S('f32[3,4]'), S('s32[5]')], { ...base, start_index_map: [0, 1] })).toBe(
      'gather: start_index_map {0,1} has 2 entries but start_indices dim 1 (index_vector_dim) has size 1');
    expect(fails('gather', [S('f32[3,4]'), S('f32[5]')], base)).toBe(
      'gather: start_indices must have an integer element type, got f32[5]');
  });

  it('scatter has its inputs\' shape and checks the updates', () => {
    const attrs = {
      update_window_dims: [1], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0], index_vector_dim: 1, to_apply: C.addF32,
    };
    expect(infer('scatter', [S('f32[3,4]'), S('s32[5]'), S('f32[5,4]')], attrs)).toBe('f32[3,4]');
    expect(fails('scatter', [S('f32[3,4]'), S('s32[5]'), S('f32[6,4]')], attrs)).toBe(
      'scatter: updates scatter dim 0 has size 6 but the matching scatter_indices dim has size 5');
    expect(fails('scatter', [S('f32[3,4]'), S('s32[5]'), S('f32[5,5]')], attrs)).toBe(
      'scatter: updates window dim 1 has size 5, larger than the input\'s window bound 4');
    expect(fails('scatter', [S('f32[3,4]'), S('s32[5]'), S('f32[5,4]'), S('f32[5,4]')], attrs)).toBe(
      'scatter: expects N inputs, the indices and N updates (an odd count), got 4 operands');
  });

  it('variadic scatter gives a tuple', () => {
    const attrs = {
      update_window_dims: [1], inserted_window_dims: [0], scatter_dims_to_operand_dims: [0], index_vector_dim: 1, to_apply: C.pairMax,
    };
    expect(infer('scatter', [S('f32[3,4]'), S('s32[3,4]'), S('s32[5]'), S('f32[5,4]'), S('s32[5,4]')], attrs)).toBe('(f32[3,4], s32[3,4])');
  });
});

describe('sort and map', () => {
  it('sort keeps its operands\' shapes, a tuple for several', () => {
    expect(infer('sort', [S('f32[4,5]')], { dimensions: [1], to_apply: C.ltF32 })).toBe('f32[4,5]');
    expect(infer('sort', [S('f32[4]'), S('s32[4]')], { dimensions: [0], to_apply: C.sortPairs })).toBe('(f32[4], s32[4])');
    expect(fails('sort', [S('f32[4]'), S('s32[4]')], { dimensions: [0], to_apply: C.ltF32 })).toBe(
      'sort: comparator %lt_f32 takes 2 parameters, expected 4');
    expect(fails('sort', [S('f32[4]'), S('s32[5]')], { dimensions: [0], to_apply: C.sortPairs })).toBe(
      'sort: operand 1 has shape s32[5] but operand 0 has f32[4]; dims must match');
  });

  it('map applies a scalar computation elementwise', () => {
    expect(infer('map', [S('f32[4]'), S('f32[4]')], { dimensions: [0], to_apply: C.addF32 })).toBe('f32[4]');
    expect(fails('map', [S('s32[4]'), S('s32[4]')], { to_apply: C.addF32 })).toBe(
      'map: to_apply %add_f32 parameter 0 has shape f32[], expected s32[] (the element type of operand 0)');
  });
});

describe('control flow', () => {
  it('call and fusion have the callee\'s root shape', () => {
    const neg = C.unaryOf(S('f32[3]'), 'neg3');
    expect(infer('call', [S('f32[3]')], { to_apply: neg })).toBe('f32[3]');
    expect(infer('fusion', [S('f32[3]')], { kind: 'kLoop', calls: neg })).toBe('f32[3]');
    expect(fails('call', [S('f32[4]')], { to_apply: neg })).toBe(
      'call: to_apply %neg3 parameter 0 has shape f32[3], expected f32[4] (the shape of operand 0)');
    expect(fails('fusion', [], { kind: 'kLoop', calls: neg })).toBe('fusion: calls %neg3 takes 1 parameter, expected 0 (one per operand)');
  });

  it('while has its operand\'s shape; condition and body must agree with it', () => {
    expect(infer('while', [S('s32[]')], { condition: C.lessThan10, body: C.inc })).toBe('s32[]');
    expect(fails('while', [S('s32[]')], { condition: C.inc, body: C.inc })).toBe('while: condition %inc returns s32[], expected pred[]');
    expect(fails('while', [S('f32[]')], { condition: C.lessThan10, body: C.inc })).toBe(
      'while: condition %lt10 parameter 0 has shape s32[], expected f32[] (the shape of operand 0)');
  });

  it('conditional has its branches\' root shape', () => {
    const a = C.unaryOf(S('f32[2]'), 'branch_a'), b = C.unaryOf(S('f32[2]'), 'branch_b');
    expect(infer('conditional', [S('pred[]'), S('f32[2]'), S('f32[2]')], { true_computation: a, false_computation: b })).toBe('f32[2]');
    expect(infer('conditional', [S('s32[]'), S('f32[2]'), S('f32[2]')], { branch_computations: [a, b] })).toBe('f32[2]');
    // As in XLA's text, a pred index goes with true_computation/false_computation, an s32 one with a list.
    expect(fails('conditional', [S('pred[]'), S('f32[2]'), S('f32[2]')], { branch_computations: [a, b] })).toBe(
      'conditional: branch index has shape pred[], expected s32[] (with branch_computations)');
    expect(fails('conditional', [S('s32[]'), S('f32[2]'), S('f32[2]')], { true_computation: a, false_computation: b })).toBe(
      'conditional: branch index has shape s32[], expected pred[] (with true_computation and false_computation)');
    expect(fails('conditional', [S('s32[]'), S('f32[2]')], { branch_computations: [a, b] })).toBe(
      'conditional: has 1 branch operands for 2 branches; expected one per branch');
    const c = C.unaryOf(S('f32[3]'), 'branch_c');
    expect(fails('conditional', [S('s32[]'), S('f32[2]'), S('f32[3]')], { branch_computations: [a, c] })).toBe(
      'conditional: branch 1 %branch_c returns f32[3] but branch 0 %branch_a returns f32[2]');
  });
});

describe('written scalars stay scalars', () => {
  it('parameter returns the written shape', () => {
    expect(infer('parameter', [], { parameter_number: 0 }, scalar('f32'))).toBe('f32[]');
  });
});
