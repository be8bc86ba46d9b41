// Lowering a module to a kernel IR Program: buffers from buffer assignment, one kernel
// per entry instruction that computes something (a fusion, a dot, a single op), in
// schedule order. Parameters, constants, tuples, get-tuple-element, bitcasts and
// reshapes make no kernel: buffer assignment gives them the buffer they name.
import { byteSize } from '../../ir/dtype.js';
import { literalBytes } from '../../ir/interpret/scalar.js';
import type { Kernel, Launch, Program, ProgramBuffer, ProgramIO, StorageType } from '../../ir/kernel/kernel.js';
import type { ArrayLiteral, Literal } from '../../ir/literal.js';
import type { Instruction, Module } from '../../ir/module.js';
import { asArray, subshape, type ArrayShape, type Shape } from '../../ir/shape.js';
import { assignBuffers, type BufferAssignment, type LogicalBuffer } from '../buffer_assignment.js';
import { leafPaths } from '../buffer_liveness.js';
import { NotCompiled } from './errors.js';
import { elementRule } from './elemental.js';
import { loopKernel, type BufferRef, type LoweredKernel } from './loop_kernel.js';
import { storageType } from './types.js';
import { tiledKernel } from './tiled.js';
import { tiledWindow } from './tiled_window.js';

export interface LowerOptions {
  /** Vector lanes for loop kernels (4 by default; 1 for scalar code). */
  lanes?: 1 | 4;
  /** Use tiled dot/convolution kernels where they apply (default true). */
  tiled?: boolean;
}

const ALIGN = 64;
const align = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;
/** Make no kernel: their buffers are their operands'. */
const ALIASING = new Set(['parameter', 'constant', 'tuple', 'get-tuple-element', 'bitcast', 'reshape']);

export function lowerModule(m: Module, opts: LowerOptions = {}): Program {
  const assignment = assignBuffers(m, { alignment: ALIGN });
  const b = new ProgramBuilder(assignment);
  const kernels: Kernel[] = [];
  const launches: Launch[] = [];
  const add = (kernel: Kernel, args: readonly number[]): void => {
    launches.push({ kernel: kernels.length, args });
    kernels.push(kernel);
  };

  for (const p of m.entry.params) if (p.shape.kind !== 'array') throw new NotCompiled(p, 'tuple-shaped entry parameter');
  for (const instr of m.entry.instructions) {
    if (ALIASING.has(instr.opcode)) continue;
    for (const made of lowerInstruction(instr, b, kernels.length, opts)) add(made.kernel, made.args);
  }

  const inputs: ProgramIO[] = m.entry.params.map((p) => ({ name: p.name, buffer: b.arrayBuffer(assignment.bufferOf(p)) }));
  const rootLeaves = leafPaths(m.entry.root.shape);
  const outputs: ProgramIO[] = rootLeaves.map((path, j) => {
    const lb = assignment.bufferOf(m.entry.root, path);
    let id = b.arrayBuffer(lb);
    // A result that is an input or a constant is copied out, so the caller owns its buffer.
    if (lb.kind === 'parameter' || lb.kind === 'constant') {
      const to = b.extraOutput(lb);
      const made = loopKernel({
        name: `k${kernels.length}_copy`, source: lb.instr, root: lb.instr,
        inputs: new Map([[lb.instr, b.ref(lb)]]), outputs: [{ id: to, name: 'out', shape: lb.shape }], constants: b.constants,
      });
      add(made.kernel, made.args);
      id = to;
    }
    return { name: outputName(m, path, j, rootLeaves.length), buffer: b.view(id, leafShape(m.entry.root.shape, path)) };
  });

  return {
    name: m.name, kernels, launches, inputs, outputs,
    buffers: b.buffers, constantsBytes: b.constantsBytes, arenaBytes: b.arenaBytes,
  };
}

function lowerInstruction(instr: Instruction, b: ProgramBuilder, n: number, opts: LowerOptions): LoweredKernel[] {
  const assignment = b.assignment;
  const fusion = instr.opcode === 'fusion' ? instr.attrs.calls : undefined;
  const rule = fusion ? undefined : elementRule(instr.opcode);
  if (typeof rule === 'string') throw new NotCompiled(instr, rule);
  const paths = leafPaths(instr.shape);
  if (paths.length === 0) return [];
  const operandRef = (o: Instruction): BufferRef => {
    if (o.shape.kind !== 'array') throw new NotCompiled(instr, `operand %${o.name} is a tuple`);
    // The operand's own shape: a bitcast or reshape names its source's bytes with other dims.
    return { ...b.ref(assignment.bufferOf(o)), shape: o.shape };
  };
  const inputs = new Map<Instruction, BufferRef>();
  if (fusion) fusion.params.forEach((p, i) => inputs.set(p, operandRef(instr.operands[i])));
  else for (const o of instr.operands) inputs.set(o, operandRef(o));
  const outputs = paths.map((path) => ({ ...b.ref(assignment.bufferOf(instr, path)), shape: leafShape(instr.shape, path) }));
  const root = fusion ? fusion.root : instr;
  const name = `k${n}_${instr.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const spec = { name, source: instr, root, body: fusion, inputs, outputs, constants: b.constants, lanes: opts.lanes };
  // A multi-output fusion whose outputs differ in shape runs as one kernel per output.
  if (fusion && root.opcode === 'tuple' && outputs.some((o) => o.shape.dims.join() !== outputs[0].shape.dims.join()))
    return root.operands.map((r, j) => loopKernel({ ...spec, name: `${name}_${j}`, root: r, outputs: [outputs[j]] }));
  return [((opts.tiled ?? true) && (tiledKernel(spec) ?? tiledWindow(spec))) || loopKernel(spec)];
}

/** A root tuple's element j is named for the instruction that computes it. */
function outputName(m: Module, path: readonly number[], j: number, n: number): string {
  const root = m.entry.root;
  if (n === 1) return root.name;
  if (root.opcode === 'tuple' && path.length === 1) return root.operands[path[0]].name;
  return `${root.name}.${j}`;
}

/** The array at a tuple index path of a shape. */
const leafShape = (s: Shape, path: readonly number[]): ArrayShape => asArray(subshape(s, path), 'result leaf');

/** Program buffers made from the assignment's logical buffers, constants laid out on demand. */
class ProgramBuilder {
  readonly buffers: ProgramBuffer[] = [];
  constantsBytes = 0;
  arenaBytes: number;
  private byLogical = new Map<LogicalBuffer, number>();
  private byConstant = new Map<Instruction, number>();

  constructor(readonly assignment: BufferAssignment) {
    this.arenaBytes = assignment.arenaBytes;
  }

  readonly constants = (instr: Instruction): { id: number; dtype: StorageType; size: number } => {
    const id = this.constantBuffer(instr, []);
    const pb = this.buffers[id];
    return { id, dtype: pb.dtype, size: pb.dims.reduce((a, c) => a * c, 1) };
  };

  ref(lb: LogicalBuffer): BufferRef {
    return { id: this.arrayBuffer(lb), name: lb.instr.name, shape: lb.shape };
  }

  arrayBuffer(lb: LogicalBuffer): number {
    if (lb.kind === 'constant') return this.constantBuffer(lb.instr, lb.index);
    const have = this.byLogical.get(lb);
    if (have !== undefined) return have;
    if (!lb.slice) throw new Error(`buffer ${lb.id} of %${lb.instr.name} has no arena slice`);
    const id = this.push(lb.instr.name, lb.shape, 'arena', lb.slice.offset);
    this.byLogical.set(lb, id);
    return id;
  }

  /** Buffer `id` seen with another shape of the same size (a reshaped or bitcast result). */
  view(id: number, shape: ArrayShape): number {
    const pb = this.buffers[id];
    if (pb.dims.join(',') === shape.dims.join(',')) return id;
    const v = this.push(pb.name, shape, pb.region, pb.offset, pb.data);
    return v;
  }

  /** A fresh arena buffer past everything assignment placed, for a copied-out result. */
  extraOutput(lb: LogicalBuffer): number {
    const offset = align(this.arenaBytes);
    const id = this.push(`${lb.instr.name}.out`, lb.shape, 'arena', offset);
    this.arenaBytes = align(offset + this.buffers[id].bytes);
    return id;
  }

  private constantBuffer(instr: Instruction, path: readonly number[]): number {
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

  private push(name: string, shape: ArrayShape, region: 'arena' | 'constants', offset: number, data?: Uint8Array): number {
    const dtype = storageType(shape.dtype);
    const id = this.buffers.length;
    const bytes = shape.dims.reduce((a, c) => a * c, 1) * byteSize(dtype);
    this.buffers.push({ id, name, dtype, dims: [...shape.dims], region, offset, bytes, ...(data ? { data } : {}) });
    return id;
  }
}

