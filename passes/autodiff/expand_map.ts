// Before differentiating: a `map` whose to_apply is elementwise arithmetic on its scalar
// parameters (and scalar constants) is the same arithmetic on whole arrays, so it is
// expanded into those ops, which have rules. Other maps stay (and are refused if the
// derivative passes through them).
import { withDefaultLayout } from '../../ir/builder.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import { isElementwise, type OpAttrs, type Opcode } from '../../ir/opcodes.js';
import { array } from '../../ir/shape.js';
import { cloneModule, makeInstruction, moduleNames, sweep } from '../rewrite.js';
import type { NameUniquer } from '../../ir/builder.js';

export function expandMaps(input: Module): Module {
  if (!input.entry.instructions.some((i) => i.opcode === 'map')) return input;
  const m = cloneModule(input);
  const names = moduleNames(m);
  sweep(m.entry, (i) => (i.opcode === 'map' ? expand(i.attrs.to_apply, i.operands, i, names) : undefined));
  return m;
}

function expand(f: Computation, xs: Instruction[], map: Instruction, names: NameUniquer) {
  if (map.shape.kind !== 'array') return undefined;
  const dims = map.shape.dims;
  const added: Instruction[] = [];
  const make = (op: Opcode, operands: Instruction[], attrs: object, dtype: string) => {
    const n = makeInstruction(names.unique(op), op, withDefaultLayout(array(dtype as never, dims)), operands, attrs as OpAttrs<Opcode>);
    added.push(n);
    return n;
  };
  const value = new Map<Instruction, Instruction>();
  for (const i of f.instructions) {
    if (i.shape.kind !== 'array' || i.shape.dims.length !== 0) return undefined;
    if (i.opcode === 'parameter') value.set(i, xs[i.attrs.parameter_number]);
    else if (i.opcode === 'constant') {
      const k = makeInstruction(names.unique('constant'), 'constant', i.shape, [], { literal: i.attrs.literal });
      added.push(k);
      value.set(i, dims.length === 0 ? k : make('broadcast', [k], { dimensions: [] }, i.shape.dtype));
    } else if (isElementwise(i.opcode)) value.set(i, make(i.opcode, i.operands.map((o) => value.get(o)!), { ...i.attrs }, i.shape.dtype));
    else return undefined;
  }
  return { replacement: value.get(f.root)!, added };
}
