// A module with every f64 made f32 (shapes and constants): the property-test modules,
// written in f64 for the interpreter's precision, as the f32 the wasm backend runs.
import { withDefaultLayout } from '../../ir/builder.js';
import { type ArrayLiteral, arrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { Shape } from '../../ir/shape.js';
import { cloneModule } from '../../passes/rewrite.js';

const f32 = (s: Shape): Shape =>
  s.kind === 'tuple' ? { kind: 'tuple', elements: s.elements.map(f32) } : s.dtype === 'f64' ? { ...s, dtype: 'f32' } : s;

export function toF32(input: Module): Module {
  const m = cloneModule(input);
  for (const c of m.computations)
    for (const i of c.instructions) {
      i.shape = withDefaultLayout(f32(i.shape));
      if (i.opcode === 'constant' && i.attrs.literal.shape.kind === 'array' && i.attrs.literal.shape.dtype === 'f64') {
        const l = i.attrs.literal as ArrayLiteral;
        i.attrs = { literal: arrayLiteral({ ...l.shape, dtype: 'f32' }, l.data as Float64Array) };
      }
    }
  return m;
}
