// Mixed float precision (`f16 + f32 -> f32`, accepted by shape inference as by XLA's):
// lowering converts each operand to the type the op computes in, as the interpreter does.
// Found by the fuzz test: each used to throw "operand types differ" from the kernel IR builder.
import { describe, expect, it } from 'vitest';
import { kernelsBackend } from '../../compiler/backend.js';
import { compareLiterals } from '../../compiler/compare.js';
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import { randomInputs } from '../../compiler/random.js';
import { interpret } from '../../ir/interpret/index.js';
import { verifyModule } from '../../ir/verify.js';

const CASES: Record<string, string> = {
  'binary ops': `ENTRY e {
    a = f32[10] parameter(0)
    b = f64[10] parameter(1)
    c = f16[10] parameter(2)
    ROOT r = add(a, multiply(b, c))
  }`,
  'compare, select, clamp': `ENTRY e {
    a = f64[6] parameter(0)
    b = bf16[6] parameter(1)
    c = f32[6] parameter(2)
    p = pred[6] compare(a, b), direction=LT
    s = select(p, a, c)
    ROOT r = clamp(b, s, c)
  }`,
  'an f64 init for an f32 reducer': `add {
    x = f32[] parameter(0)
    y = f32[] parameter(1)
    ROOT s = f32[] add(x, y)
  }
  ENTRY e {
    p = f32[16,32] parameter(0)
    z = f64[] constant(0.25)
    w = reduce-window(p, z), window={size=1x3 pad=0_0x0_2}, to_apply=add
    ROOT r = reduce(w, z), dimensions={1}, to_apply=add
  }`,
};

describe('mixed float precision in lowering', () => {
  for (const [name, text] of Object.entries(CASES))
    it(`${name} match the interpreter`, async () => {
      const m = parseHlo(`HloModule m\n${text}`, `${name}.hlo`);
      verifyModule(m);
      const args = randomInputs(m.entry.params.map((p) => p.shape), 5);
      const want = interpret(m, args);
      const got = await (await kernelsBackend.prepare(m)).run(args);
      const diffs = compareLiterals(got, want);
      expect(diffs.every((d) => d.ok), JSON.stringify(diffs)).toBe(true);
    });
});
