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
import { futureNode, tracing, type Node } from './node.js';
import { flatten, structureKey, unflatten, type Leaf } from './pytree.js';
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
      const t = trace(name, bound as never, traced);
      const { module, captured } = emitTraced(t);
      const executable = executableFor(module, { backend: options.backend ?? config.backend, threads: options.threads ?? config.threads });
      executable.catch(() => {});
      const root = module.entry.root.shape;
      entry = { traced: t, module, captured, executable, outShapes: root.kind === 'tuple' ? (root.elements as ArrayShape[]) : [root] };
      cache.set(key, entry);
    }
    return { entry, leaves };
  };

  const call = (...args: unknown[]): unknown => {
    if (tracing()) return fn(...(args as never[]));
    const { entry, leaves } = entryFor(args);
    const results = run(entry, leaves);
    const outs = entry.outShapes.map((s, i) => new Tensor(futureNode(s, results.then((r) => r[i])), entry.traced.weakOutputs[i]));
    return unflatten(entry.traced.output, outs);
  };

  const jitted = call as unknown as Jitted<F>;
  jitted.lower = (...args: Parameters<F>): Lowered => {
    const { module } = entryFor(args as unknown[]).entry;
    return { module, asText: () => printModule(module) };
  };
  return jitted;
}

/** Runs the entry's executable once its inputs (some maybe still being computed) are known. */
async function run(entry: Entry, leaves: readonly Leaf[]): Promise<TypedArray[]> {
  const nodes: (Node | undefined)[] = [...leaves.map((x) => (x instanceof Tensor ? x.node : undefined)), ...entry.captured];
  const exe = await entry.executable;
  const lazy = nodes.filter((n): n is Node => n !== undefined && n.kind === 'op' && n.value === undefined);
  if (lazy.length > 0) await realize(lazy.map((n) => new Tensor(n)));
  await arrived(nodes.filter((n): n is Node => n !== undefined));
  const inputs = nodes.map((n, i) => (n ? hostArray(n)! : numberArray(leaves[i] as number | boolean)));
  return exe.run(inputs);
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
