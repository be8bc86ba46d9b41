// grad, valueAndGrad, vjp, jvp and vmap: a function is traced to a module, the module is
// transformed by passes/autodiff or passes/batching (HLO → HLO, one rule per opcode), and
// the transformed module is inlined into the caller's graph on the caller's values. So a
// transformation works the same eagerly, inside jit, and nested in another one, and on
// anything that becomes HLO: traced functions and imported ONNX models alike.
import { isFloat } from '../../../ir/dtype.js';
import type { ArrayShape } from '../../../ir/shape.js';
import * as autodiff from '../../../passes/autodiff/index.js';
import * as batching from '../../../passes/batching/index.js';
import { inline } from './emit.js';
import type { Node } from './node.js';
import { asTensor, scalarTensor } from './ops.js';
import type { DType } from '../../../runtime/core/dtype.js';
import { flatten, leafPositions, leafRanges, unflatten, type Leaf, type Structure } from './pytree.js';
import { Tensor } from './tensor.js';
import { emitTraced, leafShape, trace, type Traced } from './trace.js';

type Fn = (...args: never[]) => unknown;

export interface GradOptions {
  /** The argument(s) differentiated (default 0); an array gives a gradient per position. */
  argnums?: number | readonly number[];
  /** fn returns [value, aux]: aux is returned beside the gradient, not differentiated. */
  hasAux?: boolean;
}

/** The leaves of `args` as graph nodes (a JS number as a weak f32 scalar, as trace() made its parameter). */
const argNodes = (leaves: readonly Leaf[]): Node[] => leaves.map((x) => asTensor(x).node);

const tensors = (nodes: readonly Node[], weak: readonly boolean[] = []): Tensor[] => nodes.map((n, i) => new Tensor(n, weak[i] ?? false));

/** valueAndGrad(fn)(...args) → [value, grads] (with hasAux: [[value, aux], grads]), grads shaped like args[argnums]. */
export function valueAndGrad<A extends unknown[]>(fn: (...args: A) => Tensor, opts?: { argnums?: 0 }): (...args: A) => [Tensor, A[0]];
export function valueAndGrad(fn: Fn, opts?: GradOptions): (...args: unknown[]) => [unknown, unknown];
export function valueAndGrad(fn: Fn, opts: GradOptions = {}) {
  return (...args: unknown[]): [unknown, unknown] => {
    const argnums = typeof opts.argnums === 'object' ? [...opts.argnums] : [opts.argnums ?? 0];
    const { leaves } = flatten(args);
    const t = trace(`grad_${fn.name || 'fn'}`, fn, args);
    const value = t.outputs[0];
    checkScalarLoss(value, opts.hasAux === true, t);
    const ranges = leafRanges(args);
    for (const a of argnums) if (!ranges[a]) throw new Error(`kiln: grad's argnums ${a} is out of range for ${args.length} arguments`);
    const wrt = leafPositions(ranges, argnums);
    checkFloatLeaves(leaves, wrt);
    const { module, captured } = emitTraced(t, [value]);
    // The value's cotangent is 1: the reverse pass then gives the gradient.
    const one = scalarTensor(1, (value.shape as ArrayShape).dtype as DType).node;
    const outs = inline(autodiff.vjp(module, { wrt }), [...argNodes(leaves), ...captured, one]);
    const grads = gradTrees(args, argnums, ranges, tensors(outs.slice(1)), typeof opts.argnums === 'object');
    if (!opts.hasAux) return [new Tensor(outs[0]), grads];
    return [[new Tensor(outs[0]), auxOf(t, leaves)], grads];
  };
}

/** grad(fn)(...args) → the gradient (with hasAux: [gradient, aux]). */
export function grad<A extends unknown[]>(fn: (...args: A) => Tensor, opts?: { argnums?: 0 }): (...args: A) => A[0];
export function grad(fn: Fn, opts?: GradOptions): (...args: unknown[]) => unknown;
export function grad(fn: Fn, opts: GradOptions = {}) {
  const vg = valueAndGrad(fn, opts);
  return (...args: unknown[]): unknown => {
    const [value, grads] = (vg as (...a: unknown[]) => [unknown, unknown])(...args);
    return opts.hasAux ? [grads, (value as unknown[])[1]] : grads;
  };
}

function checkScalarLoss(value: Node | undefined, hasAux: boolean, t: Traced): void {
  const shape = value?.shape as ArrayShape | undefined;
  const first = hasAux ? (t.output.kind === 'array' && t.output.children.length === 2 ? t.output.children[0] : undefined) : t.output;
  if (!shape || first?.kind !== 'leaf' || shape.dims.length !== 0 || !isFloat(shape.dtype))
    throw new TypeError(`kiln: grad needs fn to return a scalar floating-point value${hasAux ? ' first, as [value, aux]' : ' (or [value, aux] with hasAux)'}, got ${shape ? `${shape.dtype}[${shape.dims}]` : 'no tensor'}`);
}

function checkFloatLeaves(leaves: readonly Leaf[], wrt: readonly number[]): void {
  for (const i of wrt) {
    const s = leafShape(leaves[i]);
    if (!isFloat(s.dtype)) throw new TypeError(`kiln: grad is taken with respect to floating-point inputs; leaf ${i} is ${s.dtype}[${s.dims}]`);
  }
}

/** The gradient leaves rebuilt as trees shaped like the differentiated arguments. */
function gradTrees(args: readonly unknown[], argnums: readonly number[], ranges: readonly [number, number][], g: Tensor[], many: boolean): unknown {
  let next = 0;
  const trees = argnums.map((a) => {
    const { structure } = flatten(args[a]);
    const n = ranges[a][1] - ranges[a][0];
    next += n;
    return unflatten(structure, g.slice(next - n, next));
  });
  return many ? trees : trees[0];
}

/** The aux part of a [value, aux] result, computed by its own module on the same arguments. */
function auxOf(t: Traced, leaves: readonly Leaf[]): unknown {
  const auxStructure = (t.output as Extract<Structure, { kind: 'array' }>).children[1];
  const auxNodes = t.outputs.slice(1);
  if (auxNodes.length === 0) return unflatten(auxStructure, []);
  const { module, captured } = emitTraced(t, auxNodes);
  return unflatten(auxStructure, tensors(inline(module, [...argNodes(leaves), ...captured]), t.weakOutputs.slice(1)));
}

/** vjp(fn, ...primals) → [outputs, vjpFn]: vjpFn(cotangents shaped like outputs) gives one cotangent tree per primal. */
export function vjp(fn: Fn, ...primals: unknown[]): [unknown, (cotangents: unknown) => unknown[]] {
  const { leaves } = flatten(primals);
  const t = trace(`vjp_${fn.name || 'fn'}`, fn, primals);
  const { module, captured } = emitTraced(t);
  const args = [...argNodes(leaves), ...captured];
  const outputs = unflatten(t.output, tensors(inline(module, args), t.weakOutputs));
  const wrt = leaves.map((x, i) => i).filter((i) => isFloat(leafShape(leaves[i]).dtype));
  const floatOuts = t.outputs.map((n, i) => i).filter((i) => isFloat((t.outputs[i].shape as ArrayShape).dtype));
  const back = (cotangents: unknown): unknown[] => {
    const ct = flatten(cotangents).leaves.map((x) => asTensor(x));
    if (ct.length !== t.outputs.length) throw new Error(`kiln: vjp's cotangents have ${ct.length} leaves, the outputs ${t.outputs.length}`);
    const outs = inline(autodiff.vjp(module, { wrt }), [...args, ...floatOuts.map((i) => ct[i].node)]);
    const g = outs.slice(t.outputs.length);
    const all: (Tensor | null)[] = leaves.map(() => null);
    wrt.forEach((leaf, k) => { all[leaf] = new Tensor(g[k]); });
    const ranges = leafRanges(primals);
    return primals.map((p, a) => unflatten(flatten(p).structure, all.slice(ranges[a][0], ranges[a][1])));
  };
  return [outputs, back];
}

/** jvp(fn, primals, tangents) → [outputs, output tangents] (forward mode). */
export function jvp(fn: Fn, primals: readonly unknown[], tangents: readonly unknown[]): [unknown, unknown] {
  const { leaves } = flatten([...primals]);
  const tan = flatten([...tangents]).leaves.map((x) => asTensor(x));
  if (tan.length !== leaves.length) throw new Error(`kiln: jvp's tangents have ${tan.length} leaves, the primals ${leaves.length}`);
  const t = trace(`jvp_${fn.name || 'fn'}`, fn, [...primals]);
  const { module, captured } = emitTraced(t);
  const wrt = leaves.map((x, i) => i).filter((i) => isFloat(leafShape(leaves[i]).dtype));
  const outs = inline(autodiff.jvp(module, { wrt }), [...argNodes(leaves), ...captured, ...wrt.map((i) => tan[i].node)]);
  const n = t.outputs.length;
  const primalOut = unflatten(t.output, tensors(outs.slice(0, n), t.weakOutputs));
  let next = n;
  const tangentLeaves = t.outputs.map((o) => (isFloat((o.shape as ArrayShape).dtype) ? new Tensor(outs[next++]) : null));
  return [primalOut, unflatten(t.output, tangentLeaves)];
}

/** Per argument: the batched axis of each of its leaves, or null (not batched). */
export type InAxes = number | null | readonly (number | null)[];

/** vmap(fn, inAxes, outAxes)(...args): fn mapped over a batch axis of its arguments. */
export function vmap(fn: Fn, inAxes: InAxes = 0, outAxes = 0) {
  return (...args: unknown[]): unknown => {
    const { leaves } = flatten(args);
    const axes = leafAxes(args, inAxes);
    const size = batchSize(leaves, axes);
    const shapes = leaves.map((x, i) => {
      const s = leafShape(x);
      const a = axes[i];
      return a === null ? s : { ...s, dims: s.dims.filter((_, d) => d !== a) };
    });
    const t = trace(`vmap_${fn.name || 'fn'}`, fn, args, shapes);
    const { module, captured } = emitTraced(t);
    const batched = batching.vmap(module, [...axes, ...captured.map(() => null)], size, t.outputs.map(() => outAxes));
    return unflatten(t.output, tensors(inline(batched, [...argNodes(leaves), ...captured])));
  };
}

function leafAxes(args: readonly unknown[], inAxes: InAxes): (number | null)[] {
  const per = typeof inAxes === 'object' && inAxes !== null ? inAxes : args.map(() => inAxes as number | null);
  if (per.length !== args.length) throw new Error(`kiln: vmap's inAxes has ${per.length} entries for ${args.length} arguments`);
  return args.flatMap((a, i) => flatten(a).leaves.map((leaf) => {
    const ax = per[i];
    if (ax === null) return null;
    const rank = leafShape(leaf).dims.length;
    const n = ax < 0 ? ax + rank : ax;
    if (n < 0 || n >= rank) throw new Error(`kiln: vmap in_axes ${ax} is out of range for argument ${i}'s leaf of rank ${rank}`);
    return n;
  }));
}

function batchSize(leaves: readonly Leaf[], axes: readonly (number | null)[]): number {
  const sizes = new Set(axes.flatMap((a, i) => (a === null ? [] : [leafShape(leaves[i]).dims[a]])));
  if (sizes.size === 0) throw new Error('kiln: vmap needs at least one batched argument');
  if (sizes.size > 1) throw new Error(`kiln: vmap's batched axes have different sizes (${[...sizes].join(', ')})`);
  return [...sizes][0];
}
