// What the tiled dot and convolution kernels share: the register tile of accumulators
// (rows of splatted scalars times columns of 4-lane vectors plus a scalar tail), and the
// epilogue, which asks the elemental emitter for the fusion root with the dot or
// convolution as a value leaf (XLA's output fusion).
import * as k from '../../ir/kernel/build.js';
import { VEC4, type Expr, type Stmt } from '../../ir/kernel/kernel.js';
import type { Instruction } from '../../ir/module.js';
import { product } from '../../ir/shape.js';
import { Emitter, type Idx, type Leaf } from './emitter.js';
import { elementRule } from './elemental.js';
import { KernelBuilder } from './kernel_builder.js';
import type { LoopKernelSpec, LoweredKernel } from './loop_kernel.js';
import { storageType } from './types.js';

/** A tiled kernel being built: its parameters, the output, and the epilogue's leaves. */
export class TiledKernel {
  readonly kb: KernelBuilder;
  /** Parameter of the output buffer. */
  readonly out: number;
  /** Parameter of each input instruction's buffer. */
  readonly param = new Map<Instruction, number>();
  private readonly leaves = new Map<Instruction, Leaf>();

  constructor(readonly spec: LoopKernelSpec, readonly op: Instruction) {
    this.kb = new KernelBuilder(spec.constants);
    const o = spec.outputs[0];
    this.out = this.kb.param(o.id, o.name, storageType(o.shape.dtype), product(o.shape.dims), 'write');
    for (const [instr, ref] of spec.inputs) {
      const buf = this.kb.param(ref.id, ref.name, storageType(ref.shape.dtype), product(ref.shape.dims), 'read');
      this.param.set(instr, buf);
      this.leaves.set(instr, { k: 'buffer', buf, shape: ref.shape });
    }
  }

  /** The kernel also reads its output (partial sums between K blocks). */
  readsOutput(): void {
    const o = this.spec.outputs[0];
    this.kb.param(o.id, o.name, storageType(o.shape.dtype), product(o.shape.dims), 'read');
  }

  /** A let-bound variable for `e` (constants and variables stay as they are). */
  bind(out: Stmt[], hint: string, e: Expr): Expr {
    if (e.k === 'const' || e.k === 'var') return e;
    const name = this.kb.fresh(hint);
    out.push(k.letStmt(name, e));
    return k.variable(name, e.type);
  }

  /**
   * Stores the fused root's value at output `index`, given the contraction's value
   * there (`acc`, a vector when the last index component is lane-varying).
   */
  epilogue(out: Stmt[], acc: Expr, index: readonly Idx[], at: Expr): void {
    out.push(k.store(this.out, at, this.result(out, acc, index)));
  }

  /** The fused root's value at output `index` (as `epilogue`), for a caller that stores it itself. */
  result(out: Stmt[], acc: Expr, index: readonly Idx[]): Expr {
    const lanes = acc.type.lanes;
    const leaves = new Map(this.leaves);
    leaves.set(this.op, { k: 'value', values: [acc] });
    const em = new Emitter(this.kb, lanes, leaves, elementRule);
    if (this.spec.body) em.noteUses(this.spec.body);
    em.out = out;
    return em.widen(em.values(this.spec.root, index)[0]);
  }

  finish(body: Stmt[], schedule: Record<string, number>): LoweredKernel {
    return { kernel: this.kb.finish(this.spec.name, body, this.spec.source.name, schedule), args: this.kb.args };
  }
}

/**
 * Register tile shape: `rows` splatted scalars times `groups` vectors of 4 columns plus
 * `tail` scalar columns. With `lastAt` the last vector starts at that column instead of
 * 4·(groups − 1): it overlaps the one before, so a width that is not a multiple of 4 runs
 * in vectors only (the overlapped columns are computed twice, identically).
 */
export interface TileShape {
  readonly rows: number;
  readonly groups: number;
  readonly tail: number;
  readonly lastAt?: number;
}

/**
 * The accumulators of one register tile, as kernel IR variables: acc[r][c] is f32x4 for
 * c < groups (columns 4c..4c+3) and f32 for the tail columns after them.
 */
export class RegisterTile {
  private readonly names: string[][];

  constructor(private readonly tk: TiledKernel, readonly shape: TileShape) {
    const cols = shape.groups + shape.tail;
    this.names = Array.from({ length: shape.rows }, (_, r) => Array.from({ length: cols }, (_, c) => tk.kb.fresh(`acc${r}_${c}`)));
  }

  isVector = (c: number): boolean => c < this.shape.groups;

  /** Column offset of accumulator column c from the tile's first column. */
  colOffset = (c: number): number => {
    const { groups, lastAt } = this.shape;
    if (c === groups - 1 && lastAt !== undefined) return lastAt;
    return c < groups ? 4 * c : 4 * groups + (c - groups);
  };

  get(r: number, c: number): Expr {
    return k.variable(this.names[r][c], this.isVector(c) ? VEC4('f32') : k.F32);
  }

  /** let acc = 0 for every accumulator. */
  declare(out: Stmt[]): void {
    this.each((r, c) => out.push(k.letStmt(this.names[r][c], k.constant('f32', 0, this.isVector(c) ? 4 : 1))));
  }

  set(r: number, c: number, v: Expr): Stmt {
    return k.assign(this.names[r][c], v);
  }

  each(f: (r: number, c: number) => void): void {
    for (let r = 0; r < this.shape.rows; r++) for (let c = 0; c < this.shape.groups + this.shape.tail; c++) f(r, c);
  }

  /**
   * One step of the reduction: acc[r][c] += a[r] * b[c]. The b's (vectors, then tail
   * scalars) are bound first, then each row's scalar is splatted once and multiplied
   * into the row with muladd (fused where the target can).
   */
  step(out: Stmt[], a: readonly Expr[], b: readonly Expr[]): void {
    const bs = b.map((x, c) => this.tk.bind(out, `b${c}`, x));
    for (let r = 0; r < this.shape.rows; r++) {
      const scalar = this.shape.tail > 0 && this.shape.groups > 0 ? this.tk.bind(out, `a${r}`, a[r]) : a[r];
      const vec = this.shape.groups > 0 ? this.tk.bind(out, `av${r}`, k.splat(scalar)) : undefined;
      for (let c = 0; c < bs.length; c++) {
        const x = this.isVector(c) ? vec! : scalar;
        out.push(this.set(r, c, k.muladd(x, bs[c], this.get(r, c))));
      }
    }
  }
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
export const roundUp = (a: number, b: number): number => ceilDiv(a, b) * b;

/** `if (cond) then else otherwise`, folded when cond is a constant (a compare of constants included). */
export function when(cond: Expr, then: Stmt[], otherwise: Stmt[] = []): Stmt[] {
  let v: boolean | undefined;
  if (cond.k === 'const') v = cond.value !== 0;
  else if (cond.k === 'compare' && cond.a.k === 'const' && cond.b.k === 'const') {
    const x = cond.a.value, y = cond.b.value;
    v = { EQ: x === y, NE: x !== y, LT: x < y, LE: x <= y, GT: x > y, GE: x >= y }[cond.dir];
  }
  if (v === undefined) return [k.ifStmt(cond, then, otherwise)];
  return v ? then : otherwise;
}

/**
 * The f32 values at `at`, +2, +4, +6 of `buf` (a stride-2 window along x) from two vector
 * loads, at and at + 3, so nothing past +6 is read; targets render the lanes as one shuffle.
 */
export function everyOther(buf: number, at: Expr): Expr {
  const lo = k.load(buf, at, 'f32', 4), hi = k.load(buf, k.add(at, k.int(3)), 'f32', 4);
  return k.vector([k.extract(lo, 0), k.extract(lo, 2), k.extract(hi, 1), k.extract(hi, 3)]);
}
