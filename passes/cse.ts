// Common subexpression elimination: within a computation, an instruction identical to an
// earlier one (opcode, operands, attributes compared structurally with called
// computations by identity, shape with layout, unmodelled attributes but metadata)
// is replaced by the earlier one. Parameters, opaque ops and rng are never merged;
// constants only when their literals are bit-identical.
import type { Instruction, Module } from '../ir/module.js';
import { shapeToString } from '../ir/shape.js';
import { cloneModule, isOpaqueOrRandom, literalsIdentical, sweep } from './rewrite.js';

export function cse(input: Module): Module {
  const m = cloneModule(input);
  const ids = new IdOf();
  for (const c of m.computations) {
    const seen = new Map<string, Instruction[]>();
    sweep(c, (i) => {
      if (i.opcode === 'parameter' || isOpaqueOrRandom(i)) return undefined;
      const key = keyOf(i, ids);
      const bucket = seen.get(key);
      const twin = bucket?.find((j) => i.opcode !== 'constant' || (j.opcode === 'constant' && literalsIdentical(i.attrs.literal, j.attrs.literal)));
      if (twin) return { replacement: twin };
      if (bucket) bucket.push(i);
      else seen.set(key, [i]);
      return undefined;
    });
  }
  return m;
}

/** Small integer ids for objects compared by identity (instructions, computations). */
class IdOf {
  private readonly ids = new WeakMap<object, number>();
  private next = 0;
  of(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.next++));
    return id;
  }
}

/** Equal for identical instructions; constants' literals are compared after (the key holds only their size). */
function keyOf(i: Instruction, ids: IdOf): string {
  const attrs = i.opcode === 'constant' ? '' : attrKey(i.attrs, ids);
  const raw = i.raw.filter((r) => r.name !== 'metadata').map((r) => `${r.name}=${r.text}`).join(',');
  return `${i.opcode}|${i.asyncOf ?? ''}|${shapeToString(i.shape)}|${i.operands.map((o) => ids.of(o)).join(',')}|${attrs}|${raw}`;
}

function attrKey(v: unknown, ids: IdOf): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'undefined';
  if ('instructions' in v && 'root' in v) return `#${ids.of(v)}`;
  if (Array.isArray(v)) return `[${v.map((x) => attrKey(x, ids)).join(',')}]`;
  const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${k}:${attrKey(x, ids)}`).join(',')}}`;
}
