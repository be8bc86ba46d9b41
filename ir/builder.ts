// Writing IR in TypeScript. A ModuleBuilder makes computations; inside one, a
// ComputationBuilder adds instructions, infers their shapes (or checks the shape given)
// and names them the way XLA does (`add`, `add.1`, ...), unique across the module.
//
//   const b = new ModuleBuilder('m');
//   const add = b.computation('add', (c) => c.add(c.parameter(scalar('f32')), c.parameter(scalar('f32'))));
//   b.entry('main', (c) => c.reduce(c.parameter(array('f32', [2, 3])), c.constantScalar('f32', 0), [1], add));
//   const m = b.build();
import { shapeTooLarge } from './limits.js';
import type { ConvDims, PadDim, SliceDim, WindowDim } from './attrs.js';
import type { DType } from './dtype.js';
import { ArrayLiteral, Literal, arrayLiteral } from './literal.js';
import { CANONICAL_STYLE, Computation, Instruction, InstructionOf, Module } from './module.js';
import type { OpAttrs, OpSchema, Opcode } from './opcodes.js';
import { ArrayShape, Shape, array, defaultLayout, scalar } from './shape.js';
import { ShapeError, inferShape, shapeMismatch } from './shape_inference.js';
import { verifyModule } from './verify.js';

/**
 * XLA's NameUniquer: a name is used as given the first time; a repeat gets the next free
 * `.N` on its root, where `add.3` has root `add` (so repeats of `add.1` read `add.2`, ...).
 */
export class NameUniquer {
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();

  unique(name: string): string {
    const m = /^(.*)\.(\d+)$/.exec(name);
    const root = m ? m[1] : name;
    if (m) this.next.set(root, Math.max(this.next.get(root) ?? 1, Number(m[2]) + 1));
    let out = name;
    while (this.used.has(out)) {
      const k = this.next.get(root) ?? 1;
      this.next.set(root, k + 1);
      out = `${root}.${k}`;
    }
    this.used.add(out);
    return out;
  }
}

/** The shape with XLA's default (row-major) layout on every array of rank >= 1 that has none. */
export function withDefaultLayout(s: Shape): Shape {
  if (s.kind === 'tuple') return { kind: 'tuple', elements: s.elements.map(withDefaultLayout) };
  return s.layout || s.dims.length === 0 ? s : { ...s, layout: defaultLayout(s.dims.length) };
}

type Body = (c: ComputationBuilder) => Instruction | Instruction[];

export class ModuleBuilder {
  private readonly names = new NameUniquer();
  private readonly computationNames = new NameUniquer();
  private readonly done: Computation[] = [];
  private entryComputation?: Computation;

  constructor(readonly name: string) {}

  /** A computation others call (a reducer, a fusion body, a branch). Returning a list makes a tuple root. */
  computation(name: string, body: Body): Computation {
    const c = this.make(name, body, false);
    this.done.push(c);
    return c;
  }

  /** The entry computation; there is exactly one. */
  entry(name: string, body: Body): Computation {
    if (this.entryComputation) throw new Error(`module ${this.name} already has an entry computation %${this.entryComputation.name}`);
    this.entryComputation = this.make(name, body, true);
    return this.entryComputation;
  }

  /** The module: callees first (in the order they were finished), the entry last; verified. */
  build(opts: { verify?: boolean } = {}): Module {
    const entry = this.entryComputation;
    if (!entry) throw new Error(`module ${this.name} has no entry computation: call entry() before build()`);
    const m: Module = {
      name: this.name,
      headerAttrs: [],
      computations: [...this.done, entry],
      entry,
      style: { ...CANONICAL_STYLE },
    };
    if (opts.verify !== false) verifyModule(m);
    return m;
  }

  private make(name: string, body: Body, isEntry: boolean): Computation {
    const cb = new ComputationBuilder(this.computationNames.unique(name), this.names);
    const result = body(cb);
    const root = Array.isArray(result) ? cb.tuple(result) : result;
    return cb.finish(root, isEntry);
  }
}

export type Direction = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE';

/** Dot dimension numbers; the default contracts lhs's last dim with rhs's first. */
export interface DotDims {
  lhsContracting?: number[];
  rhsContracting?: number[];
  lhsBatch?: number[];
  rhsBatch?: number[];
}

export interface ConvOptions {
  /** `b01f_01io->b01f` style labels, or the numbers; default: batch, spatial..., feature (NHWC / HWIO). */
  dimLabels?: string | ConvDims;
  /** Per spatial dim; missing fields take XLA's defaults (stride 1, no padding, no dilation). */
  window?: Partial<WindowDim>[];
  featureGroupCount?: number;
  batchGroupCount?: number;
}

export class ComputationBuilder {
  private readonly instructions: Instruction[] = [];
  private readonly own = new Set<Instruction>();
  private readonly params: Instruction[] = [];
  private finished = false;

  constructor(readonly name: string, private readonly names: NameUniquer) {}

  /**
   * Any instruction. The shape is inferred when not given; when given, it is checked against
   * what the operands allow (and is required for reshape, broadcast, convert, iota, ...).
   */
  op<K extends Opcode>(opcode: K, operands: readonly Instruction[], attrs: OpAttrs<K>, shape?: Shape, name?: string): InstructionOf<K> {
    if (this.finished) throw new Error(`computation %${this.name} is finished; add instructions inside its body`);
    operands.forEach((o, i) => {
      if (!this.own.has(o)) throw new Error(`${opcode}: operand ${i} %${o.name} does not belong to computation %${this.name}`);
    });
    const inferred = inferShape(opcode, operands.map((o) => o.shape), attrs, { written: shape });
    if (shape) {
      const why = shapeMismatch(opcode, shape, inferred);
      if (why) throw new ShapeError(why, opcode);
    }
    // Frontends build shapes from model data (ONNX's Expand, Tile, ConstantOfShape): refuse what no target holds.
    const tooLarge = shapeTooLarge(shape ?? inferred);
    if (tooLarge) throw new ShapeError(tooLarge, opcode);
    const instr = {
      name: this.names.unique(name ?? opcode),
      opcode,
      shape: withDefaultLayout(shape ?? inferred),
      operands: [...operands],
      attrs,
      raw: [],
    } as InstructionOf<K>;
    this.instructions.push(instr as Instruction);
    this.own.add(instr as Instruction);
    return instr;
  }

  /** Called by ModuleBuilder once the body returns. */
  finish(root: Instruction, isEntry: boolean): Computation {
    if (!this.own.has(root)) throw new Error(`the root %${root.name} does not belong to computation %${this.name}`);
    this.finished = true;
    return { name: this.name, instructions: this.instructions, root, isEntry, params: this.params };
  }

  // --- Leaves --------------------------------------------------------------------------

  /** The next parameter (numbered in call order). */
  parameter(shape: Shape, name?: string): InstructionOf<'parameter'> {
    const p = this.op('parameter', [], { parameter_number: this.params.length }, shape, name ?? `p${this.params.length}`);
    this.params.push(p);
    return p;
  }

  constant(literal: Literal, name?: string): InstructionOf<'constant'> {
    return this.op('constant', [], { literal }, literal.shape, name);
  }

  constantScalar(dtype: DType, value: number | bigint | boolean): InstructionOf<'constant'> {
    return this.constant(arrayLiteral(scalar(dtype), [value]));
  }

  constantArray(dtype: DType, dims: readonly number[], values: ArrayLike<number | bigint | boolean>): InstructionOf<'constant'> {
    return this.constant(arrayLiteral(array(dtype, dims), values) as ArrayLiteral);
  }

  iota(shape: ArrayShape, dimension: number): InstructionOf<'iota'> {
    return this.op('iota', [], { iota_dimension: dimension }, shape);
  }

  // --- Elementwise ---------------------------------------------------------------------

  private unary<K extends PlainOp>(op: K, x: Instruction): InstructionOf<K> {
    return this.op(op, [x], {} as OpAttrs<K>);
  }
  private binary<K extends PlainOp>(op: K, x: Instruction, y: Instruction): InstructionOf<K> {
    return this.op(op, [x, y], {} as OpAttrs<K>);
  }

  abs(x: Instruction) { return this.unary('abs', x); }
  negate(x: Instruction) { return this.unary('negate', x); }
  exponential(x: Instruction) { return this.unary('exponential', x); }
  exponentialMinusOne(x: Instruction) { return this.unary('exponential-minus-one', x); }
  log(x: Instruction) { return this.unary('log', x); }
  logPlusOne(x: Instruction) { return this.unary('log-plus-one', x); }
  tanh(x: Instruction) { return this.unary('tanh', x); }
  logistic(x: Instruction) { return this.unary('logistic', x); }
  sqrt(x: Instruction) { return this.unary('sqrt', x); }
  rsqrt(x: Instruction) { return this.unary('rsqrt', x); }
  cbrt(x: Instruction) { return this.unary('cbrt', x); }
  sine(x: Instruction) { return this.unary('sine', x); }
  cosine(x: Instruction) { return this.unary('cosine', x); }
  tan(x: Instruction) { return this.unary('tan', x); }
  acos(x: Instruction) { return this.unary('acos', x); }
  acosh(x: Instruction) { return this.unary('acosh', x); }
  asin(x: Instruction) { return this.unary('asin', x); }
  asinh(x: Instruction) { return this.unary('asinh', x); }
  atanh(x: Instruction) { return this.unary('atanh', x); }
  cosh(x: Instruction) { return this.unary('cosh', x); }
  sinh(x: Instruction) { return this.unary('sinh', x); }
  erf(x: Instruction) { return this.unary('erf', x); }
  floor(x: Instruction) { return this.unary('floor', x); }
  ceil(x: Instruction) { return this.unary('ceil', x); }
  roundNearestAfz(x: Instruction) { return this.unary('round-nearest-afz', x); }
  roundNearestEven(x: Instruction) { return this.unary('round-nearest-even', x); }
  sign(x: Instruction) { return this.unary('sign', x); }
  not(x: Instruction) { return this.unary('not', x); }
  isFinite(x: Instruction) { return this.unary('is-finite', x); }
  popcnt(x: Instruction) { return this.unary('popcnt', x); }
  clz(x: Instruction) { return this.unary('clz', x); }
  copy(x: Instruction) { return this.unary('copy', x); }
  real(x: Instruction) { return this.unary('real', x); }
  imag(x: Instruction) { return this.unary('imag', x); }
  reducePrecision(x: Instruction, exponentBits: number, mantissaBits: number) {
    return this.op('reduce-precision', [x], { exponent_bits: exponentBits, mantissa_bits: mantissaBits });
  }

  add(x: Instruction, y: Instruction) { return this.binary('add', x, y); }
  subtract(x: Instruction, y: Instruction) { return this.binary('subtract', x, y); }
  multiply(x: Instruction, y: Instruction) { return this.binary('multiply', x, y); }
  divide(x: Instruction, y: Instruction) { return this.binary('divide', x, y); }
  remainder(x: Instruction, y: Instruction) { return this.binary('remainder', x, y); }
  power(x: Instruction, y: Instruction) { return this.binary('power', x, y); }
  maximum(x: Instruction, y: Instruction) { return this.binary('maximum', x, y); }
  minimum(x: Instruction, y: Instruction) { return this.binary('minimum', x, y); }
  atan2(x: Instruction, y: Instruction) { return this.binary('atan2', x, y); }
  and(x: Instruction, y: Instruction) { return this.binary('and', x, y); }
  or(x: Instruction, y: Instruction) { return this.binary('or', x, y); }
  xor(x: Instruction, y: Instruction) { return this.binary('xor', x, y); }
  shiftLeft(x: Instruction, y: Instruction) { return this.binary('shift-left', x, y); }
  shiftRightArithmetic(x: Instruction, y: Instruction) { return this.binary('shift-right-arithmetic', x, y); }
  shiftRightLogical(x: Instruction, y: Instruction) { return this.binary('shift-right-logical', x, y); }
  complex(x: Instruction, y: Instruction) { return this.binary('complex', x, y); }

  compare(x: Instruction, y: Instruction, direction: Direction, type?: string) {
    return this.op('compare', [x, y], type === undefined ? { direction } : { direction, type });
  }
  select(pred: Instruction, onTrue: Instruction, onFalse: Instruction) { return this.op('select', [pred, onTrue, onFalse], {}); }
  clamp(min: Instruction, x: Instruction, max: Instruction) { return this.op('clamp', [min, x, max], {}); }
  convert(x: Instruction, dtype: DType) { return this.op('convert', [x], {}, array(dtype, dimsOf(x, 'convert'))); }

  /** Reinterprets the bits; a narrower type adds a minor dimension, a wider one removes it. */
  bitcastConvert(x: Instruction, dtype: DType) {
    const probe = inferShape('bitcast-convert', [x.shape], {}, { written: array(dtype, []) });
    return this.op('bitcast-convert', [x], {}, probe);
  }

  // --- Structural ----------------------------------------------------------------------

  /** Operand dim i becomes result dim dimensions[i]; the other result dims are new. */
  broadcast(x: Instruction, dims: readonly number[], dimensions: readonly number[] = []) {
    return this.op('broadcast', [x], { dimensions: [...dimensions] }, array(elementType(x, 'broadcast'), dims));
  }
  reshape(x: Instruction, dims: readonly number[]) {
    return this.op('reshape', [x], {}, array(elementType(x, 'reshape'), dims));
  }
  transpose(x: Instruction, permutation: readonly number[]) { return this.op('transpose', [x], { dimensions: [...permutation] }); }
  reverse(x: Instruction, dimensions: readonly number[]) { return this.op('reverse', [x], { dimensions: [...dimensions] }); }

  slice(x: Instruction, starts: readonly number[], limits: readonly number[], strides?: readonly number[]) {
    const slice: SliceDim[] = starts.map((start, i) => ({ start, limit: limits[i], stride: strides?.[i] ?? 1 }));
    return this.op('slice', [x], { slice });
  }
  dynamicSlice(x: Instruction, starts: readonly Instruction[], sizes: readonly number[]) {
    return this.op('dynamic-slice', [x, ...starts], { dynamic_slice_sizes: [...sizes] });
  }
  dynamicUpdateSlice(x: Instruction, update: Instruction, starts: readonly Instruction[]) {
    return this.op('dynamic-update-slice', [x, update, ...starts], {});
  }
  concatenate(xs: readonly Instruction[], dimension: number) { return this.op('concatenate', xs, { dimensions: [dimension] }); }

  /** Padding per dim as {low, high, interior} or [low, high, interior?]. */
  pad(x: Instruction, value: Instruction, padding: readonly (PadDim | readonly [number, number, number?])[]) {
    const dims = padding.map((p) => ('low' in p ? { ...p } : { low: p[0], high: p[1], interior: p[2] ?? 0 }));
    return this.op('pad', [x, value], { padding: dims });
  }

  // --- Compute -------------------------------------------------------------------------

  /** A dot; `resultType` sets a preferred element type (e.g. s32 for s8 operands). */
  dot(lhs: Instruction, rhs: Instruction, dims: DotDims = {}, resultType?: DType) {
    const attrs: OpAttrs<'dot'> = {
      lhs_batch_dims: dims.lhsBatch ?? [],
      rhs_batch_dims: dims.rhsBatch ?? [],
      lhs_contracting_dims: dims.lhsContracting ?? [dimsOf(lhs, 'dot').length - 1],
      rhs_contracting_dims: dims.rhsContracting ?? [0],
    };
    return this.op('dot', [lhs, rhs], attrs, resultType && retype(inferShape('dot', [lhs.shape, rhs.shape], attrs), resultType));
  }

  convolution(lhs: Instruction, rhs: Instruction, opts: ConvOptions = {}, resultType?: DType) {
    const rank = dimsOf(lhs, 'convolution').length;
    const dimLabels = typeof opts.dimLabels === 'string' ? parseDimLabels(opts.dimLabels) : opts.dimLabels ?? nhwcLabels(rank);
    const kernel = dimsOf(rhs, 'convolution');
    const window: WindowDim[] = dimLabels.kernelSpatial.map((k, i) => ({
      size: kernel[k], stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false, ...opts.window?.[i],
    }));
    const attrs: OpAttrs<'convolution'> = { window, dim_labels: dimLabels };
    if (opts.featureGroupCount !== undefined) attrs.feature_group_count = opts.featureGroupCount;
    if (opts.batchGroupCount !== undefined) attrs.batch_group_count = opts.batchGroupCount;
    return this.op('convolution', [lhs, rhs], attrs, resultType && retype(inferShape('convolution', [lhs.shape, rhs.shape], attrs), resultType));
  }

  /** Reduces `dimensions` away with `to_apply`; several inputs (with one init each) give a tuple. */
  reduce(inputs: Instruction | readonly Instruction[], inits: Instruction | readonly Instruction[], dimensions: readonly number[], toApply: Computation) {
    return this.op('reduce', [...listOf(inputs), ...listOf(inits)], { dimensions: [...dimensions], to_apply: toApply });
  }

  reduceWindow(inputs: Instruction | readonly Instruction[], inits: Instruction | readonly Instruction[], window: Partial<WindowDim>[], toApply: Computation) {
    const dims: WindowDim[] = window.map((w) => ({ size: 1, stride: 1, padLow: 0, padHigh: 0, lhsDilate: 1, rhsDilate: 1, reversal: false, ...w }));
    return this.op('reduce-window', [...listOf(inputs), ...listOf(inits)], { window: dims, to_apply: toApply });
  }

  map(xs: readonly Instruction[], toApply: Computation) {
    const rank = dimsOf(xs[0], 'map').length;
    return this.op('map', xs, { dimensions: Array.from({ length: rank }, (_, i) => i), to_apply: toApply });
  }

  sort(xs: Instruction | readonly Instruction[], dimension: number, comparator: Computation, isStable = false) {
    const attrs: OpAttrs<'sort'> = { dimensions: [dimension], to_apply: comparator };
    if (isStable) attrs.is_stable = true;
    return this.op('sort', listOf(xs), attrs);
  }

  // --- Tuples and control flow -----------------------------------------------------------

  tuple(xs: readonly Instruction[]) { return this.op('tuple', xs, {}); }
  getTupleElement(t: Instruction, index: number) { return this.op('get-tuple-element', [t], { index }); }
  call(toApply: Computation, args: readonly Instruction[]) { return this.op('call', args, { to_apply: toApply }); }
  whileLoop(condition: Computation, body: Computation, init: Instruction) { return this.op('while', [init], { condition, body }); }

  /** With a pred index: [true branch, false branch]; with an s32 index: the branches in order. */
  conditional(index: Instruction, branches: readonly Computation[], args: readonly Instruction[]) {
    const byPred = index.shape.kind === 'array' && index.shape.dtype === 'pred';
    if (byPred && branches.length !== 2) throw new ShapeError(`a pred index selects between 2 branches, got ${branches.length}`, 'conditional');
    const attrs: OpAttrs<'conditional'> = byPred
      ? { true_computation: branches[0], false_computation: branches[1] }
      : { branch_computations: [...branches] };
    return this.op('conditional', [index, ...args], attrs);
  }
}

/** Opcodes without attributes: the elementwise ops (among others). */
type PlainOp = { [K in Opcode]: keyof OpSchema<K> extends never ? K : never }[Opcode];

const listOf = <T>(x: T | readonly T[]): T[] => (Array.isArray(x) ? [...(x as readonly T[])] : [x as T]);

function arrayOf(x: Instruction, op: string): ArrayShape {
  if (x.shape.kind !== 'array') throw new ShapeError(`operand %${x.name} must be an array, got a tuple`, op);
  return x.shape;
}
const dimsOf = (x: Instruction, op: string) => arrayOf(x, op).dims;
const elementType = (x: Instruction, op: string) => arrayOf(x, op).dtype;
const retype = (s: Shape, dtype: DType): Shape => (s.kind === 'array' ? { ...s, dtype } : s);

/** Labels for rank-r NHWC input, HWIO kernel, NHWC output: `b01f_01io->b01f`. */
function nhwcLabels(rank: number): ConvDims {
  const spatial = Array.from({ length: rank - 2 }, (_, i) => i + 1);
  return {
    inputBatch: 0, inputFeature: rank - 1, inputSpatial: spatial,
    kernelInput: rank - 2, kernelOutput: rank - 1, kernelSpatial: spatial.map((s) => s - 1),
    outputBatch: 0, outputFeature: rank - 1, outputSpatial: spatial,
  };
}

/** Parses XLA's `dim_labels` text, e.g. `b01f_01io->b01f` or `bf01_oi01->bf01`. */
export function parseDimLabels(text: string): ConvDims {
  const m = /^([^_]+)_([^-]+)->(.+)$/.exec(text);
  if (!m) throw new Error(`dim_labels '${text}' is not of the form lhs_rhs->out`);
  const [, lhs, rhs, out] = m;
  const read = (part: string, a: string, b: string) => {
    const spatial: number[] = [];
    let first = -1, second = -1;
    [...part].forEach((ch, pos) => {
      if (ch === a) first = pos;
      else if (ch === b) second = pos;
      else if (/[0-9]/.test(ch)) spatial[Number(ch)] = pos;
      else throw new Error(`dim_labels '${text}': unexpected '${ch}' in '${part}'`);
    });
    if (first < 0 || second < 0 || spatial.length !== part.length - 2 || Array.from(spatial).some((s) => s === undefined))
      throw new Error(`dim_labels '${text}': '${part}' needs one '${a}', one '${b}' and spatial dims 0..${part.length - 3}`);
    return { first, second, spatial };
  };
  const l = read(lhs, 'b', 'f'), k = read(rhs, 'i', 'o'), o = read(out, 'b', 'f');
  return {
    inputBatch: l.first, inputFeature: l.second, inputSpatial: l.spatial,
    kernelInput: k.first, kernelOutput: k.second, kernelSpatial: k.spatial,
    outputBatch: o.first, outputFeature: o.second, outputSpatial: o.spatial,
  };
}
