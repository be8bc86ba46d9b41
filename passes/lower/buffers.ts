// Program buffers made from buffer assignments. One `ProgramBuffers` holds every buffer of
// a program: the entry's slices at the start of the arena, constants laid out on demand,
// and regions appended past everything else (a called computation's own buffers, copied-out
// results, temporaries). A `ProgramBuilder` sees one computation through its assignment:
// the entry's, or a called computation's whose parameters are buffers that exist already.
import { byteSize } from '../../ir/dtype.js';
import type { ProgramBuffer, StorageType } from '../../ir/kernel/kernel.js';
import type { ArrayLiteral, Literal } from '../../ir/literal.js';
import type { Instruction } from '../../ir/module.js';
import { asArray, subshape, type ArrayShape, type Shape } from '../../ir/shape.js';
import type { BufferAssignment, LogicalBuffer } from '../buffer_assignment.js';
import { NotCompiled } from './errors.js';
import type { BufferRef } from './loop_kernel.js';
import { storageType } from './types.js';
import { literalBytes } from '../../ir/scalar/elements.js';

export const ALIGN = 64;
const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** The array at a tuple index path of a shape. */
export const leafShape = (s: Shape, path: readonly number[]): ArrayShape => asArray(subshape(s, path), 'result leaf');

export class ProgramBuffers {
  readonly buffers: ProgramBuffer[] = [];
  constantsBytes = 0;
  private byConstant = new Map<Instruction, number>();

  constructor(public arenaBytes: number) {}

  readonly constants = (instr: Instruction): { id: number; dtype: StorageType; size: number } => {
    const id = this.constantBuffer(instr, []);
    const pb = this.buffers[id];
    return { id, dtype: pb.dtype, size: pb.dims.reduce((a, c) => a * c, 1) };
  };

  /** `bytes` of fresh arena past everything placed so far; returns the region's offset. */
  reserve(bytes: number): number {
    const offset = align(this.arenaBytes);
    this.arenaBytes = align(offset + bytes);
    return offset;
  }

  /** A fresh arena buffer of its own (a copied-out result, a temporary). */
  fresh(name: string, shape: ArrayShape): number {
    const id = this.push(name, shape, 'arena', 0);
    const offset = this.reserve(this.buffers[id].bytes);
    this.buffers[id] = { ...this.buffers[id], offset };
    return id;
  }

  /** Buffer `id` seen with another shape of the same size (a reshaped or bitcast result). */
  view(id: number, shape: ArrayShape): number {
    const pb = this.buffers[id];
    if (pb.dims.join(',') === shape.dims.join(',')) return id;
    return this.push(pb.name, shape, pb.region, pb.offset, pb.data);
  }

  /** A ref to an existing buffer, seen with `shape` (same byte size). */
  ref(id: number, shape: ArrayShape): BufferRef {
    return { id, name: this.buffers[id].name, shape };
  }

  constantBuffer(instr: Instruction, path: readonly number[]): number {
    if (path.length === 0) {
      const have = this.byConstant.get(instr);
      if (have !== undefined) return have;
    }
    if (instr.opcode !== 'constant') throw new Error(`%${instr.name} is not a constant`);
    let lit: Literal = instr.attrs.literal;
    for (const i of path) {
      if (!('elements' in lit)) throw new Error(`constant %${instr.name} has no tuple element ${i}`);
      lit = lit.elements[i];
    }
    if (!('data' in lit)) throw new NotCompiled(instr, 'tuple constant');
    const arr = lit as ArrayLiteral;
    storageType(arr.shape.dtype); // an UnsupportedType (s2, f8...) before its bytes are encoded, which has no layout for it
    const id = this.push(instr.name, arr.shape, 'constants', align(this.constantsBytes), literalBytes(arr));
    this.constantsBytes = align(this.buffers[id].offset + this.buffers[id].bytes);
    if (path.length === 0) this.byConstant.set(instr, id);
    return id;
  }

  push(name: string, shape: ArrayShape, region: 'arena' | 'constants', offset: number, data?: Uint8Array): number {
    const dtype = storageType(shape.dtype);
    const id = this.buffers.length;
    const bytes = shape.dims.reduce((a, c) => a * c, 1) * byteSize(dtype);
    this.buffers.push({ id, name, dtype, dims: [...shape.dims], region, offset, bytes, ...(data ? { data } : {}) });
    return id;
  }
}

/**
 * One computation's logical buffers as program buffers: constants in the constants
 * region, the buffers `given` names where it says (a called computation's parameters are
 * its caller's buffers; a branch's results may be the conditional's), everything else at
 * `base` + its slice.
 */
export class ProgramBuilder {
  private byLogical = new Map<LogicalBuffer, number>();

  constructor(
    readonly store: ProgramBuffers,
    readonly assignment: BufferAssignment,
    private readonly base = 0,
    private readonly given: ReadonlyMap<LogicalBuffer, number> = new Map(),
  ) {}

  get constants(): ProgramBuffers['constants'] {
    return this.store.constants;
  }

  ref(lb: LogicalBuffer): BufferRef {
    return { id: this.arrayBuffer(lb), name: lb.instr.name, shape: lb.shape };
  }

  arrayBuffer(lb: LogicalBuffer): number {
    if (lb.kind === 'constant') return this.store.constantBuffer(lb.instr, lb.index);
    const given = this.given.get(lb);
    if (given !== undefined) return given;
    const have = this.byLogical.get(lb);
    if (have !== undefined) return have;
    if (!lb.slice) throw new Error(`buffer ${lb.id} of %${lb.instr.name} has no arena slice`);
    const id = this.store.push(lb.instr.name, lb.shape, 'arena', this.base + lb.slice.offset);
    this.byLogical.set(lb, id);
    return id;
  }
}
