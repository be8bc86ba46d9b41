// Pytrees: the nested arrays and plain objects of tensors that traced functions take and
// return (JAX's pytrees, with JS's containers). Flattening gives the leaves in a fixed
// order (arrays by index, objects by sorted key, as JAX sorts dict keys) and a structure
// that rebuilds the same nesting around new leaves.
import { Tensor } from './tensor.js';

export type Leaf = Tensor | number | boolean;
export type Tree = Leaf | null | undefined | readonly Tree[] | { readonly [key: string]: Tree };

export type Structure =
  | { kind: 'leaf' }
  | { kind: 'none'; value: null | undefined }
  | { kind: 'array'; children: Structure[] }
  | { kind: 'object'; keys: string[]; children: Structure[] };

export function flatten(tree: unknown, leaves: Leaf[] = []): { leaves: Leaf[]; structure: Structure } {
  return { leaves, structure: flattenInto(tree, leaves, '') };
}

function flattenInto(tree: unknown, leaves: Leaf[], path: string): Structure {
  if (tree instanceof Tensor || typeof tree === 'number' || typeof tree === 'boolean') {
    leaves.push(tree);
    return { kind: 'leaf' };
  }
  if (tree === null || tree === undefined) return { kind: 'none', value: tree };
  if (Array.isArray(tree)) return { kind: 'array', children: tree.map((t, i) => flattenInto(t, leaves, `${path}[${i}]`)) };
  if (isPlainObject(tree)) {
    const keys = Object.keys(tree).sort();
    return { kind: 'object', keys, children: keys.map((k) => flattenInto((tree as Record<string, unknown>)[k], leaves, `${path}.${k}`)) };
  }
  throw new TypeError(`kiln: ${path || 'the value'} is ${describe(tree)}; a pytree holds tensors, numbers and booleans in arrays and plain objects`);
}

const isPlainObject = (x: object): boolean => {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

const describe = (x: unknown): string => (ArrayBuffer.isView(x) ? 'a typed array (wrap it with np.array)' : `a ${(x as object).constructor?.name ?? typeof x}`);

/** The tree of `structure` with `leaves` in order. */
export function unflatten<T = Tree>(structure: Structure, leaves: readonly unknown[]): T {
  let next = 0;
  const build = (s: Structure): unknown => {
    switch (s.kind) {
      case 'leaf': return leaves[next++];
      case 'none': return s.value;
      case 'array': return s.children.map(build);
      case 'object': return Object.fromEntries(s.keys.map((k, i) => [k, build(s.children[i])]));
    }
  };
  const out = build(structure);
  if (next !== leaves.length) throw new Error(`kiln: the structure holds ${next} leaves, ${leaves.length} were given`);
  return out as T;
}

/** A string that is equal for equal structures (part of jit's cache key). */
export function structureKey(s: Structure): string {
  switch (s.kind) {
    case 'leaf': return '*';
    case 'none': return String(s.value);
    case 'array': return `[${s.children.map(structureKey).join(',')}]`;
    case 'object': return `{${s.keys.map((k, i) => `${JSON.stringify(k)}:${structureKey(s.children[i])}`).join(',')}}`;
  }
}

/** Applies `f` to each leaf of `tree`, keeping the structure (jax.tree.map). */
export function treeMap<T = Tree>(f: (...leaves: Leaf[]) => unknown, tree: unknown, ...rest: unknown[]): T {
  const { leaves, structure } = flatten(tree);
  const others = rest.map((r) => {
    const o = flatten(r);
    if (structureKey(o.structure) !== structureKey(structure)) throw new Error('kiln: treeMap over trees of different structures');
    return o.leaves;
  });
  return unflatten<T>(structure, leaves.map((l, i) => f(l, ...others.map((o) => o[i]))));
}

/** Each argument's [start, end) among the leaves of flatten(args), in order. */
export function leafRanges(args: readonly unknown[]): [number, number][] {
  let at = 0;
  return args.map((a) => {
    const n = flatten(a).leaves.length;
    at += n;
    return [at - n, at];
  });
}

/**
 * The positions, among flatten(args)'s leaves, of every leaf of the arguments at `argnums`
 * (ranges from leafRanges); a position past the arguments has none.
 */
export function leafPositions(ranges: readonly (readonly [number, number])[], argnums: readonly number[]): number[] {
  return argnums.flatMap((a) => {
    const [lo, hi] = ranges[a] ?? [0, 0];
    return Array.from({ length: hi - lo }, (_, i) => lo + i);
  });
}
