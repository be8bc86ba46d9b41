// Element types kernels do not hold are refused as not compiled (exit code 4), wherever
// they appear: found by the fuzz test, where an s2 constant failed with a plain Error
// while its bytes were encoded, before the type check.
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../compiler/compile.js';
import { exitCodeOf } from '../../compiler/exit_codes.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { UnsupportedType } from '../../passes/lower/types.js';

const compileError = (text: string): unknown => {
  try {
    compileProgram(parseHlo(`HloModule m\n${text}`, 'm.hlo'));
  } catch (e) {
    return e;
  }
  throw new Error('expected the module not to compile');
};

describe('element types kernels do not hold', () => {
  it.each([
    ['an s2 constant', 'ENTRY e {\n  c = s2[4] constant(0)\n  ROOT r = s8[4] convert(c)\n}'],
    ['an s2 parameter', 'ENTRY e {\n  p = s2[4] parameter(0)\n  ROOT r = s8[4] convert(p)\n}'],
  ])('%s is not compiled (exit code 4)', (_, text) => {
    const e = compileError(text);
    expect(e).toBeInstanceOf(UnsupportedType);
    expect(exitCodeOf(e)).toBe(4);
  });
});
