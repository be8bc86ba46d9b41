// The derivative modules are ordinary HLO: they compile for the wasm backend and give
// the interpreter's results (f32).
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { interpret } from '../../ir/interpret/index.js';
import { type ArrayLiteral, arrayLiteral } from '../../ir/literal.js';
import type { Module } from '../../ir/module.js';
import type { ArrayShape } from '../../ir/shape.js';
import { grad, jvp, vjp } from '../../passes/autodiff/index.js';
import { COMPUTE_CASES } from './cases_compute.js';
import { ELEMENTWISE_CASES } from './cases_elementwise.js';
import { STRUCTURAL_CASES } from './cases_structural.js';
import { WINDOW_CASES } from './cases_window.js';
import { type Case, leavesOf as leaves, makeArgs, rng } from './harness.js';
import { toF32 } from './retype.js';
import { lenet, mlp } from './models.js';


function inputs(m: Module, seed: number): ArrayLiteral[] {
  const r = rng(seed);
  return m.entry.params.map((p) => {
    const s = p.shape as ArrayShape;
    return arrayLiteral(s, Array.from({ length: s.dims.reduce((a, b) => a * b, 1) }, () => 2 * r() - 1));
  });
}

const typed = (a: ArrayLiteral) => (a.shape.dtype === 's32' ? Int32Array.from(a.data as Float64Array) : Float32Array.from(a.data as Float64Array));

async function expectWasmMatches(m: Module, seed: number, given?: ArrayLiteral[]): Promise<void> {
  const x = given ?? inputs(m, seed);
  const want = leaves(interpret(m, x));
  const exe = await compile(m, { backend: 'wasm' });
  try {
    const got = Object.values(await exe.run(x.map(typed)));
    expect(got.length).toBe(want.length);
    got.forEach((t, k) => Array.from(t.data as Float32Array).forEach((v, i) => {
      const w = Number(want[k].data[i]);
      expect(Math.abs(v - w), `output ${k}[${i}]`).toBeLessThan(1e-4 * (1 + Math.abs(w)));
    }));
  } finally {
    await exe.dispose();
  }
}

describe('autodiff: derivative modules on the wasm backend', () => {
  it('mlp: grad, vjp, jvp', async () => {
    await expectWasmMatches(grad(mlp('f32')), 1);
    await expectWasmMatches(vjp(mlp('f32')), 2);
    await expectWasmMatches(jvp(mlp('f32')), 3);
  });
  it('lenet: grad, jvp', async () => {
    await expectWasmMatches(grad(lenet('f32')), 4);
    await expectWasmMatches(jvp(lenet('f32')), 5);
  });
});

/** One derivative module per property-test case, in f32: the case's inputs, then random (co)tangents. */
async function caseOnWasm(c: Case, mode: 'vjp' | 'jvp'): Promise<void> {
  const m = c.build(), r = rng(9);
  const d = toF32(mode === 'vjp' ? vjp(m) : jvp(m));
  const x = makeArgs(m, c, r).map((a) => arrayLiteral({ ...a.shape, dtype: a.shape.dtype === 'f64' ? 'f32' : a.shape.dtype }, a.data as Float64Array));
  const extra = inputs(d, 10).slice(x.length);
  await expectWasmMatches(d, 0, [...x, ...extra]);
}

const ALL: Case[] = [ELEMENTWISE_CASES, STRUCTURAL_CASES, COMPUTE_CASES, WINDOW_CASES].flatMap((t) => Object.values(t).flatMap((cs) => cs ?? []));

describe('autodiff: every property-test case on the wasm backend (f32)', () => {
  for (const c of ALL) it(c.name, async () => {
    await caseOnWasm(c, 'vjp');
    await caseOnWasm(c, 'jvp');
  });
});
