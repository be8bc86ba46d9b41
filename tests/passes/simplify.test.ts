import { describe, expect, it } from 'vitest';
import { losslessConvert } from '../../passes/simplify_rules.js';
import { lines, optimise } from './helpers.js';

const run = (body: string, params: string): string[] =>
  lines(optimise(`HloModule m\nENTRY e {\n${params}\n${body}\n}`, ['simplify', 'dce']).entry).filter((l) => !l.includes('parameter('));

const P = '  x = f32[2,3] parameter(0)';

describe('simplify', () => {
  it.each([
    ['x + 0', '  z = f32[] constant(0)\n  b = f32[2,3] broadcast(z), dimensions={}\n  ROOT r = f32[2,3] add(x, b)'],
    ['0 + x', '  b = f32[2,3] constant({{0,0,0},{0,0,0}})\n  ROOT r = f32[2,3] add(b, x)'],
    ['x + (-0)', '  z = f32[] constant(-0)\n  b = f32[2,3] broadcast(z), dimensions={}\n  ROOT r = f32[2,3] add(x, b)'],
    ['x - 0', '  z = f32[] constant(0)\n  b = f32[2,3] broadcast(z), dimensions={}\n  ROOT r = f32[2,3] subtract(x, b)'],
    ['x * 1', '  z = f32[] constant(1)\n  b = f32[2,3] broadcast(z), dimensions={}\n  ROOT r = f32[2,3] multiply(x, b)'],
    ['1 * x', '  z = f32[] constant(1)\n  b = f32[2,3] broadcast(z), dimensions={}\n  ROOT r = f32[2,3] multiply(b, x)'],
    ['x / 1', '  z = f32[] constant(1)\n  b = f32[2,3] broadcast(z), dimensions={}\n  ROOT r = f32[2,3] divide(x, b)'],
    ['copy', '  ROOT r = f32[2,3] copy(x)'],
    ['identity reshape', '  ROOT r = f32[2,3] reshape(x)'],
    ['reshape of reshape back', '  a = f32[6] reshape(x)\n  ROOT r = f32[2,3] reshape(a)'],
    ['identity transpose', '  ROOT r = f32[2,3] transpose(x), dimensions={0,1}'],
    ['transpose of transpose back', '  a = f32[3,2] transpose(x), dimensions={1,0}\n  ROOT r = f32[2,3] transpose(a), dimensions={1,0}'],
    ['identity broadcast', '  ROOT r = f32[2,3] broadcast(x), dimensions={0,1}'],
    ['full slice', '  ROOT r = f32[2,3] slice(x), slice={[0:2], [0:3]}'],
    ['convert to the same type', '  ROOT r = f32[2,3] convert(x)'],
    ['f32 -> f64 -> f32', '  a = f64[2,3] convert(x)\n  ROOT r = f32[2,3] convert(a)'],
    ['zero pad', '  z = f32[] constant(7)\n  ROOT r = f32[2,3] pad(x, z), padding=0_0x0_0'],
    ['concatenate of one', '  ROOT r = f32[2,3] concatenate(x), dimensions={0}'],
  ])('%s => x', (_name, body) => {
    const m = optimise(`HloModule m\nENTRY e {\n${P}\n${body}\n}`, ['simplify', 'dce']);
    expect(lines(m.entry)).toEqual(['ROOT x = f32[2,3] parameter(0)']);
  });

  it('does not take x + 1, x * 0, 0 - x or x / 0 for identities', () => {
    const m = optimise(`HloModule m
ENTRY e {
${P}
  one = f32[] constant(1)
  b1 = f32[2,3] broadcast(one), dimensions={}
  zero = f32[] constant(0)
  b0 = f32[2,3] broadcast(zero), dimensions={}
  a = f32[2,3] add(x, b1)
  m = f32[2,3] multiply(x, b0)
  s = f32[2,3] subtract(b0, x)
  d = f32[2,3] divide(x, b0)
  ROOT t = (f32[2,3], f32[2,3], f32[2,3], f32[2,3]) tuple(a, m, s, d)
}`, ['simplify', 'dce']);
    expect(m.entry.root.operands.map((o) => o.opcode)).toEqual(['add', 'multiply', 'subtract', 'divide']);
  });

  it('merges reshapes, transposes, broadcasts and slices into one', () => {
    expect(run('  a = f32[6] reshape(x)\n  ROOT r = f32[3,2] reshape(a)', P)).toEqual(['ROOT reshape = f32[3,2] reshape(x)']);
    expect(run(`  y = f32[2,3,4] parameter(1)
  a = f32[3,4,2] transpose(y), dimensions={1,2,0}
  ROOT r = f32[4,2,3] transpose(a), dimensions={1,2,0}`, P)).toEqual(['ROOT transpose = f32[4,2,3] transpose(y), dimensions={2,0,1}']);
    expect(run(`  s = f32[3] parameter(1)
  a = f32[2,3] broadcast(s), dimensions={1}
  ROOT r = f32[2,5,3] broadcast(a), dimensions={0,2}`, P)).toEqual(['ROOT broadcast = f32[2,5,3] broadcast(s), dimensions={2}']);
    expect(run(`  v = f32[20] parameter(1)
  a = f32[9] slice(v), slice={[2:19:2]}
  ROOT r = f32[3] slice(a), slice={[1:8:3]}`, P)).toEqual(['ROOT slice = f32[3] slice(v), slice={[4:17:6]}']);
  });

  it('merges convert chains only when the first step is lossless', () => {
    expect(run('  a = f64[2,3] convert(x)\n  ROOT r = s32[2,3] convert(a)', P)).toEqual(['ROOT convert = s32[2,3] convert(x)']);
    expect(run('  a = f16[2,3] convert(x)\n  ROOT r = f32[2,3] convert(a)', P)).toEqual([
      'a = f16[2,3] convert(x)', 'ROOT r = f32[2,3] convert(a)',
    ]);
    expect(losslessConvert('s8', 'f32')).toBe(true);
    expect(losslessConvert('s32', 'f32')).toBe(false);
    expect(losslessConvert('u8', 's8')).toBe(false);
    expect(losslessConvert('u8', 's16')).toBe(true);
    expect(losslessConvert('pred', 'bf16')).toBe(true);
    expect(losslessConvert('f16', 'bf16')).toBe(false);
  });

  it('folds a transpose into dot dimension numbers when the free dims keep their order', () => {
    expect(run(`  y = f32[3,4] parameter(1)
  t = f32[3,2] transpose(x), dimensions={1,0}
  ROOT d = f32[2,4] dot(t, y), lhs_contracting_dims={0}, rhs_contracting_dims={0}`, P)).toEqual([
      'ROOT dot = f32[2,4] dot(x, y), lhs_contracting_dims={1}, rhs_contracting_dims={0}',
    ]);
    expect(run(`  y = f32[5,3,2] parameter(1)
  w = f32[5,4,3] parameter(2)
  t = f32[5,2,3] transpose(y), dimensions={0,2,1}
  ROOT d = f32[5,2,4] dot(t, w), lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={2}`, P)).toEqual([
      'ROOT dot = f32[5,2,4] dot(y, w), lhs_batch_dims={0}, lhs_contracting_dims={1}, rhs_batch_dims={0}, rhs_contracting_dims={2}',
    ]);
    // Two free dims swapped: the result's dim order would change, so the transpose stays.
    const kept = run(`  y = f32[2,3,4] parameter(1)
  w = f32[4,5] parameter(2)
  t = f32[3,2,4] transpose(y), dimensions={1,0,2}
  ROOT d = f32[3,2,5] dot(t, w), lhs_contracting_dims={2}, rhs_contracting_dims={0}`, P);
    expect(kept.map((l) => l.split(' = ')[0])).toEqual(['t', 'ROOT d']);
  });

  it('keeps a copy that changes the layout', () => {
    const m = optimise(`HloModule m
ENTRY e {
  x = f32[2,3]{1,0} parameter(0)
  ROOT c = f32[2,3]{0,1} copy(x)
}`, ['simplify']);
    expect(m.entry.root.opcode).toBe('copy');
  });

  it('reaches a fixed point through chains', () => {
    expect(run(`  a = f32[3,2] transpose(x), dimensions={1,0}
  b = f32[3,2] copy(a)
  c = f32[2,3] transpose(b), dimensions={1,0}
  z = f32[] constant(0)
  zb = f32[2,3] broadcast(z), dimensions={}
  d = f32[2,3] add(c, zb)
  ROOT r = f32[2,3] reshape(d)`, P)).toEqual([]); // only the parameter is left: it is the root
  });
});

describe('simplify and the sign of zero (docs/passes.md)', () => {
  it('follows XLA: x + 0 => x even though -0 + 0 is +0 in IEEE', async () => {
    const { interpret } = await import('../../ir/interpret/index.js');
    const { arrayLiteral } = await import('../../ir/literal.js');
    const text = `HloModule m
ENTRY e {
  x = f32[1] parameter(0)
  z = f32[1] constant({0})
  ROOT r = f32[1] add(x, z)
}`;
    const arg = arrayLiteral({ kind: 'array', dtype: 'f32', dims: [1] }, [-0]);
    const before = interpret(optimise(text, []), [arg]) as { data: Float64Array };
    const after = interpret(optimise(text, ['simplify', 'dce']), [arg]) as { data: Float64Array };
    expect(Object.is(before.data[0], 0)).toBe(true);
    expect(Object.is(after.data[0], -0)).toBe(true);
  });
});
