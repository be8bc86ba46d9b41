// What rules write IR through: the entry's ComputationBuilder plus the helpers every rule
// family needs (scalar constants broadcast only where an operand must be an array, sums
// with a shared add reducer, accumulation that keeps zeros symbolic), and the small
// scalar computations (reducers, selects) the emitted ops call, made once per dtype.
import { ComputationBuilder, type Direction, type NameUniquer } from '../../ir/builder.js';
import type { DType } from '../../ir/dtype.js';
import type { Computation, Instruction } from '../../ir/module.js';
import { array, scalar, type ArrayShape, type Shape } from '../../ir/shape.js';
import { reducerKind } from './reducers.js';
import { type Cot, isCotTuple } from './types.js';

export type ScalarFn = 'add' | 'maximum' | 'minimum' | 'multiply';

export class Emitter {
  /** Scalar computations made for the output module (reducers, select predicates). */
  readonly computations: Computation[] = [];
  private readonly cache = new Map<string, Computation>();

  constructor(
    readonly c: ComputationBuilder, private readonly names: NameUniquer, private readonly computationNames: NameUniquer,
    /** The module's own computations: a reducer it already has is called rather than made again. */
    private readonly existing: readonly Computation[] = [],
  ) {}

  // --- Constants and shapes ------------------------------------------------------------

  scalar(dtype: DType, v: number | boolean): Instruction {
    return this.c.constantScalar(dtype, v);
  }
  /** v in every element of `shape`: a scalar constant, broadcast when the shape has dims. */
  full(shape: ArrayShape, v: number | boolean): Instruction {
    const s = this.scalar(shape.dtype, v);
    return shape.dims.length === 0 ? s : this.c.broadcast(s, shape.dims, []);
  }
  /** v shaped like x. */
  like(x: Instruction, v: number | boolean): Instruction {
    return this.full(arrayShape(x), v);
  }
  zeros(shape: Shape): Instruction {
    return shape.kind === 'tuple' ? this.c.tuple(shape.elements.map((s) => this.zeros(s))) : this.full(shape, 0);
  }
  /** A (co)tangent as an instruction of `shape`, zeros where it is symbolic. */
  materialize(t: Cot | undefined, shape: Shape): Instruction {
    if (t === undefined) return this.zeros(shape);
    if (!isCotTuple(t)) return t;
    if (shape.kind !== 'tuple') throw new Error('autodiff: a tuple (co)tangent for an array value');
    return this.c.tuple(shape.elements.map((s, k) => this.materialize(t.elements[k], s)));
  }

  // --- Arithmetic ----------------------------------------------------------------------

  add(a: Instruction, b: Instruction) { return this.c.add(a, b); }
  sub(a: Instruction, b: Instruction) { return this.c.subtract(a, b); }
  mul(a: Instruction, b: Instruction) { return this.c.multiply(a, b); }
  div(a: Instruction, b: Instruction) { return this.c.divide(a, b); }
  neg(a: Instruction) { return this.c.negate(a); }
  /** x times a scalar constant (broadcast to x's shape). */
  scale(x: Instruction, k: number) { return this.mul(x, this.like(x, k)); }
  cmp(a: Instruction, b: Instruction, d: Direction) { return this.c.compare(a, b, d); }
  select(p: Instruction, a: Instruction, b: Instruction) { return this.c.select(p, a, b); }
  /** select(p, x, 0). */
  mask(p: Instruction, x: Instruction) { return this.select(p, x, this.like(x, 0)); }

  /** Sum of two (co)tangents, either maybe zero; tuples add element by element. */
  acc(a: Cot | undefined, b: Cot | undefined): Cot | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    if (isCotTuple(a) || isCotTuple(b)) {
      if (!isCotTuple(a) || !isCotTuple(b)) throw new Error('autodiff: adding a tuple cotangent to an array one');
      return { elements: a.elements.map((x, k) => this.acc(x, b.elements[k])) };
    }
    return this.add(a, b);
  }

  // --- Shapes --------------------------------------------------------------------------

  /** x summed over `dims` (none: x itself). */
  sum(x: Instruction, dims: readonly number[]): Instruction {
    if (dims.length === 0) return x;
    const t = arrayShape(x).dtype;
    return this.c.reduce(x, this.scalar(t, 0), [...dims].sort((a, b) => a - b), this.scalarFn('add', t));
  }
  broadcast(x: Instruction, dims: readonly number[], dimensions: readonly number[]): Instruction {
    const s = arrayShape(x);
    if (dimensions.length === dims.length && dimensions.every((d, i) => d === i) && s.dims.every((d, i) => d === dims[i])) return x;
    return this.c.broadcast(x, dims, dimensions);
  }
  reshape(x: Instruction, dims: readonly number[]): Instruction {
    const s = arrayShape(x);
    if (s.dims.length === dims.length && s.dims.every((d, i) => d === dims[i])) return x;
    return this.c.reshape(x, dims);
  }
  transpose(x: Instruction, perm: readonly number[]): Instruction {
    return perm.every((p, i) => p === i) ? x : this.c.transpose(x, perm);
  }
  convert(x: Instruction, dtype: DType): Instruction {
    return arrayShape(x).dtype === dtype ? x : this.c.convert(x, dtype);
  }

  // --- Scalar computations -------------------------------------------------------------

  /** `(a, b) -> fn(a, b)` over dtype: a reducer or a scatter combiner. */
  scalarFn(fn: ScalarFn, dtype: DType): Computation {
    const own = this.existing.find((c) => reducerKind(c) === fn && c.params.every((p) => p.shape.kind === 'array' && p.shape.dtype === dtype));
    if (own) return own;
    return this.helper(`${fn}_${dtype}`, (c) => {
      const a = c.parameter(scalar(dtype), 'a'), b = c.parameter(scalar(dtype), 'b');
      return c.op(fn, [a, b], {});
    });
  }
  /** `(a, b) -> compare(a, b, d)`: select-and-scatter's select. */
  predicate(d: Direction, dtype: DType): Computation {
    return this.helper(`${d.toLowerCase()}_${dtype}`, (c) => c.compare(c.parameter(scalar(dtype), 'a'), c.parameter(scalar(dtype), 'b'), d));
  }
  /** `(a, b) -> b`: a scatter that overwrites. */
  overwrite(dtype: DType): Computation {
    return this.helper(`overwrite_${dtype}`, (c) => {
      c.parameter(scalar(dtype), 'a');
      return c.parameter(scalar(dtype), 'b');
    });
  }

  /** A computation made once per key (the same key gives the same computation). */
  helper(key: string, body: (c: ComputationBuilder) => Instruction): Computation {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const cb = new ComputationBuilder(this.computationNames.unique(`ad_${key}`), this.names);
    const comp = cb.finish(body(cb), false);
    this.cache.set(key, comp);
    this.computations.push(comp);
    return comp;
  }
}

export function arrayShape(x: Instruction): ArrayShape {
  if (x.shape.kind !== 'array') throw new Error(`autodiff: %${x.name} must be an array, got a tuple`);
  return x.shape;
}
export const dimsOf = (x: Instruction): readonly number[] => arrayShape(x).dims;
export const dtypeOf = (x: Instruction): DType => arrayShape(x).dtype;
/** The array shape of x with other dims. */
export const reshaped = (x: Instruction, dims: readonly number[]): ArrayShape => array(dtypeOf(x), dims);
/** 0..n-1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** The dims of 0..n-1 not in `used`, in order. */
export const others = (n: number, ...used: (readonly number[])[]): number[] => range(n).filter((d) => !used.some((u) => u.includes(d)));
/** The inverse of a permutation. */
export function inversePerm(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((v, i) => { inv[v] = i; });
  return inv;
}
