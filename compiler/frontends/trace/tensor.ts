// Tensor: an n-dimensional array of one dtype, as kiln's array API hands it out. It stands
// for a node of the traced graph (node.ts); its values are computed when read, by the
// configured backend (`await t.data()`) or the interpreter (`t.dataSync()`), and kept.
import type { DType, TypedArray } from '../../../runtime/core/dtype.js';
import { arrayShape, type Node } from './node.js';
import { realizeSoon, realizeSync } from './realize.js';

export class Tensor {
  /**
   * @param node  what it stands for
   * @param weak  a JS number's tensor: JAX's weak type, which takes the other operand's
   *              dtype when combined (`x.f16 * 2` stays f16)
   */
  constructor(readonly node: Node, readonly weak = false) {}

  get shape(): number[] { return [...arrayShape(this.node).dims]; }
  get dtype(): DType { return arrayShape(this.node).dtype as DType; }
  get ndim(): number { return arrayShape(this.node).dims.length; }
  get size(): number { return arrayShape(this.node).dims.reduce((a, b) => a * b, 1); }

  /**
   * The values, row-major, in the typed array of the dtype (shared: do not modify it).
   * Reads asked for in the same turn are computed together, by one module:
   * `await Promise.all(ts.map((t) => t.data()))` runs the graph once.
   */
  data(): Promise<TypedArray> {
    return realizeSoon(this);
  }

  /** The values, computed now on the interpreter (or already known). */
  dataSync(): TypedArray {
    return realizeSync(this);
  }

  /** A scalar's value as a JS number (bigint for 64-bit integers). */
  async item(): Promise<number | bigint> {
    if (this.size !== 1) throw new Error(`kiln: item() needs a tensor of one element, this is ${this.dtype}[${this.shape}]`);
    return (await this.data())[0];
  }

  toString(): string {
    return `Tensor(${this.dtype}[${this.shape.join(',')}])`;
  }
}
