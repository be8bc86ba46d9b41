// Moving literals in and out of a Program's memory: inputs are written into their
// arena buffers before a run, outputs read back after, in the little-endian layout every
// target uses.
import type { Program } from '../ir/kernel/kernel.js';
import { type ArrayLiteral, type Literal, tupleLiteral } from '../ir/literal.js';
import { array, type Shape } from '../ir/shape.js';
import { literalBytes, literalFromBytes } from '../ir/scalar/elements.js';

/**
 * The program's input buffers as (byte offset in the arena, bytes): one per array leaf of
 * the arguments, depth first, as lowering flattens tuple parameters into inputs.
 */
export function inputBytes(p: Program, args: readonly Literal[]): { offset: number; bytes: Uint8Array }[] {
  const flat = args.flatMap(arrayLeaves);
  if (flat.length !== p.inputs.length) throw new Error(`${p.name} takes ${p.inputs.length} input arrays, got ${flat.length}`);
  return p.inputs.map((io, i) => {
    const b = p.buffers[io.buffer];
    const a = flat[i];
    if (a.shape.dtype !== b.dtype || a.shape.dims.join(',') !== b.dims.join(','))
      throw new Error(`input ${io.name}: expected ${b.dtype}[${b.dims}], got ${a.shape.dtype}[${a.shape.dims}]`);
    return { offset: b.offset, bytes: literalBytes(a) };
  });
}

const arrayLeaves = (l: Literal): ArrayLiteral[] => ('data' in l ? [l] : l.elements.flatMap(arrayLeaves));

/** Output `i` read from `bytes` at `offset` (by default, its buffer's place in the arena). */
export function readOutput(p: Program, i: number, bytes: Uint8Array, offset = p.buffers[p.outputs[i].buffer].offset): ArrayLiteral {
  const b = p.buffers[p.outputs[i].buffer];
  return literalFromBytes(array(b.dtype, b.dims), new DataView(bytes.buffer, bytes.byteOffset + offset));
}

/** The outputs assembled into the entry's result shape (a tuple for a tuple root). */
export function resultLiteral(shape: Shape, outputs: readonly ArrayLiteral[]): Literal {
  let next = 0;
  const build = (s: Shape): Literal => (s.kind === 'array' ? outputs[next++] : tupleLiteral(s.elements.map(build)));
  return build(shape);
}
