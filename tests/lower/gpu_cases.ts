// HLO cases for the GPU schedules' tests (gpu_properties.ts's random shapes, and the fixed
// cases of tests/lower/gpu_schedules.test.ts and tests/wgsl/gpu_schedules.test.ts):
// elementwise fusions, reductions, dots, convolutions and transposes.
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import type { Module } from '../../ir/module.js';

const ADD = `add { a = f32[] parameter(0)  b = f32[] parameter(1)  ROOT s = f32[] add(a, b) }`;
const MAX = `max { a = f32[] parameter(0)  b = f32[] parameter(1)  ROOT m = f32[] maximum(a, b) }`;
const dims = (ds: readonly number[]): string => ds.join(',');

/** exp(x) * y + x over [rows, n]: a loop fusion (vec4 when n % 4 = 0). */
export function elementwise(rows: number, n: number): Module {
  const s = `f32[${dims([rows, n])}]`;
  return parseHlo(`HloModule ew
ENTRY main {
  x = ${s} parameter(0)
  y = ${s} parameter(1)
  e = ${s} exponential(x)
  m = ${s} multiply(e, y)
  ROOT r = ${s} add(m, x)
}`);
}

/** A softmax over the minor dim of [rows, n]: two row reductions, their epilogues and producers fused. */
export function softmax(rows: number, n: number): Module {
  const s = `f32[${rows},${n}]`, r = `f32[${rows}]`;
  return parseHlo(`HloModule softmax
${MAX}
${ADD}
ENTRY main {
  x = ${s} parameter(0)
  ninf = f32[] constant(-inf)
  mx = ${r} reduce(x, ninf), dimensions={1}, to_apply=max
  mb = ${s} broadcast(mx), dimensions={0}
  d = ${s} subtract(x, mb)
  e = ${s} exponential(d)
  zero = f32[] constant(0)
  sm = ${r} reduce(e, zero), dimensions={1}, to_apply=add
  sb = ${s} broadcast(sm), dimensions={0}
  ROOT y = ${s} divide(e, sb)
}`);
}

/** max over `reduced` of `shape` (init -inf), alone: a reduction with no producer or epilogue. */
export function reduceMax(shape: readonly number[], reduced: readonly number[]): Module {
  const out = shape.filter((_, d) => !reduced.includes(d));
  return parseHlo(`HloModule rmax
${MAX}
ENTRY main {
  x = f32[${dims(shape)}] parameter(0)
  ninf = f32[] constant(-inf)
  ROOT r = f32[${dims(out)}] reduce(x, ninf), dimensions={${reduced.join(',')}}, to_apply=max
}`);
}

/** Σ (x + 1) over `reduced` of an s32 `shape`: an integer reduction, exact on every device. */
export function reduceSumS32(shape: readonly number[], reduced: readonly number[]): Module {
  const out = shape.filter((_, d) => !reduced.includes(d));
  const s = `s32[${dims(shape)}]`;
  return parseHlo(`HloModule rsum
iadd { a = s32[] parameter(0)  b = s32[] parameter(1)  ROOT s = s32[] add(a, b) }
ENTRY main {
  x = ${s} parameter(0)
  one = ${s} broadcast(s32[] constant(1)), dimensions={}
  y = ${s} add(x, one)
  zero = s32[] constant(0)
  ROOT r = s32[${dims(out)}] reduce(y, zero), dimensions={${reduced.join(',')}}, to_apply=iadd
}`);
}

/** sqrt(Σ x² over `reduced` of `shape` + 1): a reduction with a producer and an epilogue. */
export function reduceNorm(shape: readonly number[], reduced: readonly number[]): Module {
  const out = shape.filter((_, d) => !reduced.includes(d));
  const s = `f32[${dims(shape)}]`, o = `f32[${dims(out)}]`;
  return parseHlo(`HloModule norm
${ADD}
ENTRY main {
  x = ${s} parameter(0)
  sq = ${s} multiply(x, x)
  zero = f32[] constant(0)
  r = ${o} reduce(sq, zero), dimensions={${reduced.join(',')}}, to_apply=add
  one = ${o} broadcast(f32[] constant(1)), dimensions={}
  p = ${o} add(r, one)
  ROOT q = ${o} sqrt(p)
}`);
}

/** reduceNorm's computation as one given fusion (kInput): the epilogue sqrt(r + 1) fused after the reduce. */
export function fusedNorm(rows: number, n: number): Module {
  const s = `f32[${rows},${n}]`, o = `f32[${rows}]`;
  return parseHlo(`HloModule fusednorm
${ADD}
fused {
  p = ${s} parameter(0)
  sq = ${s} multiply(p, p)
  zero = f32[] constant(0)
  r = ${o} reduce(sq, zero), dimensions={1}, to_apply=add
  c1 = f32[] constant(1)
  one = ${o} broadcast(c1), dimensions={}
  a = ${o} add(r, one)
  ROOT q = ${o} sqrt(a)
}
ENTRY main {
  x = ${s} parameter(0)
  ROOT f = ${o} fusion(x), kind=kInput, calls=fused
}`);
}

export const MATMUL = 'lhs_contracting_dims={1}, rhs_contracting_dims={0}';
export const BATCHED = 'lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={1}';

/** dot(a, b) with the given dimension numbers. */
export const dotModule = (lhs: readonly number[], rhs: readonly number[], out: readonly number[], dimNumbers: string): Module => parseHlo(`HloModule d
ENTRY main {
  a = f32[${dims(lhs)}] parameter(0)
  b = f32[${dims(rhs)}] parameter(1)
  ROOT d = f32[${dims(out)}] dot(a, b), ${dimNumbers}
}`);

/** relu(a · b + bias) over [M, K] × [K, N]: a dense layer, its epilogue fused into the dot. */
export const biasRelu = (M: number, K: number, N: number): Module => parseHlo(`HloModule d
ENTRY main {
  a = f32[${M},${K}] parameter(0)
  b = f32[${K},${N}] parameter(1)
  bias = f32[${N}] parameter(2)
  d = f32[${M},${N}] dot(a, b), ${MATMUL}
  bb = f32[${M},${N}] broadcast(bias), dimensions={1}
  s = f32[${M},${N}] add(d, bb)
  z = f32[] constant(0)
  zb = f32[${M},${N}] broadcast(z), dimensions={}
  ROOT r = f32[${M},${N}] maximum(s, zb)
}`);

export const transposeModule = (ds: readonly number[], perm: readonly number[], dtype = 'f32'): Module => parseHlo(`HloModule t
ENTRY main {
  a = ${dtype}[${dims(ds)}] parameter(0)
  ROOT t = ${dtype}[${dims(perm.map((p) => ds[p]))}] transpose(a), dimensions={${perm.join(',')}}
}`);

export const NCHW = 'dim_labels=bf01_oi01->bf01';
export const NHWC = 'dim_labels=b01f_01io->b01f';

/**
 * convolution(x, w) with attributes `attrs` (window, dim_labels, ...), then the epilogue:
 * none, relu, or a bias along output dim `featureDim` and relu (a framework's Conv layer).
 */
export function convModule(x: readonly number[], w: readonly number[], y: readonly number[], attrs: string, epilogue: 'none' | 'relu' | 'bias+relu' = 'none', featureDim = 1): Module {
  const yt = `f32[${dims(y)}]`;
  const bias = epilogue !== 'bias+relu' ? '' : `
  bias = f32[${y[featureDim]}] parameter(2)
  bb = ${yt} broadcast(bias), dimensions={${featureDim}}
  s = ${yt} add(c, bb)`;
  const tail = epilogue === 'none' ? '' : `${bias}
  z = f32[] constant(0)
  zb = ${yt} broadcast(z), dimensions={}
  ROOT r = ${yt} maximum(${bias ? 's' : 'c'}, zb)`;
  return parseHlo(`HloModule c
ENTRY main {
  x = f32[${dims(x)}] parameter(0)
  w = f32[${dims(w)}] parameter(1)
  ${epilogue === 'none' ? 'ROOT ' : ''}c = ${yt} convolution(x, w), ${attrs}${tail}
}`);
}

/** LayerNorm over the minor dim of [rows, n] with scale g and shift b: the mean, then the variance of x − mean. */
export function layerNorm(rows: number, n: number): Module {
  return parseHlo(`HloModule layernorm
${ADD}
ENTRY main {
  x = f32[${rows},${n}] parameter(0)
  g = f32[${n}] parameter(1)
  b = f32[${n}] parameter(2)
${normBody(rows, n)}
}`);
}

/** y = (x − mean) · rsqrt(var + ε) · g + b along rows of n. */
function normBody(rows: number, n: number): string {
  const s = `f32[${rows},${n}]`, r = `f32[${rows}]`;
  return `  zero = f32[] constant(0)
  sum = ${r} reduce(x, zero), dimensions={1}, to_apply=add
  len = ${r} broadcast(f32[] constant(${n})), dimensions={}
  mean = ${r} divide(sum, len)
  mb = ${s} broadcast(mean), dimensions={0}
  d = ${s} subtract(x, mb)
  d2 = ${s} multiply(d, d)
  v = ${r} reduce(d2, zero), dimensions={1}, to_apply=add
  var = ${r} divide(v, len)
  eps = ${r} broadcast(f32[] constant(1e-5)), dimensions={}
  ve = ${r} add(var, eps)
  rs = ${r} rsqrt(ve)
  rb = ${s} broadcast(rs), dimensions={0}
  nd = ${s} multiply(d, rb)
  gb = ${s} broadcast(g), dimensions={1}
  bb = ${s} broadcast(b), dimensions={1}
  sc = ${s} multiply(nd, gb)
  ROOT y = ${s} add(sc, bb)`;
}

/** LayerNorm → GELU (erf form) → softmax over rows of n, as bench/models.ts's chain (five passes over a row). */
export function chain(rows: number, n: number): Module {
  const s = `f32[${rows},${n}]`, r = `f32[${rows}]`;
  return parseHlo(`HloModule chain
${ADD}
${MAX}
ENTRY main {
  x = ${s} parameter(0)
  g = f32[${n}] parameter(1)
  b = f32[${n}] parameter(2)
${normBody(rows, n).replace('ROOT ', '')}
  rt = ${s} broadcast(f32[] constant(1.41421354)), dimensions={}
  one = ${s} broadcast(f32[] constant(1)), dimensions={}
  half = ${s} broadcast(f32[] constant(0.5)), dimensions={}
  yr = ${s} divide(y, rt)
  er = ${s} erf(yr)
  e1 = ${s} add(er, one)
  ye = ${s} multiply(y, e1)
  ge = ${s} multiply(ye, half)
  ninf = f32[] constant(-inf)
  mx = ${r} reduce(ge, ninf), dimensions={1}, to_apply=max
  mxb = ${s} broadcast(mx), dimensions={0}
  sh = ${s} subtract(ge, mxb)
  ex = ${s} exponential(sh)
  se = ${r} reduce(ex, zero), dimensions={1}, to_apply=add
  seb = ${s} broadcast(se), dimensions={0}
  ROOT p = ${s} divide(ex, seb)
}`);
}

/**
 * A softmax written as one kRow fusion by hand (the fusion pass forms them for rows of 16
 * or more), whose extra outputs are exp(x − max) (full rows, read back by the divide), the
 * max and the sum (one per row).
 */
export function rowFusion(rows: number, n: number): Module {
  const s = `f32[${rows},${n}]`, r = `f32[${rows}]`;
  return parseHlo(`HloModule rowfusion
${MAX}
${ADD}
fused {
  x = ${s} parameter(0)
  ninf = f32[] constant(-inf)
  mx = ${r} reduce(x, ninf), dimensions={1}, to_apply=max
  mb = ${s} broadcast(mx), dimensions={0}
  d = ${s} subtract(x, mb)
  e = ${s} exponential(d)
  zero = f32[] constant(0)
  sm = ${r} reduce(e, zero), dimensions={1}, to_apply=add
  sb = ${s} broadcast(sm), dimensions={0}
  y = ${s} divide(e, sb)
  ROOT t = (${s}, ${s}, ${r}, ${r}) tuple(y, e, mx, sm)
}
ENTRY main {
  x = ${s} parameter(0)
  ROOT f = (${s}, ${s}, ${r}, ${r}) fusion(x), kind=kRow, calls=fused
}`);
}
