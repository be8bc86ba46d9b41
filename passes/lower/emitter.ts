// The elemental emitter: the value of an HLO instruction at one output index, as kernel
// IR, composed from the values of its operands at the indices it reads (XLA's
// ElementalIrEmitter). Loop fusions, reductions, epilogues and single ops all lower
// through it, so each opcode's per-element meaning is written once (elemental.ts).
//
// Vectors: in 4-lane mode an index component may be lane-varying (lane l reads e + l).
// Index maps keep that flag where they can (broadcast, transpose, contiguous slices,
// reshapes that keep the minor dimension's multiple of 4); anything else is emitted lane
// by lane and packed, which is always correct.
import type { Computation, Instruction } from '../../ir/module.js';
import { strides as rowMajorStrides, type ArrayShape } from '../../ir/shape.js';
import * as k from '../../ir/kernel/build.js';
import type { Expr, Lanes, ScalarType, Stmt } from '../../ir/kernel/kernel.js';
import { printExpr } from '../../ir/kernel/print.js';
import { computeType } from './types.js';
import { asParam } from './elemental_math.js';
import type { KernelBuilder } from './kernel_builder.js';
import { NotCompiled } from './errors.js';

/** One index component; `lane` marks e + l for lane l in 4-lane mode. */
export interface Idx {
  readonly e: Expr;
  readonly lane: boolean;
}

export const fixed = (e: Expr): Idx => ({ e, lane: false });
export const idxOf = (es: readonly Expr[]): Idx[] => es.map(fixed);

/** How an instruction's value is read when it is not computed here (a buffer or a given value). */
export type Leaf =
  | { readonly k: 'buffer'; readonly buf: number; readonly shape: ArrayShape }
  | { readonly k: 'value'; readonly values: readonly Expr[] };

export type ElementRule = (em: Emitter, instr: Instruction, index: readonly Idx[]) => Expr[];

export class Emitter {
  /** Statements emitted so far, at the current insertion point. */
  out: Stmt[] = [];
  private cache = new Map<string, Expr[]>();
  private useCount = new Map<Instruction, number>();

  constructor(
    readonly kb: KernelBuilder,
    readonly lanes: Lanes,
    private readonly leaves: Map<Instruction, Leaf>,
    private readonly rules: (op: Instruction['opcode']) => ElementRule | string,
    /** Whether rules may compute in 4-lane vectors where this emitter is scalar (no 64-bit values in the kernel). */
    readonly vectorsOk = false,
  ) {}

  /** Count users inside a computation so shared values are bound once. */
  noteUses(c: Computation): void {
    for (const i of c.instructions) for (const o of i.operands) this.useCount.set(o, (this.useCount.get(o) ?? 0) + 1);
  }

  /** The value (one Expr per tuple leaf for tuple-shaped ops) of `instr` at `index`. */
  values(instr: Instruction, index: readonly Idx[]): Expr[] {
    const key = `${instr.name}@${index.map((i) => `${printExpr(i.e)}${i.lane ? '+l' : ''}`).join(',')}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const leaf = this.leaves.get(instr);
    let vs: Expr[];
    if (leaf) vs = leaf.k === 'value' ? leaf.values.map((v) => this.widen(v)) : [this.load(leaf.buf, leaf.shape, index)];
    else {
      const rule = this.rules(instr.opcode);
      if (typeof rule === 'string') throw new NotCompiled(instr, rule);
      vs = rule(this, instr, index);
    }
    if ((this.useCount.get(instr) ?? 0) > 1) vs = vs.map((v) => this.bind(instr.name, v));
    this.cache.set(key, vs);
    return vs;
  }

  value(instr: Instruction, index: readonly Idx[]): Expr {
    return this.values(instr, index)[0];
  }

  /** Bind `v` to a fresh variable unless it is already a leaf expression. */
  bind(hint: string, v: Expr): Expr {
    if (v.k === 'const' || v.k === 'var') return v;
    const name = this.kb.fresh(hint);
    this.out.push(k.letStmt(name, v));
    return k.variable(name, v.type);
  }

  /** Scalars become vectors in 4-lane mode. */
  widen(v: Expr): Expr {
    return this.lanes === 4 && v.type.lanes === 1 ? k.splat(v) : v;
  }

  constant(scalar: ScalarType, value: number | bigint): Expr {
    return this.widen(k.constant(scalar, value));
  }

  /** Emits `body` with statements going into a fresh list, returned with its value. */
  nested<T>(body: () => T): [Stmt[], T] {
    const saved = this.out;
    const savedCache = this.cache;
    this.out = [];
    // Values computed inside a loop body are not visible after it.
    this.cache = new Map(savedCache);
    try {
      const v = body();
      return [this.out, v];
    } finally {
      this.out = saved;
      this.cache = savedCache;
    }
  }

  /** Element `index` of a buffer holding an array of `shape`. */
  load(buf: number, shape: ArrayShape, index: readonly Idx[]): Expr {
    const scalar = computeType(shape.dtype);
    const strides = rowMajorStrides(shape.dims);
    let base: Expr = k.int(0);
    let laneStride = 0;
    for (let d = 0; d < index.length; d++) {
      base = k.add(base, k.mul(index[d].e, k.int(strides[d])));
      if (index[d].lane) laneStride += strides[d];
    }
    if (this.lanes === 1) return k.load(buf, base, scalar);
    if (laneStride === 0) return k.splat(this.bind('s', k.load(buf, base, scalar)));
    if (laneStride === 1 && (scalar === 'f32' || scalar === 's32' || scalar === 'u32') && isWord(shape.dtype)) return k.load(buf, base, scalar, 4);
    const b = this.bind('i', base);
    return k.vector([0, 1, 2, 3].map((l) => k.load(buf, k.add(b, k.int(l * laneStride)), scalar)));
  }

  /** A one-lane emitter writing into the same statements (index arithmetic, start indices). */
  scalar(): Emitter {
    return this.withLanes(1);
  }

  /** A four-lane emitter writing into the same statements (a row reduction's vector loop). */
  vector(): Emitter {
    if (!this.vectorsOk) throw new Error('lowering: vectors asked for in a kernel that must stay scalar');
    return this.withLanes(4);
  }

  private withLanes(lanes: Lanes): Emitter {
    if (this.lanes === lanes) return this;
    const em = new Emitter(this.kb, lanes, this.leaves, this.rules, this.vectorsOk);
    em.useCount = this.useCount;
    em.out = this.out;
    return em;
  }

  /**
   * Emits `comp` (a scalar computation: a reducer, comparator or map function) on
   * `args`, one value per parameter; returns its root's values.
   */
  inline(comp: Computation, args: readonly Expr[]): Expr[] {
    const leaves = new Map<Instruction, Leaf>(comp.params.map((p, i) => [p, { k: 'value', values: [asParam(p, args[i])] } as Leaf]));
    const sub = new Emitter(this.kb, this.lanes, leaves, this.rules, this.vectorsOk);
    sub.noteUses(comp);
    sub.out = this.out;
    return sub.values(comp.root, []);
  }

  /** Emits the value lane by lane with scalar indices and packs the lanes (always correct). */
  perLane(index: readonly Idx[], f: (em: Emitter, index: Idx[]) => Expr[]): Expr[] {
    if (this.lanes === 1) return f(this, [...index]);
    const sc = this.scalar();
    const perLane = [0, 1, 2, 3].map((l) => f(sc, index.map((i) => fixed(i.lane ? k.add(i.e, k.int(l)) : i.e))));
    return perLane[0].map((_, j) => k.vector(perLane.map((vs) => vs[j])));
  }
}

const isWord = (dt: string): boolean => dt === 'f32' || dt === 's32' || dt === 'u32';
