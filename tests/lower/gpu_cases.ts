// HLO cases for the GPU schedules' tests (tests/lower/gpu_schedules.test.ts on the kernel
// executor, tests/wgsl/gpu_schedules.test.ts on WebGPU): elementwise fusions and
// reductions over shapes that are not multiples of the workgroup.
import { parseHlo } from '../../compiler/frontends/hlo/index.js';
import type { Module } from '../../ir/module.js';

/** Sizes around the workgroup (64) and past it. */
export const SIZES = [1, 3, 63, 64, 65, 1000, 4097];

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
