// Deterministic random inputs (`--random SEED`): the same seed gives the same bytes everywhere.
import { DTYPES } from '../ir/dtype.js';
import { Literal, arrayLiteral, tupleLiteral } from '../ir/literal.js';
import { Shape, elementCount } from '../ir/shape.js';

/** mulberry32: small, fast, and good enough for test inputs. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random literal of the shape: floats uniform in [-1, 1), signed ints in [-8, 8),
 * unsigned in [0, 16), preds fair coins. Small integers keep index operands mostly in range.
 */
export function randomLiteral(shape: Shape, next: () => number): Literal {
  if (shape.kind === 'tuple') return tupleLiteral(shape.elements.map((e) => randomLiteral(e, next)));
  const n = elementCount(shape);
  const cls = DTYPES[shape.dtype].cls;
  const values = new Array<number | bigint>(n);
  for (let i = 0; i < n; i++) {
    const u = next();
    const v = cls === 'float' ? u * 2 - 1 : cls === 'signed' ? Math.floor(u * 16) - 8 : cls === 'pred' ? (u < 0.5 ? 0 : 1) : Math.floor(u * 16);
    values[i] = shape.dtype === 's64' || shape.dtype === 'u64' ? BigInt(v) : v;
  }
  return arrayLiteral(shape, values);
}

export function randomInputs(params: readonly Shape[], seed: number): Literal[] {
  const next = rng(seed);
  return params.map((s) => randomLiteral(s, next));
}
