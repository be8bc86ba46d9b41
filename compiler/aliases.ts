// Input/output aliasing as the driver takes it (`aliases` of compile options): each pair
// names an output leaf and an entry parameter whose bytes it must end in (XLA's
// must-alias, for donated inputs: a train step's new weights over the old). Checked here,
// against the source module, so a mistake is bad input (exit code 3) with the names the
// caller knows; buffer assignment decides how each is met (passes/buffer_assignment.ts).
import type { Module } from '../ir/module.js';
import { leaves, sameDims, shapeToString } from '../ir/shape.js';
import { ioNames } from '../passes/lower/io_names.js';
import { InputError } from './errors.js';

/** Output leaf `output` (0 for an array root) ends in entry parameter `param`'s bytes. */
export interface Alias {
  readonly output: number;
  readonly param: number;
}

/** Refuses aliases that name no output or parameter, repeat one, or pair different shapes. */
export function checkAliases(m: Module, aliases: unknown): readonly Alias[] {
  if (aliases === undefined) return [];
  if (!Array.isArray(aliases)) throw new InputError(`${m.name}: aliases is a list of { output, param }, got ${typeof aliases}`);
  const outs = leaves(m.entry.root.shape);
  const names = ioNames(m);
  const seen = { output: new Set<number>(), param: new Set<number>() };
  return aliases.map((a: unknown, k): Alias => {
    const { output, param } = (typeof a === 'object' && a !== null ? a : {}) as { output?: unknown; param?: unknown };
    const bad = (why: string): never => { throw new InputError(`${m.name}: alias ${k} (${JSON.stringify(a)}): ${why}`); };
    if (!Number.isInteger(output) || !Number.isInteger(param)) bad('wants integer output and param');
    const [o, p] = [output as number, param as number];
    if (o < 0 || o >= outs.length) bad(`the model has ${outs.length} output${outs.length === 1 ? '' : 's'} (${names.outputs.join(', ')})`);
    const parameter = m.entry.params[p];
    if (p < 0 || parameter === undefined) bad(`the model has ${m.entry.params.length} parameters (${m.entry.params.map((x) => x.name).join(', ')})`);
    if (parameter.shape.kind !== 'array') bad(`parameter ${p} (${parameter.name}) is a tuple; only array parameters alias an output`);
    if (seen.output.has(o)) bad(`output ${o} (${names.outputs[o]}) is aliased twice`);
    if (seen.param.has(p)) bad(`parameter ${p} (${parameter.name}) is aliased twice`);
    seen.output.add(o);
    seen.param.add(p);
    const [os, ps] = [outs[o], parameter.shape];
    if (ps.kind !== 'array' || os.dtype !== ps.dtype || !sameDims(os.dims, ps.dims))
      bad(`output ${o} (${names.outputs[o]}) is ${shapeToString(os, { layout: false })}, parameter ${p} (${parameter.name}) is ${shapeToString(ps, { layout: false })}: aliased buffers need the same shape and type`);
    return { output: o, param: p };
  });
}
