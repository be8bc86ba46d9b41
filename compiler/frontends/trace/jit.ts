// jit(fn): fn traced once per signature (the arguments' structure, each leaf's dtype and
// shape, the static arguments), the module compiled for the chosen backend and kept, and
// each call run on it. Calls return at once: their outputs are tensors whose values
// arrive when the run finishes (`await t.data()`), as JAX dispatches asynchronously, and
// may be passed to the next call before then. Inside another trace a jitted function is
// simply called, so its ops join the enclosing trace (as jax.jit inlines nested jits).
import type { Module } from '../../../ir/module.js';
import { printModule } from '../../../ir/print.js';
import type { ArrayShape } from '../../../ir/shape.js';
import type { BackendName } from '../../api/types.js';
import type { Prepared } from '../../api/compile.js';
import type { TypedArray } from '../../../runtime/core/dtype.js';
import { config } from './config.js';
import { executableFor } from './executables.js';
import { hostArray } from './host.js';
import { pendingNode, tracing, type Node } from './node.js';
import { ResidentRunner } from './resident.js';
import { flatten, leafPositions, leafRanges, structureKey, unflatten, type Leaf } from './pytree.js';
import { arrived, realize } from './realize.js';
import { Tensor } from './tensor.js';
import { emitTraced, trace, type Traced } from './trace.js';

export interface JitOptions {
  /** Where it runs (default: setBackend's, 'wasm' unless changed). */
  backend?: BackendName;
  /** wasm threads (default 1). */
  threads?: number;
  /** Positions of arguments that are not traced: part of the cache key, passed to fn as they are. */
  staticArgnums?: readonly number[];
  /** The module's name (default: fn's name). */
  name?: string;
  /**
   * Positions of arguments whose buffers the call may reuse for its results (jax.jit's
   * donate_argnums): each output leaf takes the first donated input leaf of its shape and
   * dtype. On wasm the results are then written over those inputs in the executable's
   * memory, and a result passed back in the same place is neither copied in nor out (a
   * train step moves no weights); such a donated tensor cannot be read after the call.
   * Other backends ignore it.
   */
  donateArgnums?: readonly number[];
}

export interface Lowered {
  /** The traced module, before kiln's passes. */
  readonly module: Module;
  /** Its HLO text. */
  asText(): string;
}

export type Jitted<F extends (...args: never[]) => unknown> = F & {
  /** Traces (without compiling or running) for these arguments. */
  lower(...args: Parameters<F>): Lowered;
};

interface Entry {
  traced: Traced;
  module: Module;
  captured: Node[];
  executable: Promise<Prepared>;
  outShapes: ArrayShape[];
  /** With donated inputs on wasm: runs that leave aliased results in the model's memory. */
  runner?: Promise<ResidentRunner>;
}

export function jit<F extends (...args: never[]) => unknown>(fn: F, options: JitOptions = {}): Jitted<F> {
  const cache = new Map<string, Entry>();
  const statics = new Set(options.staticArgnums ?? []);
  const name = options.name ?? (fn.name || 'jit');

  const split = (args: unknown[]) => {
    const traced = args.map((a, i) => (statics.has(i) ? null : a));
    const fixed = args.map((a, i) => (statics.has(i) ? a : undefined));
    return { traced, fixed, bound: (...xs: unknown[]) => fn(...(xs.map((x, i) => (statics.has(i) ? fixed[i] : x)) as never[])) };
  };

  const entryFor = (args: unknown[]): { entry: Entry; leaves: Leaf[] } => {
    const { traced, fixed, bound } = split(args);
    const { leaves, structure } = flatten(traced);
    const key = `${structureKey(structure)}|${leaves.map(leafKey).join(';')}|${statics.size > 0 ? staticKey(fixed) : ''}`;
    let entry = cache.get(key);
    if (!entry) {
      entry = makeEntry(trace(name, bound as never, traced), new Set(leafPositions(leafRanges(traced), options.donateArgnums ?? [])), options);
      cache.set(key, entry);
    }
    return { entry, leaves };
  };

  const call = (...args: unknown[]): unknown => {
    if (tracing()) return fn(...(args as never[]));
    const { entry, leaves } = entryFor(args);
    const outs = entry.outShapes.map((s) => pendingNode(s));
    const inputs = () => inputsOf(entry, leaves);
    if (entry.runner) {
      entry.runner.then((r) => r.run(inputs, outs), (e) => outs.forEach((o) => o.fail(e)));
    } else {
      run(entry, inputs).then((r) => outs.forEach((o, i) => o.settle(r[i])), (e) => outs.forEach((o) => o.fail(e)));
    }
    return unflatten(entry.traced.output, outs.map((o, i) => new Tensor(o.node, entry.traced.weakOutputs[i])));
  };

  const jitted = call as unknown as Jitted<F>;
  jitted.lower = (...args: Parameters<F>): Lowered => {
    const { module } = entryFor(args as unknown[]).entry;
    return { module, asText: () => printModule(module) };
  };
  return jitted;
}

function makeEntry(t: Traced, donated: ReadonlySet<number>, options: JitOptions): Entry {
  const { module, captured } = emitTraced(t);
  const root = module.entry.root.shape;
  const outShapes = root.kind === 'tuple' ? (root.elements as ArrayShape[]) : [root];
  const backend = options.backend ?? config.backend;
  const aliasOf = backend === 'wasm' ? matchAliases(module, outShapes, donated) : [];
  const aliases = aliasOf.flatMap((param, output) => (param === undefined ? [] : [{ output, param }]));
  const executable = executableFor(module, { backend, threads: options.threads ?? config.threads, aliases });
  executable.catch(() => {});
  const runner = aliases.length > 0 ? executable.then((exe) => new ResidentRunner(exe.model!, aliasOf, donated)) : undefined;
  return { traced: t, module, captured, executable, outShapes, runner };
}

/** Per output leaf, the first unused donated parameter of its shape and dtype (as jax.jit matches them). */
function matchAliases(m: Module, outShapes: readonly ArrayShape[], donated: ReadonlySet<number>): (number | undefined)[] {
  const free = [...donated].sort((a, b) => a - b);
  const same = (a: ArrayShape, b: ArrayShape) => a.dtype === b.dtype && a.dims.join() === b.dims.join();
  return outShapes.map((s) => {
    const k = free.findIndex((p) => same(m.entry.params[p].shape as ArrayShape, s));
    return k < 0 ? undefined : free.splice(k, 1)[0];
  });
}

/** The call's inputs once known: leaves computed, results of earlier calls arrived. */
async function inputsOf(entry: Entry, leaves: readonly Leaf[]): Promise<(Node | TypedArray)[]> {
  const nodes: (Node | undefined)[] = [...leaves.map((x) => (x instanceof Tensor ? x.node : undefined)), ...entry.captured];
  const lazy = nodes.filter((n): n is Node => n !== undefined && n.kind === 'op' && n.value === undefined);
  if (lazy.length > 0) await realize(lazy.map((n) => new Tensor(n)));
  await arrived(nodes.filter((n): n is Node => n !== undefined));
  return nodes.map((n, i) => n ?? numberArray(leaves[i] as number | boolean));
}

/** Runs the entry's executable on host copies of its inputs. */
async function run(entry: Entry, inputs: () => Promise<(Node | TypedArray)[]>): Promise<TypedArray[]> {
  const exe = await entry.executable;
  const given = await inputs();
  return exe.run(given.map((x) => (ArrayBuffer.isView(x) ? x : hostArray(x)!)));
}

const numberArray = (x: number | boolean): TypedArray => (typeof x === 'boolean' ? new Uint8Array([x ? 1 : 0]) : new Float32Array([x]));

function leafKey(x: Leaf): string {
  if (x instanceof Tensor) return `${x.dtype}[${x.shape.join(',')}]${x.weak ? 'w' : ''}`;
  return typeof x === 'boolean' ? 'pred' : 'num';
}

function staticKey(fixed: unknown[]): string {
  try {
    return JSON.stringify(fixed);
  } catch {
    throw new TypeError('kiln: jit static arguments must be JSON values (they are part of the cache key)');
  }
}
