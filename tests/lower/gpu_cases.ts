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
