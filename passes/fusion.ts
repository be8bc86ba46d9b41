// Instruction fusion, XLA style: groups of instructions become one `fusion` instruction
// whose called computation (`fused_computation`, `fused_computation.1`, ...) holds them.
//
//   kLoop    elementwise ops with their cheap data-movement producers (broadcast, reshape,
//            transpose, slice, iota, small constants...), one loop over the output.
//   kInput   a reduce with the elementwise producers of the values it reduces.
//   kOutput  a dot or convolution with the elementwise chain that consumes it (bias add,
//            activation): the tiled kernel's epilogue.
//   kRow     a row's reductions along the minor dim with their producers and the consumers
//            of the reduced values (softmax, LayerNorm: fusion/row.ts), tried first at every
//            root; it may have extra outputs (a tuple root).
//
// Like XLA's InstructionFusion the pass walks each computation from its root towards its
// parameters; every instruction not yet taken may start a group and the group then pulls
// in producers, latest first. A producer joins when every user it has is already in the
// group (it moves in), or when it is cheap to duplicate (scalar constants, iota, broadcasts
// of scalars or constants, reshape, bitcast, convert) or to recompute (an elementwise op
// that is not expensive, with few users): then the group gets a copy and the original
// stays for its other users (and disappears if they all took copies). Each group stays convex (no path leaves it and comes
// back) because a producer only moves in once all of its users are inside, and a group
// has one output, its root; so fusing never makes a cycle. Groups with more outputs (a row
// group's extra outputs, siblings merged by fusion/siblings.ts) are checked by a walk
// along users instead (docs/passes.md, "Fusion").
import { calledComputations, type Computation, type Instruction, type Module, usersOf } from '../ir/module.js';
import { NameUniquer } from '../ir/builder.js';
import { isElementwise, type Opcode } from '../ir/opcodes.js';
import type { ArrayShape, Shape } from '../ir/shape.js';
import { cloneModule, hasSideEffect, isOpaqueOrRandom, makeInstruction, moduleNames } from './rewrite.js';
import { growRow } from './fusion/row.js';
import { materialise } from './fusion/materialise.js';
import { mergeSiblings } from './fusion/siblings.js';

export type FusionKind = 'kLoop' | 'kInput' | 'kOutput' | 'kRow';

/** Groups larger than this stop growing (XLA caps fusion size too). */
const MAX_MEMBERS = 128;
/** Non-scalar constants up to this many elements may move into a fusion. */
const SMALL_CONSTANT = 64;

/** Data movement a loop fusion computes by index arithmetic. */
const LOOP_STRUCTURAL = new Set<Opcode>(['broadcast', 'reshape', 'bitcast', 'transpose', 'slice', 'reverse', 'pad', 'concatenate', 'iota', 'constant']);

/** Elementwise ops worth not recomputing: fused below a broadcast they would run once per copy. */
const EXPENSIVE = new Set<Opcode>([
  'exponential', 'exponential-minus-one', 'log', 'log-plus-one', 'tanh', 'logistic', 'sqrt', 'rsqrt', 'cbrt',
  'sine', 'cosine', 'tan', 'erf', 'divide', 'remainder', 'power', 'atan2',
  'acos', 'acosh', 'asin', 'asinh', 'atanh', 'cosh', 'sinh',
]);

const elementCount = (s: Shape): number => (s.kind === 'array' ? s.dims.reduce((a, b) => a * b, 1) : Infinity);
const isArray = (s: Shape): s is ArrayShape => s.kind === 'array';
const isScalar = (s: Shape): boolean => s.kind === 'array' && s.dims.length === 0;

/** May be copied into every fusion that reads it (XLA: cheap enough to duplicate). */
export function cheapToDuplicate(i: Instruction): boolean {
  switch (i.opcode) {
    case 'constant': return isScalar(i.shape);
    case 'iota': case 'reshape': case 'bitcast': case 'convert': return true;
    // Index arithmetic over its operand, which every copy reads in place.
    case 'broadcast': return true;
    default: return false;
  }
}

/** Users beyond which a producer is not recomputed in each of them. */
const MAX_RECOMPUTE_USERS = 3;

/**
 * An elementwise op cheap enough to compute again in each consumer rather than write out
 * and read back (XLA fuses such producers into every consumer too): LayerNorm's x − mean
 * feeds both the variance reduction and the normalisation. Not when the consumer reads
 * it more than once per element, and not for ops worth computing once (EXPENSIVE).
 */
function cheapToRecompute(i: Instruction, users: Map<Instruction, Instruction[]>, reused: boolean): boolean {
  return isElementwise(i.opcode) && !EXPENSIVE.has(i.opcode) && !reused && isArray(i.shape) &&
    (users.get(i) ?? []).length <= MAX_RECOMPUTE_USERS && i.operands.every(readsForFree);
}

/**
 * What a recomputed op may read: values that exist in memory anyway (parameters, and the
 * results of ops that are never recomputed) or that cost nothing to copy. An elementwise
 * operand would be copied in turn while its original stays for the other users, and the
 * copies would cascade up to the next expensive op, which then gets written out.
 */
function readsForFree(o: Instruction): boolean {
  return o.opcode === 'parameter' || cheapToDuplicate(o) || !(isElementwise(o.opcode) || LOOP_STRUCTURAL.has(o.opcode));
}

/** Computed inside a loop fusion, one output element at a time. */
function loopFusible(i: Instruction): boolean {
  if (!isArray(i.shape)) return false;
  if (i.opcode === 'constant') return elementCount(i.shape) <= SMALL_CONSTANT;
  return isElementwise(i.opcode) || LOOP_STRUCTURAL.has(i.opcode);
}

/** Never fused, as producer or as consumer. */
function neverFused(i: Instruction): boolean {
  return i.opcode === 'parameter' || hasSideEffect(i) || isOpaqueOrRandom(i) || i.asyncOf !== undefined;
}

/** A broadcast that makes more elements than it reads: what it reads is used many times. */
const expands = (i: Instruction): boolean => i.opcode === 'broadcast' && elementCount(i.shape) > elementCount(i.operands[0].shape);

interface Group {
  root: Instruction;
  members: Set<Instruction>;
  /** Member → read more than once per output element (below an expanding broadcast). */
  reused: Map<Instruction, boolean>;
  /** Member → every path from it to the root is elementwise (where a dot/conv may sit). */
  ewPath: Map<Instruction, boolean>;
  /** Members whose operands are not fused (the dot or convolution of a kOutput fusion). */
  leaves: Set<Instruction>;
  /** Members that are copies: something outside the group still reads the original. */
  copies: Set<Instruction>;
  kind: FusionKind;
  /** Members read outside the group too (row groups only): outputs besides the root. */
  extraOutputs?: Instruction[];
}

export interface FusionOptions {
  /**
   * Form kRow groups (default true). A CPU computes a row group in one pass per row; a GPU
   * target without a workgroup-per-row kernel for them yet computes the row's reductions
   * faster as kInput fusions under its reduction schedule (passes/lower/gpu_reduce.ts).
   */
  readonly rows?: boolean;
}

/** Fuses the entry and the computations that while, conditional and call run. */
export function fusion(input: Module, opts: FusionOptions = {}): Module {
  const m = cloneModule(input);
  const names = moduleNames(m);
  const compNames = new NameUniquer();
  for (const c of m.computations) compNames.unique(c.name);
  const targets = new Set<Computation>([m.entry]);
  for (const c of m.computations)
    for (const i of c.instructions)
      if (i.opcode === 'while' || i.opcode === 'conditional' || i.opcode === 'call') for (const callee of calledComputations(i)) targets.add(callee);
  const out: Computation[] = [];
  for (const c of m.computations) {
    if (targets.has(c)) out.push(...fuseComputation(c, names, compNames, opts.rows ?? true));
    out.push(c);
  }
  m.computations = out;
  return m;
}

/** Fuses inside one computation; returns the new fused computations (callees of `c`). */
export function fuseComputation(c: Computation, names: NameUniquer, compNames: NameUniquer, rows = true): Computation[] {
  const order = new Map(c.instructions.map((i, k) => [i, k]));
  const users = usersOf(c);
  /** Instruction → the group it roots or moved into (duplicated copies are not recorded here). */
  const owner = new Map<Instruction, Group>();
  const groups: Group[] = [];
  // Instructions with control dependencies (either end) stay put, as in XLA.
  const pinned = controlDependent(c);
  const fixed = (i: Instruction) => neverFused(i) || pinned.has(i);
  /** Copied into some group: never a root itself (the copies would read what it fused). */
  const copied = new Set<Instruction>();

  for (let k = c.instructions.length - 1; k >= 0; k--) {
    const root = c.instructions[k];
    if (owner.has(root) || copied.has(root) || fixed(root) || !canRoot(root)) continue;
    const g = (rows ? rowGroup(root, users, order, owner, fixed) : undefined) ?? grow(root, users, order, owner, fixed);
    if (worthFusing(g)) {
      groups.push(g);
      owner.set(root, g);
      for (const x of g.members) {
        if (x === root) continue;
        if (g.copies.has(x) || x === c.root) copied.add(x);
        else owner.set(x, g);
      }
    }
  }
  if (groups.length === 0) return [];
  const merged = mergeSiblings(groups, users);
  for (const g of merged) if (g.extraOutputs) g.extraOutputs = g.extraOutputs.filter((x) => readOutside(x, g, merged, users));
  return materialise(c, merged, users, names, compNames);
}

/**
 * Whether something outside `g` still reads `x` itself: a user outside every group that
 * holds `x`. A group grown later may have taken its own copy of `x` for each user outside,
 * and then the extra output would be written for no one.
 */
function readOutside(x: Instruction, g: Group, groups: Group[], users: Map<Instruction, Instruction[]>): boolean {
  return (users.get(x) ?? []).some((u) => !g.members.has(u) && !groups.some((h) => h !== g && h.members.has(u) && h.members.has(x)));
}

/** A row group (fusion/row.ts) rooted at `root`, tried before the ordinary kinds. */
function rowGroup(
  root: Instruction, users: Map<Instruction, Instruction[]>, order: Map<Instruction, number>, owner: Map<Instruction, Group>,
  fixed: (i: Instruction) => boolean,
): Group | undefined {
  const r = growRow(root, users, order, (i) => owner.has(i) || fixed(i));
  if (!r) return undefined;
  const none = new Map([...r.members].map((x) => [x, false]));
  return { root, members: r.members, reused: none, ewPath: none, leaves: new Set(), copies: r.copies, kind: 'kRow', extraOutputs: r.extraOutputs };
}

function canRoot(i: Instruction): boolean {
  if (i.opcode === 'reduce') return true;
  return loopFusible(i) && i.opcode !== 'constant' && i.opcode !== 'iota';
}

/** Worth a fusion: two or more members, one of which computes or moves data for real. */
function worthFusing(g: Group): boolean {
  if (g.members.size < 2) return false;
  const trivial = new Set<Opcode>(['constant', 'iota', 'broadcast', 'reshape', 'bitcast']);
  return [...g.members].some((i) => !trivial.has(i.opcode));
}

/** Instructions that name control predecessors, and those they name. */
function controlDependent(c: Computation): Set<Instruction> {
  const out = new Set<Instruction>();
  const byName = new Map(c.instructions.map((i) => [i.name, i]));
  for (const i of c.instructions)
    for (const r of i.raw)
      if (r.name === 'control-predecessors' || r.name === 'control-successors') {
        out.add(i);
        for (const w of r.text.match(/[A-Za-z_][\w.\-]*/g) ?? []) {
          const d = byName.get(w);
          if (d) out.add(d);
        }
      }
  return out;
}

function grow(
  root: Instruction, users: Map<Instruction, Instruction[]>, order: Map<Instruction, number>, owner: Map<Instruction, Group>,
  fixed: (i: Instruction) => boolean,
): Group {
  const g: Group = {
    root, members: new Set([root]), reused: new Map([[root, false]]), ewPath: new Map([[root, isElementwise(root.opcode)]]),
    leaves: new Set(), copies: new Set(), kind: root.opcode === 'reduce' ? 'kInput' : 'kLoop',
  };
  // Candidates, taken latest first so that every user a producer has in the group is already there.
  const pending = new Set<Instruction>();
  const push = (i: Instruction) => {
    for (const o of i.operands) if (!g.members.has(o)) pending.add(o);
  };
  push(root);
  while (pending.size > 0 && g.members.size < MAX_MEMBERS) {
    let p: Instruction | undefined;
    for (const x of pending) if (p === undefined || order.get(x)! > order.get(p)!) p = x;
    pending.delete(p!);
    const producer = p!;
    if (!order.has(producer) || owner.has(producer) || fixed(producer)) continue;
    const inside = (users.get(producer) ?? []).filter((u) => g.members.has(u));
    if (inside.length === 0) continue;
    // A user that is itself a copy keeps the original alive outside, and so this producer too.
    const allInside = inside.length === (users.get(producer) ?? []).length && !inside.some((u) => g.copies.has(u));
    const reused = inside.some((u) => g.reused.get(u) || expands(u));
    if (!allInside && !cheapToDuplicate(producer) && !cheapToRecompute(producer, users, reused)) continue;
    const ewPath = inside.every((u) => isElementwise(u.opcode) && g.ewPath.get(u) === true);
    if (!acceptable(producer, inside, g, reused, ewPath, allInside)) continue;
    g.members.add(producer);
    g.reused.set(producer, reused);
    g.ewPath.set(producer, ewPath);
    if (!allInside) g.copies.add(producer);
    if (producer.opcode === 'dot' || producer.opcode === 'convolution') {
      g.leaves.add(producer);
      g.kind = 'kOutput';
    } else push(producer);
  }
  return g;
}

function acceptable(p: Instruction, inside: Instruction[], g: Group, reused: boolean, ewPath: boolean, allInside: boolean): boolean {
  if (p.opcode === 'dot' || p.opcode === 'convolution') {
    // Output fusion: one dot/conv per group, under an elementwise chain to an elementwise root, read once.
    return g.kind === 'kLoop' && allInside && ewPath && !reused && isArray(p.shape);
  }
  if (g.root.opcode === 'reduce' && inside.includes(g.root)) {
    // A reduce's init values: only scalar constants; its inputs: loop-fusible producers.
    const n = g.root.operands.length / 2;
    const asInit = g.root.operands.slice(n).includes(p);
    if (asInit && !(p.opcode === 'constant' && isScalar(p.shape))) return false;
  }
  if (!loopFusible(p)) return false;
  if (reused && EXPENSIVE.has(p.opcode)) return false;
  return true;
}

