import { describe, expect, it } from 'vitest';
import { lines, optimise } from './helpers.js';

describe('dce', () => {
  it('drops instructions the root does not use, keeping parameters', () => {
    const m = optimise(`HloModule m
ENTRY e {
  p0 = f32[2] parameter(0)
  p1 = f32[2] parameter(1)
  dead = f32[2] multiply(p0, p0)
  dead2 = f32[2] negate(dead)
  ROOT r = f32[2] add(p0, p0)
}`, ['dce']);
    expect(lines(m.entry)).toEqual([
      'p0 = f32[2] parameter(0)',
      'p1 = f32[2] parameter(1)',
      'ROOT r = f32[2] add(p0, p0)',
    ]);
  });

  it('keeps an instruction a live one names as its control predecessor', () => {
    const m = optimise(`HloModule m
ENTRY e {
  p0 = f32[2] parameter(0)
  first = f32[2] multiply(p0, p0)
  ROOT r = f32[2] add(p0, p0), control-predecessors={first}
}`, ['dce']);
    expect(lines(m.entry)).toContain('first = f32[2] multiply(p0, p0)');
  });

  it('drops computations nothing live calls, keeps the ones still called', () => {
    const m = optimise(`HloModule m
add {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] add(a, b)
}
max {
  a = f32[] parameter(0)
  b = f32[] parameter(1)
  ROOT s = f32[] maximum(a, b)
}
ENTRY e {
  p = f32[4] parameter(0)
  z = f32[] constant(0)
  unused = f32[] reduce(p, z), dimensions={0}, to_apply=max
  ROOT r = f32[] reduce(p, z), dimensions={0}, to_apply=add
}`, ['dce']);
    expect(m.computations.map((c) => c.name)).toEqual(['add', 'e']);
  });

  it('keeps dead instructions with side effects and what they use', () => {
    const m = optimise(`HloModule m
ENTRY e {
  p = f32[2] parameter(0)
  n = f32[2] negate(p)
  tok = token[] after-all()
  out = token[] outfeed(n, tok), outfeed_shape=f32[2]
  ROOT r = f32[2] add(p, p)
}`, ['dce']);
    expect(m.entry.instructions.map((i) => i.name)).toEqual(['p', 'n', 'tok', 'out', 'r']);
  });

  it('leaves a module without dead code unchanged and does not mutate its input', () => {
    const text = `HloModule m
ENTRY e {
  p = f32[2] parameter(0)
  d = f32[2] negate(p)
  ROOT r = f32[2] add(p, p)
}`;
    const m = optimise(text, []);
    const before = lines(m.entry);
    optimise(text, ['dce']);
    expect(lines(m.entry)).toEqual(before);
  });
});
