// The names a compiled program gives its inputs and outputs (passes/lower/io_names.ts):
// the source's, whatever the passes did to the root.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { ioNames } from '../../passes/lower/io_names.js';

const names = (entry: string) => ioNames(parseHlo(`HloModule m\n\nENTRY e {\n${entry}\n}\n`, 'case'));

describe('program input and output names', () => {
  it('an array root: its own name; parameters: theirs, tuple leaves by index path', () => {
    expect(names(`
      p = (f32[2], (s32[], f32[3])) parameter(0)
      x = f32[2] parameter(1)
      ROOT y = f32[2] negate(x)`)).toEqual({ inputs: ['p.0', 'p.1.0', 'p.1.1', 'x'], outputs: ['y'] });
  });

  it("a tuple root: each leaf after its operand, through nested tuples; a non-tuple operand's leaves by path", () => {
    expect(names(`
      x = f32[2] parameter(0)
      a = f32[2] negate(x)
      b = f32[2] abs(x)
      inner = (f32[2], f32[2]) tuple(a, b)
      ROOT t = ((f32[2], f32[2]), f32[2]) tuple(inner, x)`).outputs).toEqual(['a', 'b', 'x']);
    expect(names(`
      p = (f32[2], s32[]) parameter(0)
      x = f32[2] parameter(1)
      ROOT t = ((f32[2], s32[]), f32[2]) tuple(p, x)`).outputs).toEqual(['p.0', 'p.1', 'x']);
  });

  it('repeated operands fall back to <root>.<path>; a name that still repeats gets a suffix', () => {
    expect(names(`
      x = f32[2] parameter(0)
      a = f32[2] negate(x)
      ROOT t = (f32[2], f32[2], f32[2]) tuple(a, x, a)`).outputs).toEqual(['t.0', 'x', 't.2']);
    expect(names(`
      x = f32[2] parameter(0)
      a = f32[2] negate(x)
      t.0 = f32[2] abs(x)
      ROOT t = (f32[2], f32[2], f32[2]) tuple(a, a, t.0)`).outputs).toEqual(['t.0', 't.1', 't.0_2']);
  });

  it('survive the passes: the compiled program names its output after the source root, fused or not', () => {
    const hlo = `HloModule m\n\nENTRY e {\n  x = f32[8] parameter(0)\n  a = f32[8] negate(x)\n  b = f32[8] exponential(a)\n  ROOT probs = f32[8] add(b, x)\n}\n`;
    for (const fusion of [true, false]) {
      const { optimized, program } = compileProgram(parseHlo(hlo, 'case'), { fusion });
      if (fusion) expect(optimized.entry.root.name).not.toBe('probs'); // what the bug was: the fusion's name leaked out
      expect(program.outputs.map((o) => o.name)).toEqual(['probs']);
      expect(program.inputs.map((o) => o.name)).toEqual(['x']);
    }
  });
});
