// Checking vmap against its definition: run the per-example module once per example and
// stack the results along each output's out-axis; the batched module, run once on the
// stacked inputs, must give the same values (bit for bit unless a case allows rounding).
import { expect } from 'vitest';
import { randomLiteral, rng } from '../../compiler/random.js';
import { ComputationBuilder, ModuleBuilder } from '../../ir/builder.js';
import { interpret } from '../../ir/interpret/index.js';
import { allocValues, type ArrayLiteral, type Literal, type TupleLiteral, tupleLiteral } from '../../ir/literal.js';
import type { Computation, Instruction, Module } from '../../ir/module.js';
import { type Shape, array, product, scalar } from '../../ir/shape.js';
import { verifyModule } from '../../ir/verify.js';
import { vmap } from '../../passes/batching/index.js';

/** A one-computation module (plus whatever `extra` adds first: reducers, bodies). */
export function mod(params: readonly Shape[], body: (c: ComputationBuilder, ps: Instruction[], extra: Computation[]) => Instruction | Instruction[],
  extra: (b: ModuleBuilder) => Computation[] = () => []): Module {
  const b = new ModuleBuilder('m');
  const comps = extra(b);
  b.entry('main', (c) => body(c, params.map((s) => c.parameter(s)), comps));
  return b.build();
}

/** Scalar binary computations (`add`, `max`, ...) over a dtype. */
export function scalarFn(b: ModuleBuilder, name: string, dtype: Shape & { kind: 'array' } | string, f: (c: ComputationBuilder, x: Instruction, y: Instruction) => Instruction): Computation {
  const s = typeof dtype === 'string' ? scalar(dtype as 'f32') : dtype;
  return b.computation(name, (c) => f(c, c.parameter(s), c.parameter(s)));
}

/** Literals stacked along `axis` (every one of the same shape). */
export function stack(ls: readonly Literal[], axis: number): Literal {
  if (ls[0].shape.kind === 'tuple') {
    const n = (ls[0] as TupleLiteral).elements.length;
    return tupleLiteral(Array.from({ length: n }, (_, k) => stack(ls.map((l) => (l as TupleLiteral).elements[k]), axis)));
  }
  const first = ls[0] as ArrayLiteral, dims = first.shape.dims;
  const outer = product(dims.slice(0, axis)), inner = product(dims.slice(axis)), n = ls.length;
  const data = allocValues(first.shape.dtype, outer * n * inner);
  ls.forEach((l, e) => {
    const src = (l as ArrayLiteral).data;
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) (data as Float64Array)[(o * n + e) * inner + i] = (src as Float64Array)[o * inner + i];
  });
  return { shape: array(first.shape.dtype, [...dims.slice(0, axis), n, ...dims.slice(axis)]), data };
}

/** How two results differ (beyond `tol` relative to 1 + |expected|), or undefined. NaN equals NaN. */
export function difference(a: Literal, e: Literal, tol: number, at = 'result'): string | undefined {
  if (a.shape.kind === 'tuple' || e.shape.kind === 'tuple') {
    const ea = (a as TupleLiteral).elements, ee = (e as TupleLiteral).elements;
    if (!ea || !ee || ea.length !== ee.length) return `${at}: tuple structure differs`;
    for (let k = 0; k < ea.length; k++) {
      const d = difference(ea[k], ee[k], tol, `${at}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  const x = a as ArrayLiteral, y = e as ArrayLiteral;
  if (x.shape.dtype !== y.shape.dtype || x.shape.dims.join() !== y.shape.dims.join())
    return `${at}: shape ${x.shape.dtype}[${x.shape.dims}] against ${y.shape.dtype}[${y.shape.dims}]`;
  for (let k = 0; k < x.data.length; k++) {
    const u = x.data[k], v = y.data[k];
    if (typeof u === 'bigint' || typeof v === 'bigint') {
      if (u !== v) return `${at}[${k}]: ${u} against ${v}`;
      continue;
    }
    if (Object.is(u, v) || (Number.isNaN(u) && Number.isNaN(v))) continue;
    if (tol > 0 && Math.abs(u - v) <= tol * (1 + Math.abs(v))) continue;
    return `${at}[${k}]: ${u} against ${v}`;
  }
  return undefined;
}

export interface CheckOptions {
  seed?: number;
  /** Relative tolerance; 0 (bit for bit) by default. */
  tol?: number;
  /** Only check the batched module verifies and has the stacked shapes (ops the interpreter does not compute). */
  shapesOnly?: boolean;
  /** Inputs for one example, when random ones do not suit the module. */
  inputs?: (example: number, next: () => number) => Literal[];
  /** The interpreter's work budget per run (none by default). */
  maxElements?: number;
}

/** vmap m with these axes and check it against running m per example. */
export function checkVmap(m: Module, inAxes: readonly (number | null)[], size: number, outAxes?: readonly number[], opts: CheckOptions = {}): Module {
  const next = rng(opts.seed ?? 1);
  const params = m.entry.params.map((p) => p.shape);
  const example = (e: number): Literal[] => opts.inputs ? opts.inputs(e, next) : params.map((s) => randomLiteral(s, next));
  const shared = example(-1);
  const perExample = Array.from({ length: size }, (_, e) => {
    const own = example(e);
    return own.map((l, k) => (inAxes[k] === null ? shared[k] : l));
  });
  const batchedInputs = params.map((_, k) => (inAxes[k] === null ? shared[k] : stack(perExample.map((ins) => ins[k]), inAxes[k]!)));
  const batched = vmap(m, inAxes, size, outAxes);
  verifyModule(batched);
  const root = m.entry.root.shape;
  const leafCount = root.kind === 'tuple' ? root.elements.length : 1;
  const axes = outAxes ?? Array(leafCount).fill(0);
  if (opts.shapesOnly) {
    const stacked = (s: Shape, axis: number): Shape => s.kind === 'tuple' ? { kind: 'tuple', elements: s.elements.map((x) => stacked(x, axis)) } : array(s.dtype, [...s.dims.slice(0, axis), size, ...s.dims.slice(axis)]);
    const want = root.kind === 'tuple' ? { kind: 'tuple' as const, elements: root.elements.map((s, k) => stacked(s, axes[k])) } : stacked(root, axes[0]);
    expect(JSON.stringify(strip(batched.entry.root.shape))).toBe(JSON.stringify(strip(want)));
    return batched;
  }
  const budget = { maxElements: opts.maxElements };
  const results = perExample.map((ins) => interpret(m, ins, budget));
  const expected = root.kind === 'tuple'
    ? tupleLiteral(root.elements.map((_, k) => stack(results.map((r) => (r as TupleLiteral).elements[k]), axes[k])))
    : stack(results, axes[0]);
  const actual = interpret(batched, batchedInputs, budget);
  const diff = difference(actual, expected, opts.tol ?? 0);
  expect(diff, `in-axes [${inAxes.join(', ')}] out-axes [${axes.join(', ')}]`).toBeUndefined();
  return batched;
}

function strip(s: Shape): unknown {
  return s.kind === 'tuple' ? s.elements.map(strip) : [s.dtype, s.dims];
}

/**
 * In-axes to try for a module: all at 0, all at the end, and two mixes with unbatched
 * parameters and middle axes (never all unbatched). Tuple parameters stay unbatched.
 */
export function axesVariants(m: Module): (number | null)[][] {
  const ranks = m.entry.params.map((p) => (p.shape.kind === 'array' ? p.shape.dims.length : -1));
  const pick = (f: (r: number, k: number) => number | null) => ranks.map((r, k) => (r < 0 ? null : f(r, k)));
  const variants = [
    pick(() => 0),
    pick((r) => r),
    pick((r, k) => (k % 2 === 0 ? null : Math.min(1, r))),
    pick((r, k) => (k % 2 === 1 ? null : r)),
    pick((r, k) => (k === ranks.length - 1 ? Math.floor(r / 2) : null)),
  ];
  const seen = new Set<string>();
  return variants.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key) || v.every((a) => a === null)) return false;
    seen.add(key);
    return true;
  });
}

/** Out-axes to try: the default, and each output's last position. */
export function outAxesVariants(m: Module): (number[] | undefined)[] {
  const root = m.entry.root.shape;
  const leaves = root.kind === 'tuple' ? root.elements : [root];
  const last = leaves.map((s) => (s.kind === 'array' ? s.dims.length : 0));
  return last.every((r) => r === 0) ? [undefined] : [undefined, last];
}
