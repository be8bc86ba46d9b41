// Graph ↔ module. `emit` turns the nodes a traced function returned into an HLO module:
// its own parameters in order, then the outer values it closes over as extra parameters,
// host data as constants. `inline` goes the other way: a module's entry applied to nodes,
// as new nodes, so a transformed module (a gradient, a batched function) joins the graph
// that called it.
import { ModuleBuilder, type ComputationBuilder } from '../../../ir/builder.js';
import { type Computation, type Instruction, type Module } from '../../../ir/module.js';
import type { OpAttrs, Opcode } from '../../../ir/opcodes.js';
import type { ArrayShape } from '../../../ir/shape.js';
import { opNode, type Node, type ParamNode } from './node.js';
import { hostArray, hostLiteral } from './host.js';

export interface Emitted {
  module: Module;
  /** Nodes the module reads as parameters after the trace's own, in order: outer values it closes over, or (eager) host data. */
  captured: Node[];
}

/** How host values (data, computed values) enter a module: as constants or as parameters. */
export type HostPolicy = (n: Node) => 'constant' | 'parameter';

/** Traced functions: scalars known now are constants (they fold), arrays and values still to come are parameters. */
export const scalarsAsConstants: HostPolicy = (n) => (hostArray(n) !== undefined && (n.shape as ArrayShape).dims.every((d) => d === 1) ? 'constant' : 'parameter');

/**
 * The module computing `outputs` from `params` (the trace's parameters, at `level`): a
 * tuple root of the outputs in order (even one, so callers read results alike). Outer
 * values it closes over, and host values the policy makes parameters, come after the
 * trace's own parameters; `captured` lists their nodes.
 */
export function emit(name: string, level: number, params: readonly ParamNode[], outputs: readonly Node[], host: HostPolicy = scalarsAsConstants): Emitted {
  const b = new ModuleBuilder(name);
  const captured: Node[] = [];
  b.entry('main', (c) => {
    const done = new Map<Node, Instruction>();
    const cloned = new Map<Computation, Computation>();
    for (const p of params) done.set(p, c.parameter(p.shape, `p${p.index}`));
    const lower = (n: Node): Instruction => {
      if (n.level > level) throw new Error(`kiln trace: a value of an inner transformation escaped it (node ${n.id}): return it instead of storing it`);
      if (isCaptured(n, level) || (isHost(n) && host(n) === 'parameter')) {
        captured.push(n);
        return c.parameter(n.shape as ArrayShape, `in${captured.length - 1}`);
      }
      if (isHost(n)) return c.constant(hostLiteral(n)!);
      return emitOp(b, c, n, done, cloned);
    };
    return c.tuple(outputs.map((o) => walk(o, done, (n) => !isCaptured(n, level) && !isHost(n), lower)));
  });
  return { module: b.build(), captured };
}

/** A value that lives on the host: data (maybe still to come) or an op already computed. */
export const isHost = (n: Node): boolean => n.kind === 'data' || (n.kind === 'op' && n.value !== undefined);

/** An eager read: the module of `outputs` over the host data they read, and that data's nodes in parameter order. */
export function emitEager(outputs: readonly Node[]): { module: Module; inputs: Node[] } {
  const { module, captured } = emit('eager', 0, [], outputs, () => 'parameter');
  return { module, inputs: captured };
}

/** Emits `root` after its operands, depth first without recursion (graphs can be deep). */
function walk(root: Node, done: Map<Node, Instruction>, expands: (n: Node) => boolean, lower: (n: Node) => Instruction): Instruction {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack[stack.length - 1];
    if (done.has(n)) { stack.pop(); continue; }
    const pending = n.kind === 'op' && expands(n) ? n.operands.filter((o) => !done.has(o)) : [];
    if (pending.length > 0) { stack.push(...pending); continue; }
    stack.pop();
    done.set(n, lower(n));
  }
  return done.get(root)!;
}

/** A value of an enclosing trace: a parameter here, the outer node its argument. */
const isCaptured = (n: Node, level: number): boolean => n.level > 0 && n.level < level;

function emitOp(b: ModuleBuilder, c: ComputationBuilder, n: Node, done: Map<Node, Instruction>, cloned: Map<Computation, Computation>): Instruction {
  if (n.kind !== 'op') throw new Error(`kiln trace: a parameter of another trace (node ${n.id}) reached this one`);
  const attrs = cloneAttrs(b, n.attrs, cloned);
  return c.op(n.opcode, n.operands.map((o) => done.get(o)!), attrs as OpAttrs<Opcode>, n.shape) as Instruction;
}

/** Attributes with every called computation replaced by its copy in the module being built. */
function cloneAttrs(b: ModuleBuilder, attrs: object, cloned: Map<Computation, Computation>): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (isComputation(v)) out[k] = cloneComputation(b, v, cloned);
    else if (Array.isArray(v) && v.length > 0 && isComputation(v[0])) out[k] = v.map((x) => cloneComputation(b, x, cloned));
    else out[k] = v;
  }
  return out;
}

const isComputation = (v: unknown): v is Computation => typeof v === 'object' && v !== null && 'instructions' in v && 'root' in v;

function cloneComputation(b: ModuleBuilder, comp: Computation, cloned: Map<Computation, Computation>): Computation {
  const have = cloned.get(comp);
  if (have) return have;
  const copy = b.computation(comp.name, (c) => {
    const map = new Map<Instruction, Instruction>();
    for (const p of comp.params) map.set(p, c.parameter(p.shape, p.name));
    for (const i of comp.instructions) {
      if (i.opcode === 'parameter') continue;
      const attrs = cloneAttrs(b, i.attrs, cloned);
      map.set(i, c.op(i.opcode, i.operands.map((o) => map.get(o)!), attrs as OpAttrs<Opcode>, i.shape, i.name) as Instruction);
    }
    return map.get(comp.root)!;
  });
  cloned.set(comp, copy);
  return copy;
}

/**
 * The entry of `m` applied to `args` (one node per entry parameter), as nodes: one per
 * root tuple element, or the root. Called computations stay `m`'s; emit copies them.
 */
export function inline(m: Module, args: readonly Node[]): Node[] {
  const entry = m.entry;
  if (args.length !== entry.params.length) throw new Error(`kiln trace: ${m.name} takes ${entry.params.length} arguments, got ${args.length}`);
  const map = new Map<Instruction, Node>();
  entry.params.forEach((p, i) => map.set(p, args[i]));
  for (const i of entry.instructions) {
    if (i.opcode === 'parameter') continue;
    if (i.opcode === 'tuple' && i === entry.root) break;
    map.set(i, opNode(i.opcode, i.operands.map((o) => map.get(o)!), i.attrs as OpAttrs<Opcode>, i.shape));
  }
  const root = entry.root;
  return root.opcode === 'tuple' ? root.operands.map((o) => map.get(o)!) : [map.get(root)!];
}
