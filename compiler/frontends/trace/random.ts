// The `random` namespace: jax.random's explicit keys. A key is a u32[2] tensor; its bits
// come from threefry2x32 (Salmon et al., Random123) written in u32 HLO ops, so one key
// gives the same numbers on every backend. The counters are laid out as JAX's original
// threefry (jax_threefry_partitionable=False, the default before JAX 0.5), whose
// key, split, fold_in, bits, uniform and normal values these match.
import type { DType } from '../../../runtime/core/dtype.js';
import { asTensor, astype, axesOf, bitcast, binary, broadcastTo, compare, concat, iota, reshape, scalarTensor, sliceDims, type TensorLike } from './ops.js';
import { Tensor } from './tensor.js';
import { erfInv } from './special.js';
import { sortKeyVal } from './numpy/sorting.js';
import { take } from './numpy/indexing.js';

const u32 = (v: number): Tensor => scalarTensor(v, 'u32');
const add = (a: Tensor, b: Tensor | number) => binary('add', a, typeof b === 'number' ? u32(b) : b);
const xor = (a: Tensor, b: Tensor) => binary('xor', a, b);
const rotl = (v: Tensor, d: number) => binary('or', binary('shift-left', v, u32(d)), binary('shift-right-logical', v, u32(32 - d)));

const ROTATIONS = [[13, 15, 26, 6], [17, 29, 16, 24]];

/** The threefry2x32 block cipher (20 rounds) of counters (x0, x1) under key (k0, k1); all u32, broadcast. */
export function threefry2x32(k0: Tensor, k1: Tensor, x0: Tensor, x1: Tensor): [Tensor, Tensor] {
  const ks = [k0, k1, xor(xor(k0, k1), broadcastTo(u32(0x1bd11bda), k0.shape))];
  let x = [add(x0, ks[0]), add(x1, ks[1])];
  for (let i = 0; i < 5; i++) {
    for (const r of ROTATIONS[i % 2]) {
      const a = add(x[0], x[1]);
      x = [a, xor(a, rotl(x[1], r))];
    }
    // Key injection i+1: the schedule rotates through the three key words, plus the round count.
    x = [add(x[0], ks[(i + 1) % 3]), add(add(x[1], ks[(i + 2) % 3]), i + 1)];
  }
  return [x[0], x[1]];
}

const word = (key: Tensor, i: number): Tensor => reshape(sliceDims(key, [i], [i + 1]), []);

function checkKey(key: Tensor): void {
  if (key.dtype !== 'u32' || key.ndim !== 1 || key.shape[0] !== 2) throw new Error(`kiln: a random key is u32[2] (random.key(seed)), got ${key.dtype}[${key.shape}]`);
}

/**
 * JAX's threefry_2x32 over a flat u32 count: the count (padded to even length) split in
 * halves as the two counter words, the two outputs joined, the padding dropped.
 */
function hash(key: Tensor, count: Tensor): Tensor {
  checkKey(key);
  const n = count.shape[0];
  const even = n % 2 === 0 ? count : concat([count, reshape(u32(0), [1])], 0);
  const m = even.shape[0] / 2;
  const [k0, k1] = [broadcastTo(word(key, 0), [m]), broadcastTo(word(key, 1), [m])];
  const [y0, y1] = threefry2x32(k0, k1, sliceDims(even, [0], [m]), sliceDims(even, [m], [2 * m]));
  const out = concat([y0, y1], 0);
  return n % 2 === 0 ? out : sliceDims(out, [0], [n]);
}

/**
 * A key from a seed, as jax.random.key / PRNGKey: [0, seed] for a seed in s32 or u32's
 * range (a negative one as its u32 bits, as JAX without x64), [high, low] words above 2^32.
 * A tensor seed must be s32 or u32.
 */
export function key(seed: number | Tensor): Tensor {
  if (seed instanceof Tensor) {
    if (seed.ndim !== 0 || (seed.dtype !== 's32' && seed.dtype !== 'u32')) throw new Error(`kiln: a key's seed is an s32 or u32 scalar, got ${seed.dtype}[${seed.shape}]`);
    const low = seed.dtype === 'u32' ? seed : bitcast(seed, 'u32');
    return concat([reshape(u32(0), [1]), reshape(low, [1])], 0);
  }
  if (!Number.isSafeInteger(seed) || seed < -(2 ** 31)) throw new Error(`kiln: a seed is an integer ≥ -2^31, got ${seed}`);
  const high = seed < 0 ? 0 : Math.floor(seed / 2 ** 32);
  return concat([reshape(u32(high), [1]), reshape(u32(seed >>> 0), [1])], 0);
}

/** `n` new keys from `key` (u32[n, 2]), as jax.random.split. */
export function split(key: Tensor, n = 2): Tensor {
  return reshape(hash(key, iota('u32', [2 * n], 0)), [n, 2]);
}

/** A key from `key` and an integer, as jax.random.fold_in. */
export function foldIn(k: Tensor, data: number | Tensor): Tensor {
  // JAX hashes the data's seed words as a two-element count.
  return hash(k, key(data));
}

/** `shape`'s worth of random u32 bits, as jax.random.bits. */
export function bits(key: Tensor, shape: readonly number[] = []): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return reshape(hash(key, iota('u32', [n], 0)), shape);
}

export interface UniformOptions { dtype?: DType; minval?: TensorLike; maxval?: TensorLike }

/**
 * Uniform in [minval, maxval) (f32), as jax.random.uniform: 23 random mantissa bits under
 * the exponent of 1.0 give a float in [1, 2); minus 1, scaled and shifted.
 */
export function uniform(key: Tensor, shape: readonly number[] = [], opts: UniformOptions = {}): Tensor {
  if ((opts.dtype ?? 'f32') !== 'f32') throw new Error(`kiln: random.uniform makes f32 values, not ${opts.dtype}`);
  const mantissa = binary('shift-right-logical', bits(key, shape), u32(9));
  const one = bitcast(binary('or', mantissa, u32(0x3f800000)), 'f32');
  const [lo, hi] = [opts.minval ?? 0, opts.maxval ?? 1].map((v) => astype(asTensor(v), 'f32'));
  const floats = binary('add', binary('multiply', binary('subtract', one, scalarTensor(1, 'f32')), binary('subtract', hi, lo)), lo);
  // Rounding can take minval + u·(maxval - minval) below minval; JAX clamps it back.
  return binary('maximum', lo, floats);
}

/**
 * Standard normal (f32), as jax.random.normal: sqrt(2)·erfinv(u) for u uniform in
 * (-1, 1), with erfinv the polynomial XLA uses (special.ts), so values follow JAX's to
 * within a few ulps.
 */
export function normal(key: Tensor, shape: readonly number[] = []): Tensor {
  const u = uniform(key, shape, { minval: -0.99999994, maxval: 1 });
  return binary('multiply', erfInv(u), scalarTensor(Math.SQRT2, 'f32'));
}

/** True with probability `p` (broadcast to `shape`, default p's), as jax.random.bernoulli. */
export function bernoulli(key: Tensor, p: TensorLike = 0.5, shape?: readonly number[]): Tensor {
  const prob = asTensor(p);
  return compare('LT', uniform(key, shape ?? prob.shape), prob);
}

/**
 * A random permutation of arange(n), or of `x` along `axis`, as jax.random.permutation:
 * rounds of a stable sort by fresh random bits (enough rounds that ties are unlikely:
 * one up to ~1600 elements), each round's bits from a new split of the key.
 */
export function permutation(k: Tensor, x: number | Tensor, axis = 0): Tensor {
  const n = typeof x === 'number' ? x : x.shape[axesOf(axis, x.ndim)[0]];
  let order = iota('s32', [n], 0);
  const rounds = Math.ceil((3 * Math.log(Math.max(1, n))) / Math.log(0xffffffff));
  for (let i = 0; i < rounds; i++) {
    const keys = split(k);
    k = reshape(sliceDims(keys, [0, 0], [1, 2]), [2]);
    order = sortKeyVal(bits(reshape(sliceDims(keys, [1, 0], [2, 2]), [2]), [n]), [order], 0)[1];
  }
  return typeof x === 'number' ? order : take(x, order, axis);
}
